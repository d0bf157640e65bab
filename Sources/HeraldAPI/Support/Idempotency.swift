import Crypto
import Foundation
import HeraldCore
import HeraldStore
import HTTPTypes
import Hummingbird

/// `Idempotency-Key` on POST: the first response to a key is stored durably; the same key with the
/// same body within 24 hours gets that response again and changes nothing; with another body, 422.
struct Idempotency {
    static let window: Duration = .seconds(24 * 3600)
    static let keyField = HTTPField.Name("Idempotency-Key")!
    static let replayedField = HTTPField.Name("Idempotent-Replayed")!

    let store: any MessageStore
    let clock: any WallClock

    /// Runs `handle` once per key (keys are per token), or replays what it answered the first time.
    func run(
        _ request: Request, context: APIRequestContext, body: [UInt8], handle: () async throws -> Response
    ) async throws -> Response {
        guard let presented = request.headers.firstValue(Self.keyField) else { return try await handle() }
        guard !presented.isEmpty, presented.utf8.count <= 255 else {
            throw Problem(status: .badRequest, slug: "idempotency-key", title: "Bad Idempotency-Key", detail: "the key must be 1 to 255 characters")
        }
        let key = "\(context.token?.name ?? "-"):\(presented)"
        let fingerprint = SHA256.hash(data: Array("\(request.method) \(request.uri.path)\n".utf8) + body).map { String(format: "%02x", $0) }.joined()
        switch try await store.claimIdempotencyKey(key, fingerprint: fingerprint, now: clock.now(), window: Self.window) {
        case .replay(let stored):
            var headers: HTTPFields = [.contentType: stored.contentType]
            headers[Self.replayedField] = "true"
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
        case .mismatch:
            throw Problem.invalid("/", "Idempotency-Key '\(presented)' was already used with a different request body", slug: "idempotency-key-reused")
        case .inProgress:
            throw Problem(
                status: .conflict, slug: "idempotency-in-progress", title: "Request in progress",
                detail: "the first request with Idempotency-Key '\(presented)' is still being handled"
            )
        case .claimed:
            let response: Response
            do {
                response = try await handle()
            } catch let problem as Problem where problem.status.code < 500 {
                response = try problem.response(from: request, context: context)
            } catch {
                try? await store.releaseIdempotencyKey(key)
                throw error
            }
            var captured = response
            let bytes = try await captured.body.collected()
            try await store.completeIdempotencyKey(
                key, response: StoredResponse(status: response.status.code, contentType: response.headers[.contentType] ?? "application/json", body: bytes)
            )
            captured.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
            return captured
        }
    }
}

extension APIServices {
    /// A POST with a JSON body (at most 1 MiB), answered once per `Idempotency-Key`.
    func idempotentPost(
        _ request: Request, context: APIRequestContext, handle: ([UInt8]) async throws -> Response
    ) async throws -> Response {
        let body = try await request.jsonBody()
        return try await Idempotency(store: store, clock: clock).run(request, context: context, body: body) { try await handle(body) }
    }
}

extension ResponseBody {
    /// Every byte the body writes (our JSON responses are small and already in memory).
    func collected() async throws -> [UInt8] {
        let collector = ByteCollector()
        try await write(CollectingWriter(collector: collector))
        return collector.bytes
    }
}

/// Where `CollectingWriter` puts bytes; the writer is consumed by `ResponseBody.write`, this is not.
final class ByteCollector: @unchecked Sendable {
    var bytes: [UInt8] = []
}

/// A response body writer that keeps what it is given.
struct CollectingWriter: ResponseBodyWriter {
    let collector: ByteCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.bytes += buffer.readableBytesView
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
