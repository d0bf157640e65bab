import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `POST /v1/messages`, `GET /v1/messages/{id}`, `POST /v1/messages/{id}/retry`, `POST /v1/messages/{id}/cancel`.
struct MessageRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.post("/v1/messages") { request, context in try await send(request, context: context) }
        router.get("/v1/messages/:id") { request, context in try await show(request, context: context) }
        router.post("/v1/messages/:id/retry") { request, context in try await retry(request, context: context) }
        router.post("/v1/messages/:id/cancel") { request, context in try await cancel(request, context: context) }
    }

    /// `202 {"id": …, "state": "queued"}` (or `"suppressed"`, when the suppression list rules the
    /// recipient out), written straight into the buffer: it answers every single send.
    static func accepted(id: String, suppressed: Bool = false) -> Response {
        var json = ByteBuffer()
        json.reserveCapacity(id.utf8.count + 32)
        json.writeStaticString(#"{"id":"#)
        json.writeString(TemplateValue.string(id).jsonText)
        json.writeStaticString(suppressed ? #","state":"suppressed"}"# : #","state":"queued"}"#)
        return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: json))
    }

    func send(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        return try await services.idempotentPost(request, context: context) { body in
            let send = try SendBody(json: body)
            let notice = try send.notice.request()
            let recipient = try send.recipient()
            do {
                let receipt = try await services.intake.send(notice, to: recipient, trace: request.headers.traceHeaders)
                return Self.accepted(id: receipt.id, suppressed: receipt.suppressed > 0)
            } catch let error as IntakeError {
                throw Problem.from(error, recipients: .single)
            }
        }
    }

    func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let id = try context.parameters.require("id")
        guard let detail = try await services.store.message(id: id) else { throw Problem.notFound("no message with id '\(id)'") }
        return try JSONBody.response(.ok, detail)
    }

    /// Cancels one message that has not gone out (or whose worker died holding it): 200 with its state, else 409.
    func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        let id = try context.parameters.require("id")
        do {
            _ = try await services.operatorDesk.cancel(id, reason: "cancelled through the API", kinds: [.message])
        } catch let error as OperatorError {
            throw Problem.from(error)
        }
        return try JSONBody.response(.ok, ["id": id, "state": MessageState.cancelled.rawValue])
    }

    func retry(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        let id = try context.parameters.require("id")
        guard try await services.store.message(id: id) != nil else { throw Problem.notFound("no message with id '\(id)'") }
        guard try await !services.operatorDesk.retry(messageIDs: [id]).isEmpty else {
            throw Problem(
                status: .conflict, slug: "not-retryable", title: "Not retryable",
                detail: "message '\(id)' is not failed, expired or cancelled; only those can be retried"
            )
        }
        return Self.accepted(id: id)
    }
}
