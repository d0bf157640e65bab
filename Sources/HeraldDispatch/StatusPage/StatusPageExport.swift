import Foundation
import HeraldCore

/// Writes the status page as static files, for hosting that does not share fate with the platform:
/// `index.html` and `index.ko.html`, `incidents/ID.html` and `incidents/ID.ko.html`, `status.json`,
/// `feed.atom` — the pages `herald serve` answers, linking to each other by relative paths, so they
/// work opened from disk too.
///
/// Everything is written to a fresh folder beside the target, which then takes the target's place
/// by rename: a reader sees the old pages or the new ones, never half of them.
public struct StatusPageExport: Sendable {
    let settings: StatusPageSettings
    let renderer: StatusPageRenderer

    /// - Parameter subscribeURL: where the pages' subscription form posts (`HeraldConfiguration.subscribeURL`).
    public init(settings: StatusPageSettings, timeZone: TimeZone, subscribeURL: String? = nil) {
        self.settings = settings
        self.renderer = StatusPageRenderer(timeZone: timeZone, links: .exported, subscribeURL: subscribeURL)
    }

    /// Writes the pages for `incidents` (all of them, open and resolved) into `directory`.
    /// - Returns: how many files were written.
    @discardableResult
    public func write(incidents: [Incident], now: Date, to directory: String) throws -> Int {
        let board = StatusBoard(settings: settings, incidents: incidents, now: now)
        var files: [(String, [UInt8])] = [("status.json", try board.json()), ("feed.atom", Array(renderer.feed(board).utf8))]
        for language in StatusPageRenderer.Language.allCases {
            files.append(("index\(language.fileSuffix).html", Array(renderer.page(board, language: language).utf8)))
            for entry in board.open + board.resolved where entry.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                files.append(("incidents/\(entry.id)\(language.fileSuffix).html", Array(renderer.incident(entry, board: board, language: language).utf8)))
            }
        }
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).new-\(UUID().uuidString)")
        let manager = FileManager.default
        try manager.createDirectory(at: staging.appendingPathComponent("incidents"), withIntermediateDirectories: true)
        do {
            for (name, bytes) in files {
                try Data(bytes).write(to: staging.appendingPathComponent(name))
            }
            try Self.replace(target, with: staging)
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
        return files.count
    }

    /// Puts `staging` where `target` is: a rename when there is none, else the old folder is renamed
    /// aside first and removed after.
    static func replace(_ target: URL, with staging: URL) throws {
        guard FileManager.default.fileExists(atPath: target.path) else {
            guard rename(staging.path, target.path) == 0 else { throw ExportError(path: target.path, errno: errno) }
            return
        }
        let old = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).old-\(UUID().uuidString)")
        guard rename(target.path, old.path) == 0 else { throw ExportError(path: target.path, errno: errno) }
        guard rename(staging.path, target.path) == 0 else {
            let failure = ExportError(path: target.path, errno: errno)
            _ = rename(old.path, target.path)
            throw failure
        }
        try? FileManager.default.removeItem(at: old)
    }

    /// A folder that could not be put in place.
    public struct ExportError: Error, CustomStringConvertible {
        public var path: String
        public var errno: Int32
        public var description: String { "cannot write the status page to \(path): \(String(cString: strerror(errno)))" }
    }
}
