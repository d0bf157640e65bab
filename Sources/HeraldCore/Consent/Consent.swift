/// What the suppression list says about the recipients of one notice: the suppressed contact points
/// among theirs, and the notice's category. Route planning consults it at accept and again just
/// before sending.
public struct Consent: Sendable, Hashable {
    /// The template's category (`essential` ignores unsubscribes).
    public var category: String
    /// Reasons by contact point; contact points that are not suppressed are absent.
    public var suppressed: [ContactPoint: Set<SuppressionReason>]

    public init(category: String, suppressed: [ContactPoint: Set<SuppressionReason>] = [:]) {
        self.category = category
        self.suppressed = suppressed
    }

    /// The same consent with stored suppressions added.
    public init(category: String, suppressions: [Suppression]) {
        self.init(category: category)
        add(suppressions.map { ($0.contact, $0.reason) })
    }

    /// Nothing suppressed.
    public static let unrestricted = Consent(category: NoticeCategory.updates)

    /// Adds what a delivery just learned, so the rest of the route is planned with it.
    public mutating func add(_ entries: some Sequence<(ContactPoint, SuppressionReason)>) {
        for (contact, reason) in entries { suppressed[contact, default: []].insert(reason) }
    }

    /// The reason that keeps a notice of this category from `contact`, if any: one that ends the
    /// message first, else the first by kind.
    public func block(_ contact: ContactPoint) -> SuppressionReason? {
        guard let reasons = suppressed[contact] else { return nil }
        let applying = reasons.filter { $0.applies(to: category) }.sorted()
        return applying.first(where: \.endsMessage) ?? applying.first
    }
}
