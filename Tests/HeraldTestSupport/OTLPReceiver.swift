import Foundation
import HeraldCore

/// `scripts/otlp-receiver`, a real OTLP/HTTP trace receiver (the OpenTelemetry project's protobuf
/// definitions, in Python), run on 127.0.0.1 for a test; it writes each span it receives as a JSON line.
public final class OTLPReceiver: Sendable {
    private let server: ServerProcess
    private let output: String

    /// The base URL to configure as `tracing.otlp_endpoint`.
    public var endpoint: String { "http://127.0.0.1:\(server.port)" }

    private init(server: ServerProcess, output: String) {
        self.server = server
        self.output = output
    }

    public static func start(in directory: TemporaryDirectory) async throws -> OTLPReceiver {
        let output = directory.file("spans.jsonl")
        let script = HeraldProcess.packageRoot.appendingPathComponent("scripts/otlp-receiver").path
        let server = try await ServerProcess.start(executable: "/usr/bin/env") { ["python3", script, "\($0)", output] }
        return OTLPReceiver(server: server, output: output)
    }

    /// One span as the receiver decoded it; ids in lowercase hex, as in a `traceparent` header.
    public struct Span: Decodable, Sendable {
        public var service: String?
        public var name: String
        public var kind: Int
        public var trace_id: String
        public var span_id: String
        public var parent_span_id: String
        public var attributes: [String: TemplateValue]
        public var links: [Link]

        public struct Link: Decodable, Sendable {
            public var trace_id: String
            public var span_id: String
        }
    }

    /// Every span received so far.
    public func spans() throws -> [Span] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Span.self, from: Data($0.utf8)) }
    }

    public func stop() async { await server.stop() }
}
