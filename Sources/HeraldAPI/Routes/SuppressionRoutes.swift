import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `GET /v1/suppressions`, `POST /v1/suppressions`, `DELETE /v1/suppressions/{contact}`: the
/// suppression list, through the same `ConsentDesk` as `herald suppress`.
struct SuppressionRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/suppressions") { request, context in try await list(request, context: context) }
        router.post("/v1/suppressions") { request, context in try await add(request, context: context) }
        router.delete("/v1/suppressions/:contact") { request, context in try await remove(request, context: context) }
    }

    struct Page: Encodable {
        var suppressions: [Suppression]
        /// Pass as `after` for the next page; absent on the last page.
        var next: String?
    }

    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let after = request.uri.queryParameters["after"].map(String.init)
        let page = try await services.consentDesk.list(after: after, limit: try request.pageLimit())
        return try JSONBody.response(.ok, Page(suppressions: page.entries, next: page.next))
    }

    struct Added: Encodable {
        var added: Int
        var total: Int
    }

    /// One `{contact, reason?, detail?}` or an array of them (at most 10,000): all are added, or none
    /// when one is bad (each bad one named by its pointer).
    func add(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.send)
        let value = try JSONBody.value(from: try await request.jsonBody())
        let items: [(TemplateValue, String)]
        switch value {
        case .list(let list):
            guard (1...10_000).contains(list.count) else { throw Problem.invalid("/", "expected 1 to 10,000 suppressions") }
            items = list.enumerated().map { ($1, "/\($0)") }
        default: items = [(value, "")]
        }
        var inputs: [SuppressionInput] = []
        for (item, pointer) in items {
            let fields = try JSONFields(item, at: pointer, allowed: ["contact", "reason", "detail"])
            inputs.append(
                SuppressionInput(
                    contact: try fields.requiredString("contact"), reason: try fields.string("reason"), detail: try fields.string("detail"),
                    location: fields.pointer(to: "contact")
                )
            )
        }
        let desk = services.consentDesk
        do {
            let entries = try desk.entries(inputs, source: "api")
            return try JSONBody.response(.ok, Added(added: try await desk.add(entries), total: entries.count))
        } catch let error as SuppressionInputError {
            throw Problem.invalid(error.problems.map(\.location), error.problems.map(\.reason).joined(separator: "; "), slug: "validation")
        }
    }

    struct Removed: Encodable {
        var contact: String
        var removed: Int
    }

    /// Lifts every reason of one contact point (percent-encoded in the path); admin only, since it
    /// overrides what a person or a receiver said.
    func remove(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.admin)
        let text = try context.parameters.require("contact").removingPercentEncoding ?? ""
        let desk = services.consentDesk
        let contact: ContactPoint
        do { contact = try desk.contactPoint(text) } catch { throw Problem.invalid("/contact", error.description) }
        let removed = try await desk.remove(contact.value)
        guard removed > 0 else { throw Problem.notFound("\(contact) is not on the suppression list") }
        return try JSONBody.response(.ok, Removed(contact: contact.value, removed: removed))
    }
}
