import Foundation
import Logging

/// Writes each log entry to stderr as one line: text in swift-log's `StreamLogHandler` format
/// (`2026-11-26T08:45:47+0000 info herald.serve: key=value [Module] message`), or with `--json`
/// one JSON object (`{"ts","level","label","message",…metadata}`).
///
/// Metadata is formatted only when a line is written. `StreamLogHandler` formats it whenever it is
/// set — and the HTTP server sets a request id on every request, whatever the log level.
struct StderrLogHandler: LogHandler {
    enum Format {
        case text
        case json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        if let error = event.error { fields["error"] = "\(error)" }
        let line: Data?
        switch format {
        case .text: line = textLine(event, fields)
        case .json: line = jsonLine(event, fields)
        }
        if let line { FileHandle.standardError.write(line) }
    }

    private func textLine(_ event: LogEvent, _ fields: Logger.Metadata) -> Data {
        let pairs = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        return Data("\(Self.timestamp()) \(event.level) \(label):\(pairs) [\(event.source)] \(event.message)\n".utf8)
    }

    private func jsonLine(_ event: LogEvent, _ fields: Logger.Metadata) -> Data? {
        var object: [String: String] = ["ts": Date().formatted(.iso8601), "level": event.level.rawValue, "label": label, "message": "\(event.message)"]
        for (key, value) in fields { object[key] = "\(value)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(object)).map { $0 + Data([10]) }
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        localtime_r(&now, &local)
        var buffer = [CChar](repeating: 0, count: 64)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
