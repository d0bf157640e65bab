import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTelemetry
import Hummingbird

/// `POST /v1/broadcasts`, `GET /v1/broadcasts/{id}`, `POST /v1/broadcasts/{id}/cancel`.
struct BroadcastRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.post("/v1/broadcasts") { request, context in try await create(request, context: context) }
        router.get("/v1/broadcasts/:id") { request, context in try await show(request, context: context) }
        router.post("/v1/broadcasts/:id/cancel") { request, context in try await cancel(request, context: context) }
    }

    struct Accepted: Encodable {
        var id: String
        var total: Int
        /// Queued already `suppressed`: the suppression list rules out their recipients.
        var suppressed: Int
    }

    struct DryRun: Encodable {
        var dry_run = true
        var total: Int
        var by_locale: [String: Int]
        var by_channel: [String: Int]
        var overlong_sms: Int
        var suppressed: Int
        /// Channels a service they depend on holds back now, with why.
        var held_back: [String: String]
    }

    struct Cancelled: Encodable {
        var id: String
        var cancelled: Int
    }

    func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        return try await services.idempotentPost(request, context: context) { body in
            let broadcast = try BroadcastBody(json: body)
            let notice = try broadcast.notice.request()
            let audience = try Audience(broadcast.audience)
            defer { audience.spool?.remove() }
            do {
                if broadcast.dryRun {
                    let report = try await audience.dryRun(notice, intake: services.intake)
                    return try JSONBody.response(
                        .ok, DryRun(
                            total: report.total, by_locale: report.byLocale, by_channel: report.byChannel, overlong_sms: report.overlongSMS,
                            suppressed: report.suppressed, held_back: report.heldBack
                        )
                    )
                }
                let receipt = try await audience.broadcast(notice, intake: services.intake, trace: request.headers.traceHeaders)
                return try JSONBody.response(.accepted, Accepted(id: receipt.id, total: receipt.total, suppressed: receipt.suppressed))
            } catch let error as IntakeError {
                throw Problem.from(error, recipients: audience.pointer)
            }
        }
    }

    func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let id = try context.parameters.require("id")
        do {
            return try JSONBody.response(.ok, try await services.operatorDesk.status(broadcast: id))
        } catch let error as OperatorError {
            throw Problem.from(error)
        }
    }

    func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        let id = try context.parameters.require("id")
        let outcome: OperatorDesk.Cancelled
        do {
            outcome = try await services.operatorDesk.cancel(id, reason: "cancelled through the API", kinds: [.notice])
        } catch let error as OperatorError {
            throw Problem.from(error)
        }
        guard case .notice(_, let cancelled) = outcome else { throw Problem.notFound("no broadcast with id '\(id)'") }
        return try JSONBody.response(.ok, Cancelled(id: id, cancelled: cancelled))
    }

    /// Who a broadcast goes to: a stored segment, every stored recipient, or recipients inline (spooled
    /// to a JSON Lines file so they are validated like an audience file).
    struct Audience {
        var segment: String?
        var spool: RecipientSpool?

        init(_ audience: BroadcastBody.Audience) throws(Problem) {
            let given = [audience.segment != nil, audience.all == true, audience.recipients != nil].filter { $0 }.count
            guard given == 1 else { throw Problem.invalid("/audience", "give exactly one of segment, all: true, or recipients") }
            segment = audience.segment
            if let recipients = audience.recipients {
                guard !recipients.isEmpty else { throw Problem.invalid("/audience/recipients", "must not be empty") }
                do { spool = try RecipientSpool(values: recipients) } catch {
                    throw Problem(status: .internalServerError, slug: "internal", title: "Internal error", detail: "cannot spool the recipients")
                }
            }
        }

        var pointer: RecipientPointer { spool == nil ? .segment : .array("/audience/recipients") }

        func broadcast(_ notice: NoticeRequest, intake: NoticeIntake, trace: TraceHeaders) async throws -> NoticeIntake.Receipt {
            if let spool { return try await intake.broadcast(notice, audienceFile: spool.path, format: .jsonLines, trace: trace) }
            return try await intake.broadcast(notice, segment: segment, trace: trace)
        }

        func dryRun(_ notice: NoticeRequest, intake: NoticeIntake) async throws -> DryRunReport {
            if let spool { return try await intake.dryRun(notice, audienceFile: spool.path, format: .jsonLines) }
            return try await intake.dryRun(notice, segment: segment)
        }
    }
}
