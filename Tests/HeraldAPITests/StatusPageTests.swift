import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The public status page: answered without a token, in English or Korean, escaped, cached with an
/// ETag, and never showing a recipient.
@Suite("API: the public status page", .hangGuard)
struct StatusPageTests {
    static let settings = StatusPageSettings(title: "Example <Status>", services: ["Messenger", "Mail", "Maps"])

    /// A harness with an open incident (Messenger down, Mail degraded, a note with markup), one
    /// resolved yesterday and one resolved a month ago, and a stored recipient.
    func harness() async throws -> (APIHarness, open: Incident) {
        let harness = try APIHarness(statusPage: Self.settings)
        let now = harness.clock.now()
        var open = Incident(
            id: "inc_fire", title: "Data-center fire", services: [.init(name: "Messenger", status: .outage), .init(name: "Mail", status: .degraded)],
            segment: nil, note: "Power lost <script>alert(1)</script>", openedAt: now - 3600
        )
        open.apply([.init(name: "Mail", status: .recovering)], note: "Mail is coming back", at: now - 600)
        var yesterday = Incident(id: "inc_dns", title: "DNS trouble", services: [.init(name: "Maps", status: .outage)], segment: nil, note: nil, openedAt: now - 90_000)
        yesterday.resolve(note: "Fixed", at: now - 86_000)
        var old = Incident(id: "inc_old", title: "Old one", services: [.init(name: "Maps", status: .outage)], segment: nil, note: nil, openedAt: now - 40 * 86_400)
        old.resolve(note: nil, at: now - 39 * 86_400)
        for incident in [open, yesterday, old] { try await harness.store.saveNewIncident(incident) }
        _ = try await harness.store.upsertRecipients(
            ArrayBatchSource([Recipient(id: "secret-recipient", name: "Kim", contacts: ContactPoints(email: "kim@example.kr"))]), now: now
        )
        return (harness, open)
    }

    @Test func thePageNeedsNoTokenShowsStatusesInWordsAndEscapesEverything() async throws {
        let (harness, _) = try await harness()
        try await harness.withClient { client in
            let page = try await client.call(.get, "/status", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.text
            #expect(html.contains("<html lang=\"en\">"))
            #expect(html.contains("Example &lt;Status&gt;") && !html.contains("Example <Status>"))
            #expect(html.contains("✕ down"), "statuses are words with a symbol")
            #expect(html.contains("! recovering") && html.contains("✓ working"))
            #expect(html.contains("Power lost &lt;script&gt;") && !html.contains("<script"))
            #expect(html.contains("Data-center fire") && html.contains("DNS trouble") && !html.contains("Old one"), "resolved within 14 days only")
            #expect(html.contains("href=\"status/incidents/inc_fire?lang=en\""))
            #expect(!html.contains("kim@example.kr") && !html.contains("secret-recipient") && !html.contains(APIHarness.ops))

            let korean = try await client.call(.get, "/status", token: nil, headers: [.acceptLanguage: "ko-KR,ko;q=0.9"])
            #expect(korean.text.contains("<html lang=\"ko\">") && korean.text.contains("✕ 장애") && korean.text.contains("(GMT+9)"))
            let chosen = try await client.call(.get, "/status?lang=ko", token: nil, headers: [.acceptLanguage: "en"])
            #expect(chosen.text.contains("<html lang=\"ko\">"))

            let timeline = try await client.call(.get, "/status/incidents/inc_fire", token: nil)
            #expect(timeline.status == .ok)
            #expect(timeline.text.contains("Mail is coming back") && timeline.text.contains("href=\"../../status?lang=en\""))
            #expect(try await client.call(.get, "/status/incidents/nope", token: nil).status == .notFound)
        }
    }

    @Test func answersComeFromMemoryWithAnETagUntilTheBoardIsReadAgain() async throws {
        let (harness, open) = try await harness()
        try await harness.withClient { client in
            let first = try await client.call(.get, "/status", token: nil)
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "public, max-age=5")
            let again = try await client.call(.get, "/status", token: nil, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)

            _ = try await harness.store.changeIncident(id: open.id) { $0.resolve(note: "All back", at: harness.clock.now()) }
            let cached = try await client.call(.get, "/status", token: nil)
            #expect(cached.headers[.eTag] == etag, "served from memory for the cache's lifetime")
            harness.clock.advance(by: .seconds(5))
            let fresh = try await client.call(.get, "/status", token: nil, headers: [.ifNoneMatch: etag])
            #expect(fresh.status == .ok)
            #expect(fresh.headers[.eTag] != etag)
            #expect(fresh.text.contains("All services are working"))
        }
    }

    @Test func theJSONAndTheAtomFeedDescribeTheSameBoard() async throws {
        let (harness, _) = try await harness()
        try await harness.withClient { client in
            let json = try await client.call(.get, "/status.json", token: nil)
            #expect(json.headers[.contentType] == "application/json")
            guard case .list(let services)? = json.json["services"], case .list(let open)? = json.json["open"],
                case .list(let resolved)? = json.json["resolved"]
            else { Issue.record("shape: \(json.text)"); return }
            #expect(services.compactMap { $0.objectValue?["status"] } == ["outage", "recovering", "operational"])
            #expect(open.count == 1 && resolved.count == 1)
            #expect(open.first?.objectValue?["id"] == "inc_fire")
            #expect(!json.text.contains("kim@example.kr"))

            let feed = try await client.call(.get, "/status/feed.atom", token: nil)
            #expect(feed.headers[.contentType] == "application/atom+xml; charset=utf-8")
            let parsed = AtomEntries(Data(feed.text.utf8))
            #expect(parsed.valid, "a real XML parser reads it")
            #expect(parsed.entryIDs.count == 4, "two updates of the fire, two of the DNS incident: \(parsed.entryIDs)")
            #expect(parsed.titles.first == "Example <Status>")
        }
    }

    @Test func withoutAStatusPageThePathsAre404() async throws {
        let harness = try APIHarness()
        let statuses = try await harness.withClient { client in
            [try await client.call(.get, "/status", token: nil).status, try await client.call(.get, "/status.json", token: nil).status]
        }
        #expect(statuses == [.notFound, .notFound])
    }
}

/// The entry ids and titles of an Atom document, read with Foundation's XML parser.
final class AtomEntries: NSObject, XMLParserDelegate {
    private(set) var entryIDs: [String] = []
    private(set) var titles: [String] = []
    private(set) var valid = false
    private var path: [String] = []
    private var text = ""

    init(_ data: Data) {
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        parser.shouldProcessNamespaces = true
        valid = parser.parse()
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if path == ["feed", "entry", "id"] { entryIDs.append(text) }
        if name == "title" { titles.append(text) }
        path.removeLast()
    }
}
