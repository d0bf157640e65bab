import Foundation
import HeraldCore
import HeraldStore

/// Every change to the suppression list, in one place: `herald suppress`, `/v1/suppressions`, the
/// one-click unsubscribe link and inbound SMS keywords all come through here.
///
/// ```swift
/// let desk = ConsentDesk(store: store, configuration: config, clock: SystemWallClock())
/// try await desk.add("jane@example.com", reason: .manual, source: "cli")
/// ```
public struct ConsentDesk: Sendable {
    let store: any SuppressionList & RecipientDirectory
    let configuration: HeraldConfiguration
    let clock: any WallClock

    public init(store: any SuppressionList & RecipientDirectory, configuration: HeraldConfiguration, clock: any WallClock) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    /// The region phone numbers written without `+` belong to: the first SMS channel's `default_region`.
    var defaultRegion: String? {
        configuration.channels.lazy.compactMap { channel -> String? in
            guard case .sms(let sms) = channel.transport else { return nil }
            return sms.defaultRegion
        }.first
    }

    /// `text` as a contact point (an e-mail address, a phone number, an http(s) URL).
    public func contactPoint(_ text: String) throws(ContactPointError) -> ContactPoint {
        try ContactPoint.parse(text, defaultRegion: defaultRegion)
    }

    /// Suppresses one contact point. - Returns: the entry, and whether it was new (`false`: already listed for that reason).
    @discardableResult
    public func add(_ contact: String, reason: SuppressionReason, source: String, detail: String? = nil) async throws -> (Suppression, added: Bool) {
        let entry = Suppression(contact: try contactPoint(contact), reason: reason, source: source, detail: detail, addedAt: clock.now())
        return (entry, try await store.suppress([entry]) == 1)
    }

    /// Lifts a contact point's suppressions (every reason, or only `reasons`). - Returns: how many were removed.
    public func remove(_ contact: String, reasons: Set<SuppressionReason>? = nil) async throws -> Int {
        try await store.unsuppress(try contactPoint(contact), reasons: reasons)
    }

    /// One page of the list, and the `after` of the next page (`nil` on the last).
    public func list(after: String?, limit: Int) async throws -> (entries: [Suppression], next: String?) {
        let entries = try await store.suppressionList(after: after, limit: limit)
        let contacts = Set(entries.map(\.contact.value))
        return (entries, contacts.count == limit ? entries.last?.contact.value : nil)
    }

    /// Adds every entry at once, or none when one is bad. - Returns: how many were new.
    public func add(_ entries: [Suppression]) async throws -> Int {
        try await store.suppress(entries)
    }

    /// What a one-click unsubscribe (`POST /u/TOKEN`) does: the token's contact point is unsubscribed
    /// from every category but `essential`, and an address subscribed on the status page leaves it
    /// (essential notices to the page's segment stop too: the page was all they signed up for).
    /// - Returns: `nil` when the token is forged, altered or one-click is off.
    public func unsubscribe(token: Substring) async throws -> UnsubscribeToken? {
        guard let key = configuration.unsubscribe?.key, let token = UnsubscribeToken.verify(token, with: key) else { return nil }
        let entry = Suppression(
            contact: token.contact, reason: .unsubscribed, source: "one-click", detail: "from a \(token.category) notice", addedAt: clock.now()
        )
        try await store.suppress([entry])
        if token.contact.kind == .email, configuration.statusPage?.segment != nil {
            try await store.removeRecipient(id: SubscriptionDesk.recipientID(email: token.contact.value))
        }
        return token
    }

    /// What an SMS keyword from `from` does: STOP and its kin unsubscribe the number, START lifts that
    /// (and only that: a number the gateway called invalid stays suppressed). - Returns: the keyword's meaning, `nil` for other text.
    public func inboundSMS(from: String, body: String) async throws -> SMSKeyword? {
        guard let keyword = SMSKeyword(body) else { return nil }
        let contact = ContactPoint.phone(from, defaultRegion: defaultRegion)
        switch keyword {
        case .optOut:
            try await store.suppress([Suppression(contact: contact, reason: .unsubscribed, source: "inbound-sms", detail: body, addedAt: clock.now())])
        case .optIn:
            try await store.unsuppress(contact, reasons: [.unsubscribed])
        }
        return keyword
    }
}

/// An SMS reply that changes consent: the whole message is one keyword, in any case.
public enum SMSKeyword: Sendable, Hashable {
    /// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, 수신거부.
    case optOut
    /// START, UNSTOP, 수신동의.
    case optIn

    static let optOutWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "수신거부"]
    static let optInWords: Set<String> = ["START", "UNSTOP", "수신동의"]

    public init?(_ body: String) {
        let word = body.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
        if Self.optOutWords.contains(word) {
            self = .optOut
        } else if Self.optInWords.contains(word) {
            self = .optIn
        } else {
            return nil
        }
    }
}
