import Foundation
import HeraldCore
import HeraldStore

/// One suppression as an operator wrote it: a contact point, a reason (default `manual`), and where
/// it came from, for errors (`list.txt:12`, `/3/contact`).
public struct SuppressionInput: Sendable {
    public var contact: String
    public var reason: String?
    public var detail: String?
    /// Where the row is: a file and line, or a JSON pointer.
    public var location: String

    public init(contact: String, reason: String? = nil, detail: String? = nil, location: String) {
        self.contact = contact
        self.reason = reason
        self.detail = detail
        self.location = location
    }
}

/// Suppressions that cannot be added, up to 20 named at once; nothing was added.
public struct SuppressionInputError: Error, Sendable, CustomStringConvertible {
    public var problems: [(location: String, reason: String)]
    public var total: Int

    public var description: String {
        let more = total > problems.count ? "\n… and \(total - problems.count) more" : ""
        return problems.map { "\($0.location): \($0.reason)" }.joined(separator: "\n") + more
    }
}

extension ConsentDesk {
    /// Entries for every input, or the problems of the bad ones (up to 20 named).
    public func entries(_ inputs: [SuppressionInput], source: String) throws(SuppressionInputError) -> [Suppression] {
        let now = clock.now()
        var entries: [Suppression] = []
        var problems: [(location: String, reason: String)] = []
        var total = 0
        func problem(_ location: String, _ reason: String) {
            total += 1
            if problems.count < 20 { problems.append((location, reason)) }
        }
        for input in inputs {
            let reason: SuppressionReason
            if let text = input.reason {
                guard let known = SuppressionReason(rawValue: text) else {
                    problem(input.location, "unknown reason '\(text)' (expected \(SuppressionReason.allCases.map(\.rawValue).joined(separator: ", ")))")
                    continue
                }
                reason = known
            } else {
                reason = .manual
            }
            do {
                entries.append(Suppression(contact: try contactPoint(input.contact), reason: reason, source: source, detail: input.detail, addedAt: now))
            } catch {
                problem(input.location, error.description)
            }
        }
        guard problems.isEmpty else { throw SuppressionInputError(problems: problems, total: total) }
        return entries
    }

    /// Reads a suppression file: one contact point per line, optionally `,reason`; blank lines and
    /// lines starting with `#` are skipped. The file is read on the blocking pool.
    /// - Returns: how many entries were new, and how many the file had.
    public func importFile(_ path: String) async throws -> (added: Int, total: Int) {
        let text = try await BlockingWork.run { () throws(SuppressionInputError) -> String in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SuppressionInputError(problems: [(path, "cannot read the file")], total: 1)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw SuppressionInputError(problems: [(path, "is not UTF-8 text")], total: 1)
            }
            return text
        }
        var inputs: [SuppressionInput] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines.union(["\u{FEFF}"]))
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let fields = trimmed.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            inputs.append(SuppressionInput(contact: fields[0], reason: fields.count > 1 ? fields[1] : nil, location: "\(path):\(index + 1)"))
        }
        let entries = try entries(inputs, source: "import")
        return (try await add(entries), entries.count)
    }
}
