import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `POST /v1/incidents`, `PATCH /v1/incidents/{id}`, `GET /v1/incidents[/{id}]`.
struct IncidentRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.post("/v1/incidents") { request, context in try await open(request, context: context) }
        router.patch("/v1/incidents/:id") { request, context in try await update(request, context: context) }
        router.get("/v1/incidents") { request, context in try await list(request, context: context) }
        router.get("/v1/incidents/:id") { request, context in try await show(request, context: context) }
    }

    /// `{"template": "status-update", "vars": {…}, "priority": "high"}`.
    static func notify(_ fields: JSONFields) throws(Problem) -> IncidentDesk.Notify? {
        guard let notify = try fields.object("notify", allowed: ["template", "vars", "priority"]) else { return nil }
        return IncidentDesk.Notify(
            template: try notify.requiredString("template"), vars: try notify.object("vars", allowed: nil)?.members ?? [:],
            priority: try notify.choice("priority", of: Priority.self) ?? .high
        )
    }

    /// `{"Messenger": "outage", "Mail": "degraded"}` as services, each status checked by name.
    static func services(_ fields: JSONFields, required: Bool) throws(Problem) -> [Incident.Service]? {
        guard let object = required ? try fields.requiredObject("services", allowed: nil) : try fields.object("services", allowed: nil) else {
            return nil
        }
        var services: [Incident.Service] = []
        for name in object.members.keys.sorted() {
            guard let status = try object.choice(name, of: Incident.ServiceStatus.self) else { continue }
            services.append(Incident.Service(name: name, status: status))
        }
        return services
    }

    struct OpenBody {
        var title: String
        var services: [Incident.Service]
        var segment: String?
        var note: String?
        var notify: IncidentDesk.Notify?

        init(json bytes: [UInt8]) throws(Problem) {
            let fields = try JSONBody.object(from: bytes, allowed: ["title", "services", "segment", "note", "notify"])
            title = try fields.requiredString("title")
            services = try IncidentRoutes.services(fields, required: true) ?? []
            segment = try fields.string("segment")
            note = try fields.string("note")
            notify = try IncidentRoutes.notify(fields)
        }
    }

    struct UpdateBody {
        var services: [Incident.Service]?
        var note: String?
        var resolve: Bool?
        var notify: IncidentDesk.Notify?

        init(json bytes: [UInt8]) throws(Problem) {
            let fields = try JSONBody.object(from: bytes, allowed: ["services", "note", "resolve", "notify"])
            services = try IncidentRoutes.services(fields, required: false)
            note = try fields.string("note")
            resolve = try fields.bool("resolve")
            notify = try IncidentRoutes.notify(fields)
        }
    }

    struct Changed: Encodable {
        var incident: Incident
        var broadcast_id: String?
    }

    func open(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        return try await services.idempotentPost(request, context: context) { body in
            let open = try OpenBody(json: body)
            let outcome = try await perform(pointerBase: "/notify", context: context) {
                try await desk.open(title: open.title, services: open.services, segment: open.segment, note: open.note, notify: open.notify)
            }
            return try JSONBody.response(.created, Changed(incident: outcome.incident, broadcast_id: outcome.broadcast?.id))
        }
    }

    func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        let id = try context.parameters.require("id")
        let update = try UpdateBody(json: try await request.jsonBody())
        guard update.services != nil || update.note != nil || update.resolve == true else {
            throw Problem.invalid("/", "give services, note or resolve: true")
        }
        let outcome = try await perform(pointerBase: "/notify", context: context) {
            try await desk.update(id: id, services: update.services ?? [], note: update.note, resolve: update.resolve == true, notify: update.notify)
        }
        return try JSONBody.response(.ok, Changed(incident: outcome.incident, broadcast_id: outcome.broadcast?.id))
    }

    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let openOnly = request.uri.queryParameters["state"] == "open"
        return try JSONBody.response(.ok, try await services.store.incidents(openOnly: openOnly))
    }

    func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let id = try context.parameters.require("id")
        guard let incident = try await services.store.incident(id: id) else { throw Problem.notFound("no incident with id '\(id)'") }
        return try JSONBody.response(.ok, incident)
    }

    private var desk: IncidentDesk { IncidentDesk(store: services.store, intake: services.intake, clock: services.clock) }

    /// Maps incident and intake errors to problems; template problems point into `notify`.
    /// A status page that could not be exported again is logged; the change stands either way.
    private func perform(
        pointerBase: String, context: APIRequestContext, _ body: () async throws -> IncidentDesk.Outcome
    ) async throws -> IncidentDesk.Outcome {
        do {
            let outcome = try await body()
            if let problem = outcome.exportProblem { context.logger.warning("status page not exported: \(problem)") }
            return outcome
        } catch let error as IncidentError {
            switch error {
            case .notFound: throw Problem.notFound(error.description)
            case .alreadyResolved: throw Problem(status: .conflict, slug: "incident-resolved", title: "Incident resolved", detail: error.description)
            }
        } catch let error as IntakeError {
            var problem = Problem.from(error, recipients: .segment)
            problem.errors = problem.errors.map { field in
                guard field.pointer.hasPrefix("/vars") || field.pointer == "/template" else { return field }
                return Problem.FieldError(pointer: pointerBase + field.pointer, detail: field.detail)
            }
            throw problem
        }
    }
}
