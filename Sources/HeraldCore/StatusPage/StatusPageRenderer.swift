import Foundation
import Mustache

/// Renders the public status page from a `StatusBoard`: the page (`/status`), one incident's timeline
/// (`/status/incidents/{id}`) and the Atom feed, through Mustache templates (every value escaped), in
/// English or Korean, with times in the configured zone. Plain HTML and CSS: it works with scripts off
/// and fits a 390-pixel-wide phone; statuses are words with a symbol, never colour alone.
public struct StatusPageRenderer: Sendable {
    /// The page's languages.
    public enum Language: String, Sendable, CaseIterable {
        case en, ko

        /// What an exported file of this language ends with before `.html`: nothing for English.
        public var fileSuffix: String { self == .en ? "" : ".\(rawValue)" }

        /// `?lang=` when it names one, else the first language of `Accept-Language` that is one, else English.
        public static func pick(query: String?, acceptLanguage: String?) -> Language {
            if let query, let language = Language(rawValue: query.lowercased()) { return language }
            for item in (acceptLanguage ?? "").split(separator: ",") {
                let tag = item.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                if let language = Language(rawValue: String(tag.prefix(2))) { return language }
            }
            return .en
        }
    }

    /// How the pages link to each other: as `herald serve` answers them, or as exported files.
    public enum Links: Sendable {
        /// `/status?lang=ko`, `/status/incidents/ID?lang=ko`, `/status.json`, `/status/feed.atom`.
        case served
        /// `index.html` / `index.ko.html`, `incidents/ID.html` / `incidents/ID.ko.html`, `status.json`, `feed.atom`.
        case exported

        func page(_ language: Language, root: String) -> String {
            switch self {
            case .served: "\(root)status?lang=\(language.rawValue)"
            case .exported: "\(root)index\(language.fileSuffix).html"
            }
        }

        func incident(_ id: String, _ language: Language, root: String) -> String {
            switch self {
            case .served: "\(root)status/incidents/\(id)?lang=\(language.rawValue)"
            case .exported: "\(root)incidents/\(id)\(language.fileSuffix).html"
            }
        }

        func json(root: String) -> String { "\(root)status.json" }

        func feed(root: String) -> String {
            switch self {
            case .served: "\(root)status/feed.atom"
            case .exported: "\(root)feed.atom"
            }
        }

        /// From an incident's page back to the top.
        var incidentRoot: String {
            switch self {
            case .served: "../../"
            case .exported: "../"
            }
        }
    }

    public let timeZone: TimeZone
    public let links: Links
    /// Where the page's e-mail subscription form posts (`HeraldConfiguration.subscribeURL`); no form when `nil`.
    public let subscribeURL: String?

    public init(timeZone: TimeZone, links: Links = .served, subscribeURL: String? = nil) {
        self.timeZone = timeZone
        self.links = links
        self.subscribeURL = subscribeURL
    }

    /// `/status`.
    public func page(_ board: StatusBoard, language: Language) -> String {
        var context = common(board, language: language, root: "")
        context["en_link"] = links.page(.en, root: "")
        context["ko_link"] = links.page(.ko, root: "")
        context["services"] = board.services.map { service(name: $0.name, status: $0.status, language: language) }
        context["open"] = board.open.map { entry($0, language: language, root: "") }
        context["resolved"] = board.resolved.map { entry($0, language: language, root: "") }
        context["has_open"] = !board.open.isEmpty
        context["has_resolved"] = !board.resolved.isEmpty
        let impaired = board.services.contains { $0.status != "operational" } || !board.open.isEmpty
        context["overall"] = words(language)[impaired ? "overall_impaired" : "overall_ok"]
        context["overall_class"] = impaired ? "impaired" : "ok"
        if let subscribeURL { context["subscribe_url"] = subscribeURL }
        return Self.pageTemplate.render(context)
    }

    /// `/status/incidents/{id}`.
    public func incident(_ entry: StatusBoard.Entry, board: StatusBoard, language: Language) -> String {
        let root = links.incidentRoot
        var context = common(board, language: language, root: root)
        context["incident"] = self.entry(entry, language: language, root: root)
        context["home_link"] = links.page(language, root: root)
        context["en_link"] = links.incident(entry.id, .en, root: root)
        context["ko_link"] = links.incident(entry.id, .ko, root: root)
        return Self.incidentTemplate.render(context)
    }

