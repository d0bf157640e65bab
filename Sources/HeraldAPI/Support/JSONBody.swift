import Foundation
import HeraldCore
import Hummingbird

/// JSON in and out: sorted keys and ISO 8601 dates out; bodies in read by `JSONReader`, malformed ones a 400.
enum JSONBody {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }

    /// A JSON response.
    static func response(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encode(value)))
        )
    }

    /// The body as a JSON object read field by field (see `JSONFields`); text that is not JSON is a 400.
    /// - Parameter allowed: the body's field names; any other is a 422 naming it.
    static func object(from bytes: [UInt8], allowed: Set<String>) throws(Problem) -> JSONFields {
        try JSONFields(try value(from: bytes), at: "", allowed: allowed)
    }

    /// The body as any JSON value; text that is not JSON is a 400.
    static func value(from bytes: [UInt8]) throws(Problem) -> TemplateValue {
        do { return try JSONReader.parse(bytes) } catch {
            throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: "the body is not valid JSON: \(error)")
        }
    }
}

extension Request {
    /// A listing's `?limit=N`: 1 to 1000, 100 when absent; anything else is a 422 naming it.
    func pageLimit() throws(Problem) -> Int {
        guard let text = uri.queryParameters["limit"] else { return 100 }
        guard let value = Int(String(text)), (1...1000).contains(value) else { throw Problem.invalid("/limit", "expected 1 to 1000") }
        return value
    }

    /// The body, at most 1 MiB: 413 when the declared length is over the limit (nothing is read), or
    /// as soon as a streamed body passes it.
    func jsonBody() async throws -> [UInt8] {
        if let length = headers.firstValue(.contentLength).flatMap(Int.init), length > APILimits.maximumBody { throw Problem.tooLarge }
        // A streamed body past the limit throws NIOTooManyBytesError, which `Problem.answering` makes the 413.
        return Array(buffer: try await body.collect(upTo: APILimits.maximumBody))
    }
}
