import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

/// `herald messages [--broadcast ID] [--state S] [--json]`
struct MessagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "messages", abstract: "List messages with their state, channel and last error.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this broadcast's messages.") var broadcast: String?
    @Option(help: "Only messages in this state.") var state: MessageState?
    @Option(help: "At most this many.") var limit = 1000
    @Flag(help: "Print JSON lines, one message each, with its attempts.") var json = false

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let filter = MessageFilter(noticeID: broadcast, state: state, limit: limit)
        let details = try await runtime.withStore { store in try await store.messages(filter) }
        for detail in details {
            let message = detail.message
            if json {
                try JSONOutput.print(detail)
            } else {
                let columns = [message.id, message.state.rawValue, detail.channel ?? "-", message.recipient.id, message.lastError ?? ""]
                print(columns.joined(separator: "\t"))
            }
        }
    }
}
