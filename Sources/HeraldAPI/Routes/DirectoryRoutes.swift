import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Hummingbird

/// `PUT /v1/recipients` (bulk upsert, streamed) and `GET /v1/recipients?segment=S`.
struct DirectoryRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.put("/v1/recipients") { request, context in try await upsert(request, context: context) }
        router.get("/v1/recipients") { request, context in try await list(request, context: context) }
    }

    struct Upserted: Encodable {
        var upserted: Int
    }

    /// The body (a JSON array or JSON Lines) is spooled to a temporary file as it arrives, then every
    /// row is validated and written in one transaction: a bad row names its index and field, and nothing
    /// is kept.
    func upsert(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.admin)
        if let length = request.headers.firstValue(.contentLength).flatMap(Int.init), length > APILimits.maximumRecipientUpload {
            throw Problem(status: .contentTooLarge, slug: "too-large", title: "Content too large", detail: "recipient uploads are limited to 1 GiB")
        }
        let spool = try RecipientSpool()
        defer { spool.remove() }
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            guard received <= APILimits.maximumRecipientUpload else {
                throw Problem(status: .contentTooLarge, slug: "too-large", title: "Content too large", detail: "recipient uploads are limited to 1 GiB")
            }
            try spool.feed(chunk.readableBytesView)
        }
        try spool.finish()
        do {
            let count = try await RecipientImport(store: services.store, clock: services.clock).importFile(spool.path, format: .jsonLines)
            return try JSONBody.response(.ok, Upserted(upserted: count))
        } catch let error as IntakeError {
            throw Problem.from(error, recipients: .array(""))
        }
    }

    struct Page: Encodable {
        var recipients: [Row]
        /// Pass as `after` for the next page; absent on the last page.
        var next: String?

        struct Row: Encodable {
            var id: String
            var name: String
            var locale: String?
            var email: String?
            var phone: String?
            var webhook: String?
            var segments: [String]
        }
    }

    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let query = request.uri.queryParameters
        let limit = try request.pageLimit()
        let recipients = try await services.store.recipients(
            segment: query["segment"].map(String.init), after: query["after"].map(String.init), limit: limit
        )
        let rows = recipients.map {
            Page.Row(
                id: $0.id, name: $0.name, locale: $0.locale, email: $0.contacts.email, phone: $0.contacts.phone, webhook: $0.contacts.webhook,
                segments: $0.segments
            )
        }
        return try JSONBody.response(.ok, Page(recipients: rows, next: rows.count == limit ? rows.last?.id : nil))
    }
}
