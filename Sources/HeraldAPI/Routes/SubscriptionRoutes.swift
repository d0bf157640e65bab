import Foundation
import HeraldCore
import HeraldDispatch
import Hummingbird

/// The status page's e-mail subscriptions, answered without a bearer token when `status_page.segment`
/// is set: the form (`POST /status/subscribe`) and the e-mailed confirmation link
/// (`GET` and `POST /status/subscribe/{token}`).
///
/// Besides `PublicRateLimit`, the form is limited to `formsPerAddress` per client address per 10
/// minutes (429), and each e-mail address gets at most `mailsPerRecipient` confirmations an hour, from
/// anyone: past that the form answers as usual and sends nothing, so no one can flood a mailbox.
struct SubscriptionRoutes {
    let services: APIServices
    let formsFromClient: RateWindows
    let mailsToAddress: RateWindows

    static let formsPerAddress = 5
    static let mailsPerRecipient = 3

    init(services: APIServices) {
        self.services = services
        formsFromClient = RateWindows(limit: Self.formsPerAddress, window: 600, clock: services.clock)
        mailsToAddress = RateWindows(limit: Self.mailsPerRecipient, window: 3600, clock: services.clock)
    }

    func register(on router: Router<APIRequestContext>) {
        router.post("/status/subscribe") { request, context in try await subscribe(request, context: context) }
        router.get("/status/subscribe/:token") { request, context in try await confirmPage(request, context: context) }
        router.post("/status/subscribe/:token") { request, context in try await confirm(request, context: context) }
    }

    /// The form: `email` and `lang`, `application/x-www-form-urlencoded`.
    func subscribe(_ request: Request, context: APIRequestContext) async throws -> Response {
        let title = try pageTitle()
        if let retryAfter = formsFromClient.admit(context.clientAddress) { throw formsFromClient.problem(retryAfter: retryAfter, per: "address") }
        guard let fields = FormBody.parse(try await request.jsonBody()) else {
            throw Problem(status: .badRequest, slug: "malformed-form", title: "Malformed form", detail: "the body is not application/x-www-form-urlencoded")
        }
        let field = { (name: String) in fields.first { $0.name == name }?.value }
        let desk = services.subscriptionDesk
        let contact: ContactPoint
        do { contact = try desk.address(field("email") ?? "") } catch { throw Problem.from(error, recipients: .single) }
        let language = field("lang").flatMap(PublicPage.Language.init(rawValue:)) ?? PublicPage.language(request)
        if mailsToAddress.admit(contact.value) == nil {
            try await desk.request(contact, language: language)
        }
        return SubscriptionPage.requested(contact, title: title, language: language)
    }

    /// The e-mailed link, opened: a confirm page; changes nothing.
    func confirmPage(_ request: Request, context: APIRequestContext) async throws -> Response {
        let title = try pageTitle()
        let language = PublicPage.language(request)
        guard let key = services.configuration.unsubscribe?.key,
            let token = SubscriptionToken.verify(Substring(try context.parameters.require("token")), with: key)
        else { throw Self.unknownLink }
        if token.isExpired(at: services.clock.now()) { return SubscriptionPage.expired(language: language) }
        return SubscriptionPage.confirm(token, title: title, language: language)
    }

    /// The confirm page's button: the address joins `status_page.segment`.
    func confirm(_ request: Request, context: APIRequestContext) async throws -> Response {
        let title = try pageTitle()
        _ = try await request.jsonBody()  // read (at most 1 MiB) and dropped
        guard let confirmation = try await services.subscriptionDesk.confirm(token: Substring(try context.parameters.require("token"))) else {
            throw Self.unknownLink
        }
        return SubscriptionPage.answer(confirmation, title: title, language: PublicPage.language(request))
    }

    /// The page's title, when subscriptions are on.
    private func pageTitle() throws -> String {
        guard services.configuration.subscribeURL != nil, let settings = services.configuration.statusPage else {
            throw Problem.notFound("the status page takes no subscriptions (status_page.segment, http.public_url and unsubscribe.secret in the configuration)")
        }
        return settings.title
    }

    static let unknownLink = Problem.notFound("this confirmation link is not valid")
}
