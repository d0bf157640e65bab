import Foundation
import HeraldCore
import NIOPosix

/// Writes each rendered message as a readable file, `<folder>/<message id>.txt`, for dry runs and demos.
/// Files are written whole (temporary file, then rename), so a crash never leaves half a message, and a
/// repeated delivery of the same message overwrites its own file.
public struct OutboxChannel: Channel {
    public struct Configuration: Sendable {
        public var folder: String

        public init(folder: String = "outbox") { self.folder = folder }
    }

    public let name: String
    public var kind: ChannelKind { .outbox }
    let configuration: Configuration

    public init(name: String, configuration: Configuration) {
        self.name = name
        self.configuration = configuration
    }

    public func deliver(_ delivery: Delivery) async throws {
        let folder = configuration.folder
        let target = "\(folder)/\(delivery.messageID).txt"
        let temporary = "\(folder)/.\(delivery.messageID).tmp"
        let document = Self.document(for: delivery)
        do {
            // File writes block: they run on NIO's blocking pool, not on the event loop delivering.
            try await NIOThreadPool.singleton.runIfActive {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try Data(document.utf8).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
            }
        } catch {
            throw DeliveryError(reason: .connection, isRetryable: true, detail: "cannot write \(target): \(error.localizedDescription)")
        }
    }

    /// The file's content: a header block, then each rendered part.
    static func document(for delivery: Delivery) -> String {
        let rendered = delivery.rendered
        let recipient = delivery.recipient
        var lines = [
            "Message-ID: \(delivery.messageID)",
            "Template: \(rendered.template) (\(rendered.locale))",
            "Recipient: \(recipient.id)\(recipient.name.isEmpty ? "" : " (\(recipient.name))")",
        ]
        for kind in ContactKind.allCases {
            if let value = recipient.contacts[kind] { lines.append("To-\(kind.rawValue): \(value)") }
        }
        if let broadcast = delivery.broadcastID { lines.append("Broadcast: \(broadcast)") }
        if let subject = rendered.subject { lines.append("Subject: \(subject)") }
        var document = lines.joined(separator: "\n") + "\n"
        if let text = rendered.text { document += "\n--- email ---\n\(text)" }
        if let html = rendered.html { document += "\n--- email.html ---\n\(html)" }
        if let sms = rendered.sms { document += "\n--- sms ---\n\(sms)\n" }
        if let webhook = rendered.webhook {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            if let data = try? encoder.encode(webhook) { document += "\n--- webhook ---\n\(String(decoding: data, as: UTF8.self))\n" }
        }
        return document
    }
}
