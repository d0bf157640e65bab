import HeraldCore

/// Stored recipients one at a time, read a page at a time in id order: what `recipientStream` gives
/// a broadcast, whatever the backend. `fetch` reads the page after a cursor (the last id read).
package final class PagedRecipientStream: RecipientStream {
    package static let pageSize = 2000
    private let fetch: (_ after: String?, _ limit: Int) throws -> [Recipient]
    private var page: ArraySlice<Recipient> = []
    private var cursor: String?
    private var row = 0
    private var exhausted = false

    package init(fetch: @escaping (_ after: String?, _ limit: Int) throws -> [Recipient]) {
        self.fetch = fetch
    }

    package func next() throws -> (line: Int, recipient: Recipient)? {
        if page.isEmpty, !exhausted {
            let fetched = try fetch(cursor, Self.pageSize)
            exhausted = fetched.count < Self.pageSize
            cursor = fetched.last?.id
            page = fetched[...]
        }
        guard let recipient = page.popFirst() else { return nil }
        row += 1
        return (row, recipient)
    }
}
