import HeraldCore

/// Stored recipients in id order, one page per batch, numbered from 1: what `recipientStream` gives a
/// broadcast, whatever the backend. `fetch` reads the page after a cursor (the last id read).
package final class PagedRecipients: BatchSource {
    private let fetch: (_ after: String?, _ limit: Int) async throws -> [Recipient]
    private var cursor: String?
    private var row = 0
    private var exhausted = false

    package init(fetch: @escaping (_ after: String?, _ limit: Int) async throws -> [Recipient]) {
        self.fetch = fetch
    }

    package func nextBatch(limit: Int) async throws -> [AudienceEntry]? {
        guard !exhausted else { return nil }
        let page = try await fetch(cursor, limit)
        exhausted = page.count < limit
        cursor = page.last?.id
        guard !page.isEmpty else { return nil }
        defer { row += page.count }
        return page.enumerated().map { AudienceEntry(line: row + $0.offset + 1, recipient: .success($0.element)) }
    }
}
