/// One person or system a notice goes to.
public struct Recipient: Sendable, Hashable, Codable {
    /// Caller-chosen stable id (the audience file's `id` column).
    public var id: String
    /// Display name; empty when unknown.
    public var name: String
    /// Preferred locale such as `ko` or `en`; `nil` lets the template default decide.
    public var locale: String?
    /// Where the recipient can be reached.
    public var contacts: ContactPoints
    /// Segments the recipient belongs to (for `--segment` audiences).
    public var segments: [String]

    public init(id: String, name: String = "", locale: String? = nil, contacts: ContactPoints = .init(), segments: [String] = []) {
        self.id = id
        self.name = name
        self.locale = locale
        self.contacts = contacts
        self.segments = segments
    }
}

/// The contact points of a recipient; each channel kind needs one of them (see `ChannelKind.contact`).
public struct ContactPoints: Sendable, Hashable, Codable {
    public var email: String?
    public var phone: String?
    public var webhook: String?

    public init(email: String? = nil, phone: String? = nil, webhook: String? = nil) {
        self.email = email
        self.phone = phone
        self.webhook = webhook
    }

    /// The value for one kind of contact, if the recipient has it.
    public subscript(kind: ContactKind) -> String? {
        switch kind {
        case .email: email
        case .phone: phone
        case .webhook: webhook
        }
    }
}

/// The kinds of contact point a recipient can have; also the prefixes of `herald send --to`.
public enum ContactKind: String, Sendable, CaseIterable {
    case email
    case phone
    case webhook
}
