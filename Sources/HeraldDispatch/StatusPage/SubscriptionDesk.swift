import Foundation
import HeraldCore
import HeraldStore

/// E-mail subscriptions to the status page, with double opt-in: the form asks for a confirmation
/// e-mail (`request`), and only the signed, expiring link in it adds the address to
/// `status_page.segment` (`confirm`). A subscriber is a recipient of their own, with the id
/// `recipientID(email:)` and only that segment, so leaving (`ConsentDesk.unsubscribe`) removes them whole.
///
/// ```swift
/// let desk = SubscriptionDesk(store: store, intake: intake, configuration: config, clock: SystemWallClock())
/// try await desk.request(try desk.address("jane@example.com"), language: .ko)
/// ```
public struct SubscriptionDesk: Sendable {
    let store: any RecipientDirectory & SuppressionList
    let intake: NoticeIntake
    let configuration: HeraldConfiguration
    let clock: any WallClock

    /// The shipped template of the confirmation e-mail.
    public static let template = "subscription-confirm"

    public init(store: any RecipientDirectory & SuppressionList, intake: NoticeIntake, configuration: HeraldConfiguration, clock: any WallClock) {
        self.store = store
        self.intake = intake
        self.configuration = configuration
        self.clock = clock
    }

    /// The id a page subscriber is stored under.
    public static func recipientID(email: String) -> String { "status-page:\(email)" }

    /// What following a confirmation link did.
    public enum Confirmation: Sendable, Hashable {
        /// The address is in the segment now (or already was).
        case subscribed(SubscriptionToken)
        /// The link is genuine but too old: nothing changed.
        case expired(SubscriptionToken)
    }

    /// What the form's `email` field names, in normal form.
    /// - Throws: `IntakeError.invalidField("email", …)` for anything that is not an e-mail address.
    public func address(_ text: String) throws(IntakeError) -> ContactPoint {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let problem = ContactValidator.emailProblem(text) { throw .invalidField("email", reason: problem) }
        return .email(text)
    }

    /// Queues the confirmation e-mail to `contact` (from `address(_:)`), through the e-mail channels
    /// only, in `language`. It is `essential` (a person who once unsubscribed can come back), supersedes
    /// an unsent earlier one for the same address, and expires with its link.
    public func request(_ contact: ContactPoint, language: StatusPageRenderer.Language) async throws {
        guard let base = configuration.subscribeURL, let key = configuration.unsubscribe?.key, let settings = configuration.statusPage else {
            throw IntakeError.invalidField("status_page.segment", reason: "subscriptions are not configured")
        }
        let token = SubscriptionToken(email: contact.value, language: language.rawValue, expiresAt: clock.now() + SubscriptionToken.lifetime)
        let request = NoticeRequest(
            template: Self.template,
            vars: ["confirm_url": .string("\(base)/\(token.signed(with: key))"), "page_title": .string(settings.title)],
            locale: language.rawValue, route: configuration.subscriptionRoute, priority: .high,
            collapseKey: "subscribe:\(contact.value)", expiresIn: .seconds(SubscriptionToken.lifetime)
        )
        let recipient = Recipient(id: Self.recipientID(email: contact.value), locale: language.rawValue, contacts: ContactPoints(email: contact.value))
        _ = try await intake.send(request, to: recipient)
    }

    /// Follows a confirmation link: a genuine, unexpired token adds its address to `status_page.segment`
    /// and lifts an earlier `unsubscribed` (following the link is consent again; bounces and complaints stay).
    /// - Returns: `nil` when the token is forged, altered or subscriptions are off.
    public func confirm(token text: Substring) async throws -> Confirmation? {
        guard let key = configuration.unsubscribe?.key, let segment = configuration.statusPage?.segment,
            let token = SubscriptionToken.verify(text, with: key)
        else { return nil }
        guard !token.isExpired(at: clock.now()) else { return .expired(token) }
        let subscriber = Recipient(
            id: Self.recipientID(email: token.email), locale: token.language, contacts: ContactPoints(email: token.email), segments: [segment]
        )
        _ = try await store.upsertRecipients(ArrayBatchSource([subscriber]), now: clock.now())
        try await store.unsuppress(.email(token.email), reasons: [.unsubscribed])
        return .subscribed(token)
    }
}
