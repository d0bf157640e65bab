import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch

/// `herald send TEMPLATE --to email:ADDR|sms:PHONE|webhook:URL ...`
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Queue one notice to one recipient and print its message id once it is durable."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Template name, e.g. outage-apology.") var template: String
    @Option(help: ArgumentHelp("A contact point; repeat for fallbacks along the route.", valueName: "email:ADDR|sms:PHONE|webhook:URL"))
    var to: [String] = []
    @Option(help: "Recipient name for {{recipient.name}}.") var name: String = ""
    @Option(name: .customLong("recipient-id"), help: "Recipient id (default: the first contact point).") var recipientID: String?
    @OptionGroup var notice: NoticeOptions
    @Flag(help: "Deliver in this process; exit 0 only if the message was delivered (2 if it was not).") var wait = false

    func validate() throws { _ = try makeRecipient() }

    func run() async throws {
        let recipient = try makeRecipient()
        let request = try notice.request(template: template)
        let runtime = try HeraldRuntime(options: global)
        try await runtime.withStore { store in
            let receipt = try await runtime.makeIntake(store: store).send(request, to: recipient)
            try await DeliveryWaiter(runtime: runtime, store: store).conclude(receipt, wait: wait)
        }
    }

    private func makeRecipient() throws -> Recipient {
        guard !to.isEmpty else { throw ValidationError("--to is required: email:ADDR, sms:PHONE or webhook:URL") }
        var contacts = ContactPoints()
        for value in to {
            guard let colon = value.firstIndex(of: ":") else { throw ValidationError("--to expects KIND:VALUE, got '\(value)'") }
            let kind = String(value[..<colon])
            let address = String(value[value.index(after: colon)...])
            switch kind {
            case "email": contacts.email = address
            case "sms", "phone": contacts.phone = address
            case "webhook": contacts.webhook = address
            default: throw ValidationError("--to: unknown kind '\(kind)' (expected email, sms or webhook)")
            }
        }
        do {
            return try RecipientValidator.single(id: recipientID, name: name, locale: nil, contacts: contacts)
        } catch {
            // The option the field came from, as the operator typed it.
            let option: String =
                switch error.field {
                case "email": "--to email:\(contacts.email ?? "")"
                case "phone": "--to sms:\(contacts.phone ?? "")"
                case "webhook": "--to webhook:\(contacts.webhook ?? "")"
                case "id": "--recipient-id"
                case "name": "--name"
                default: "--to"
                }
            throw ValidationError("\(option): \(error.reason)")
        }
    }
}
