import Foundation
import HeraldCore
import Hummingbird

/// JSON in and out: sorted keys, ISO 8601 dates, and decoding errors as 400 problems naming the field.
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

    /// Decodes `bytes`, turning every decoding failure into a problem: malformed JSON is 400, a field of
    /// the wrong type or missing is 422 with its pointer.
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws(Problem) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: "the body is not valid JSON")
            case .keyNotFound(let key, let context):
                throw Problem.invalid(pointer(context.codingPath + [key]), "'\(key.stringValue)' is required")
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                throw Problem.invalid(pointer(context.codingPath), context.debugDescription)
            @unknown default:
                throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: "\(error)")
            }
        } catch {
            throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: "the body is not valid JSON")
        }
    }

    /// The body as a JSON object read field by field (see `JSONFields`); text that is not JSON is a 400.
    static func object(from bytes: [UInt8]) throws(Problem) -> JSONFields {
        let value: TemplateValue
        do { value = try JSONReader.parse(bytes) } catch {
            throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: "the body is not valid JSON: \(error)")
        }
        return try JSONFields(value, at: "")
    }

    /// `/to/email` for a coding path.
    static func pointer(_ path: [any CodingKey]) -> String {
        "/" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
    }
}

extension Request {
    /// The body, at most 1 MiB: 413 when the declared length is over the limit (nothing is read), or
    /// as soon as a streamed body passes it.
    func jsonBody() async throws -> [UInt8] {
        if let length = headers.firstValue(.contentLength).flatMap(Int.init), length > APILimits.maximumBody { throw Problem.tooLarge }
        do {
            return Array(buffer: try await body.collect(upTo: APILimits.maximumBody))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.tooLarge
        }
    }
}