    /// `/status/feed.atom`: one entry per step of every incident's timeline, newest first (RFC 4287).
    public func feed(_ board: StatusBoard) -> String {
        var updates: [(at: Date, context: [String: Any])] = []
        for incident in board.open + board.resolved {
            for (index, update) in incident.updates.enumerated() {
                let changes = update.changes.map { "\($0.name): \($0.status)" }.joined(separator: ", ")
                let context: [String: Any] = [
                    "id": "urn:herald:incident:\(incident.id):\(incident.updates.count - index)",
                    "title": changes.isEmpty ? incident.title : "\(incident.title) — \(changes)",
                    "updated": Self.iso8601(update.at), "summary": update.note ?? changes,
                ]
                updates.append((update.at, context))
            }
        }
        updates.sort { $0.at > $1.at }
        let context: [String: Any] = [
            "title": board.title, "updated": Self.iso8601(updates.first?.at ?? Date(timeIntervalSince1970: 0)), "entries": updates.map(\.context),
        ]
        return Self.feedTemplate.render(context)
    }

    private func common(_ board: StatusBoard, language: Language, root: String) -> [String: Any] {
        var context: [String: Any] = words(language)
        context["lang"] = language.rawValue
        context["title"] = board.title
        context["json_link"] = links.json(root: root)
        context["feed_link"] = links.feed(root: root)
        if let updatedAt = board.updatedAt { context["updated"] = LocalizedValues.time(updatedAt, locale: language.rawValue, timeZone: timeZone) }
        return context
    }

    private func service(name: String, status: String, language: Language) -> [String: Any] {
        let known = Incident.ServiceStatus(rawValue: status)
        let word = known.map { LocalizedValues.word($0, locale: language.rawValue) } ?? words(language)["operational"] ?? status
        let symbol =
            switch known {
            case .outage: "✕"
            case .degraded, .recovering: "!"
            case .restored, nil: "✓"
            }
        return ["name": name, "status": status, "word": word, "symbol": symbol]
    }

    /// An incident for the templates; absent keys (no note, not resolved) are falsy in sections.
    private func entry(_ entry: StatusBoard.Entry, language: Language, root: String) -> [String: Any] {
        var context: [String: Any] = [
            "id": entry.id, "title": entry.title, "resolved": entry.state == "resolved",
            "link": links.incident(entry.id, language, root: root),
            "opened": LocalizedValues.time(entry.openedAt, locale: language.rawValue, timeZone: timeZone),
            "services": entry.services.map { service(name: $0.name, status: $0.status, language: language) },
            "updates": entry.updates.map { update -> [String: Any] in
                var step: [String: Any] = [
                    "at": LocalizedValues.time(update.at, locale: language.rawValue, timeZone: timeZone),
                    "changes": update.changes.map { service(name: $0.name, status: $0.status, language: language) },
                ]
                if let note = update.note, !note.isEmpty { step["note"] = note }
                return step
            },
        ]
        if let resolvedAt = entry.resolvedAt { context["resolved_at"] = LocalizedValues.time(resolvedAt, locale: language.rawValue, timeZone: timeZone) }
        return context
    }

    private func words(_ language: Language) -> [String: Any] {
        switch language {
        case .en:
            [
                "overall_ok": "All services are working", "overall_impaired": "Some services are not working normally",
                "operational": "working", "services_label": "Services", "open_label": "Current incidents",
                "resolved_label": "Resolved in the last 14 days", "updated_label": "Updated", "opened_label": "Started",
                "resolved_at_label": "Resolved", "timeline_label": "Timeline", "back_label": "All services", "none_label": "No incidents.",
                "subscribe_label": "Get updates by e-mail", "email_label": "E-mail address", "subscribe_button": "Subscribe",
                "subscribe_note": "We send a link to confirm; nothing else until you follow it.",
            ]
        case .ko:
            [
                "overall_ok": "모든 서비스가 정상입니다", "overall_impaired": "일부 서비스에 문제가 있습니다",
                "operational": "정상", "services_label": "서비스", "open_label": "진행 중인 장애",
                "resolved_label": "최근 14일간 해결된 장애", "updated_label": "업데이트", "opened_label": "시작",
                "resolved_at_label": "해결", "timeline_label": "경과", "back_label": "전체 서비스", "none_label": "장애가 없습니다.",
                "subscribe_label": "이메일로 소식 받기", "email_label": "이메일 주소", "subscribe_button": "구독",
                "subscribe_note": "확인 링크를 보내 드립니다. 링크를 누르기 전에는 다른 메일을 보내지 않습니다.",
            ]
        }
    }

    static func iso8601(_ date: Date) -> String { RenderContext.timestamp(date) }

    // The templates are constants of this file; a test renders each, so a mistake fails the build's tests, not a request.
    static let pageTemplate = try! MustacheTemplate(string: StatusPageTemplates.page)
    static let incidentTemplate = try! MustacheTemplate(string: StatusPageTemplates.incident)
    static let feedTemplate = try! MustacheTemplate(string: StatusPageTemplates.feed)
}
