import Foundation
import HeraldCore
import HeraldDispatch
import HTTPTypes
import Hummingbird

/// The public consent endpoints, answered without a bearer token and rate-limited per client address
/// (`PublicRateLimit`): one-click unsubscribe (`GET` and `POST /u/{token}`, RFC 8058) and inbound SMS
/// keywords from Twilio (`POST /inbound/twilio`).
struct ConsentRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.get("/u/:token") { request, context in try confirm(request, context: context) }
        router.post("/u/:token") { request, context in try await unsubscribe(request, context: context) }
        router.post("/inbound/twilio") { request, context in try await inboundTwilio(request, context: context) }
    }

    /// The confirm page; changes nothing (mail scanners fetch links).
    func confirm(_ request: Request, context: APIRequestContext) throws -> Response {
        let token = try context.parameters.require("token")
        guard let key = services.configuration.unsubscribe?.key, let verified = UnsubscribeToken.verify(Substring(token), with: key) else {
            throw Self.unknownLink
        }
        return UnsubscribePage.confirm(verified, language: PublicPage.language(request))
    }

    /// Suppresses the token's contact point: the one-click POST of a mail client
    /// (`List-Unsubscribe=One-Click`) or the confirm page's button. The signature is the authority.
    func unsubscribe(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try await request.jsonBody()  // read (at most 1 MiB) and dropped: RFC 8058 bodies say nothing more
        let token = try context.parameters.require("token")
        guard let done = try await services.consentDesk.unsubscribe(token: Substring(token)) else { throw Self.unknownLink }
        return UnsubscribePage.done(done, language: PublicPage.language(request))
    }

    static let unknownLink = Problem.notFound("this unsubscribe link is not valid")

    /// An SMS to one of the operator's Twilio numbers: STOP / UNSUBSCRIBE / 수신거부 suppress the sender,
    /// START / 수신동의 lift that. Verified with `X-Twilio-Signature` against the auth token of every
    /// `format: twilio` SMS channel, over `http.public_url` + the path Twilio requested.
    func inboundTwilio(_ request: Request, context: APIRequestContext) async throws -> Response {
        let configuration = services.configuration
        let authTokens = configuration.channels.compactMap { channel -> String? in
            guard case .sms(let sms) = channel.transport, sms.format == .twilio else { return nil }
            return sms.token?.value
        }
        guard let base = configuration.http.publicURL, !authTokens.isEmpty else {
            throw Problem.notFound("inbound SMS needs http.public_url and an SMS channel with format: twilio")
        }
        let body = try await request.jsonBody()
        guard let parameters = FormBody.parse(body) else {
            throw Problem(status: .badRequest, slug: "malformed-form", title: "Malformed form", detail: "the body is not application/x-www-form-urlencoded")
        }
        let url = base + request.uri.description
        guard TwilioSignature.isValid(request.headers[HTTPField.Name("X-Twilio-Signature")!], url: url, parameters: parameters, authTokens: authTokens)
        else {
            throw Problem(status: .forbidden, slug: "bad-signature", title: "Forbidden", detail: "X-Twilio-Signature does not match this request")
        }
        let field = { (name: String) in parameters.first { $0.name == name }?.value }
        if let from = field("From"), let text = field("Body") {
            _ = try await services.consentDesk.inboundSMS(from: from, body: text)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#))
        )
    }
}
