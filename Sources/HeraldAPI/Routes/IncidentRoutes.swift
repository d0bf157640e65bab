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
    struct NotifyBody: Decodable {
        var template: String
        var vars: [String: TemplateValue]?
        var priority: Priority?

        var notify: IncidentDesk.Notify { .init(template: template, vars: vars ?? [:], priority: priority ?? .high) }
    }

    struct OpenBody: Decodable {
        var title: String
        /// `{"Messenger": "outage", "Mail": "degraded"}`, kept in the order given.
        var services: ServiceStatuses
        var segment: String?
        var note: String?
        var notify: NotifyBody?
    }

    struct UpdateBody: Decodable {
        var services: ServiceStatuses?
        var note: String?
        var resolve: Bool?
        var notify: NotifyBody?
    }

    /// An object of service name → status, in document order.
    struct ServiceStatuses: Decodable {
        var list: [Incident.Service]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: NamedCodingKey.self)
            list = try container.allKeys.map { key in
                Incident.Service(name: key.stringValue, status: try container.decode(Incident.ServiceStatus.self, forKey: key))
            }
        }
    }

    struct Changed: Encodable {
        var incident: Incident
        var broadcast_id: String?
    }

    func open(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        return try await services.idempotentPost(request, context: context) { body in
            let open = try JSONBody.decode(OpenBody.self, from: body)
            let outcome = try await perform(pointerBase: "/notify") {
                try await desk.open(title: open.title, services: open.services.list, segment: open.segment, note: open.note, notify: open.notify?.notify)
            }
            return try JSONBody.response(.created, Changed(incident: outcome.incident, broadcast_id: outcome.broadcast?.id))
        }
    }

    func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        let id = try context.parameters.require("id")
        let update = try JSONBody.decode(UpdateBody.self, from: try await request.jsonBody())
        guard update.services != nil || update.note != nil || update.resolve == true else {
            throw Problem.invalid("/", "give services, note or resolve: true")
        }
        let outcome = try await perform(pointerBase: "/notify") {
            try await desk.update(id: id, services: update.services?.list ?? [], note: update.note, resolve: update.resolve == true, notify: update.notify?.notify)
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
    private func perform(pointerBase: String, _ body: () async throws -> IncidentDesk.Outcome) async throws -> IncidentDesk.Outcome {
        do {
            return try await body()
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
