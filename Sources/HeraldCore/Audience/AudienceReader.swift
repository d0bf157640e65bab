import Foundation

/// Streams recipients from an audience file — CSV with the header `id,name,locale,email,phone,webhook,segments`
/// (columns in any order, `segments` separated by `;`) or JSON Lines with the same keys — validating
/// every row. Memory stays flat whatever the file size.
///
/// ```swift
/// var reader = try AudienceReader(path: "audience.csv")
/// while let (line, recipient) = try reader.next() { … }
/// ```
public struct AudienceReader {
    public enum Format: Sendable { case csv, jsonLines }

    /// The columns a CSV audience may have; `id` is required.
    public static let columns = AudienceColumn.allCases.map(\.name)

    private let path: String
    private var source: Source
    private var seenIDs: [Int: Int] = [:]

    private enum Source {
        /// `slots[i]` is the `AudienceRow` slot of the file's column `i`.
        case csv(CSVRecordReader, slots: [Int])
        case jsonLines(LineReader)
    }

    /// Opens the file; `.jsonl`/`.ndjson` files are JSON Lines, anything else CSV.
    /// - Throws: `AudienceError` when the file cannot be read or the CSV header is wrong.
    public init(path: String, format: Format? = nil) throws(AudienceError) {
        self.path = path
        let format = format ?? ((path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")) ? .jsonLines : .csv)
        do {
            switch format {
            case .jsonLines:
                source = .jsonLines(try LineReader(path: path))
            case .csv:
                var reader = try CSVRecordReader(path: path)
                guard let header = try reader.next() else { throw AudienceError(file: path, line: 1, reason: "the file is empty; expected a header row") }
                var slots: [Int] = []
                for name in header.fields {
                    let column = name.trimmingCharacters(in: .whitespaces).lowercased()
                    guard let slot = Self.columns.firstIndex(of: column) else {
                        throw AudienceError(file: path, line: header.line, field: column, reason: "unknown column (expected \(Self.columns.joined(separator: ",")))")
                    }
                    guard !slots.contains(slot) else { throw AudienceError(file: path, line: header.line, field: column, reason: "duplicate column") }
                    slots.append(slot)
                }
                guard slots.contains(0) else { throw AudienceError(file: path, line: header.line, field: "id", reason: "the header has no id column") }
                source = .csv(reader, slots: slots)
            }
        } catch let error as AudienceError {
            throw error
        } catch let error as CSVRecordReader.Malformed {
            throw AudienceError(file: path, line: error.line, field: error.fieldIndex.map { "column \($0 + 1)" }, reason: error.reason)
        } catch {
            throw AudienceError(file: path, line: 0, reason: "cannot read the file (\(error.localizedDescription))")
        }
    }

    /// The next valid recipient with its line, or `nil` at the end.
    /// - Throws: `AudienceError` naming the line and field of the first bad row.
    public mutating func next() throws(AudienceError) -> (line: Int, recipient: Recipient)? {
        let row: (line: Int, fields: AudienceRow)
        do {
            switch source {
            case .csv(var reader, let slots):
                // The reader moved past the record even when it refused it, so the next call reads the next one.
                defer { source = .csv(reader, slots: slots) }
                guard let record = try reader.next() else { return nil }
                guard record.fields.count == slots.count else {
                    throw AudienceError(file: path, line: record.line, reason: "expected \(slots.count) fields, found \(record.fields.count)")
                }
                var fields = AudienceRow()
                for (index, slot) in slots.enumerated() { fields.values[slot] = record.fields[index].trimmingSpaces }
                row = (record.line, fields)
            case .jsonLines(var reader):
                defer { source = .jsonLines(reader) }
                var next: (line: Int, text: String)?
                repeat { next = try reader.next() } while next.map { $0.text.allSatisfy(\.isWhitespace) } ?? false
                guard let next else { return nil }
                row = (next.line, try JSONLinesRow.fields(next.text, file: path, line: next.line))
            }
        } catch let error as AudienceError {
            throw error
        } catch let error as CSVRecordReader.Malformed {
            throw AudienceError(file: path, line: error.line, field: columnName(error.fieldIndex), reason: error.reason)
        } catch let error as LineReader.Unreadable {
            throw AudienceError(file: path, line: error.line, reason: error.reason)
        } catch {
            throw AudienceError(file: path, line: 0, reason: "cannot read the file (\(error.localizedDescription))")
        }
        let recipient = try RecipientValidator.recipient(from: row.fields, file: path, line: row.line)
        var hasher = Hasher()
        hasher.combine(recipient.id)
        let key = hasher.finalize()
        if let earlier = seenIDs.updateValue(row.line, forKey: key) {
            throw AudienceError(file: path, line: row.line, field: "id", reason: "id '\(recipient.id)' already appeared on line \(earlier)")
        }
        return (row.line, recipient)
    }
}

extension AudienceReader {
    /// The header name of a CSV field by its position in the file.
    fileprivate func columnName(_ index: Int?) -> String? {
        guard let index, case .csv(_, let slots) = source, slots.indices.contains(index) else { return nil }
        return Self.columns[slots[index]]
    }
}

/// The columns of an audience file, in their canonical order.
public enum AudienceColumn: Int, CaseIterable, Sendable {
    case id, name, locale, email, phone, webhook, segments

    /// The header name (and JSON Lines key).
    public var name: String { "\(self)" }
}

/// One audience row's fields, in `AudienceColumn` order; `nil` or empty when absent.
public struct AudienceRow: Sendable {
    public var values: [String?] = Array(repeating: nil, count: AudienceColumn.allCases.count)

    public init() {}

    /// The non-empty value of a column.
    public subscript(column: AudienceColumn) -> String? {
        guard let text = values[column.rawValue], !text.isEmpty else { return nil }
        return text
    }
}

/// Builds a `Recipient` from a row's fields, checking each one.
public enum RecipientValidator {
    /// The fields with a format, and their checks.
    private static let checks: [(AudienceColumn, @Sendable (String) -> String?)] = [
        (.email, ContactValidator.emailProblem), (.phone, ContactValidator.phoneProblem),
        (.webhook, ContactValidator.webhookProblem), (.locale, ContactValidator.localeProblem),
    ]

    /// The longest value of a recipient field, in characters (`webhook` has `HTTPDestination.maximumLength`).
    public static let maximumFieldLength = 256

    /// The one recipient of a single send (`herald send --to`, `POST /v1/messages`), checked as an
    /// audience row is: contact points, lengths, line breaks. The id defaults to the first contact point.
    /// - Throws: `AudienceError` with line 0 and the field at fault (`email`, `name`, …).
    public static func single(id: String?, name: String, locale: String?, contacts: ContactPoints) throws(AudienceError) -> Recipient {
        var row = AudienceRow()
        row.values[AudienceColumn.id.rawValue] = id ?? contacts.email ?? contacts.phone ?? contacts.webhook
        row.values[AudienceColumn.name.rawValue] = name
        row.values[AudienceColumn.locale.rawValue] = locale
        row.values[AudienceColumn.email.rawValue] = contacts.email
        row.values[AudienceColumn.phone.rawValue] = contacts.phone
        row.values[AudienceColumn.webhook.rawValue] = contacts.webhook
        guard contacts.email != nil || contacts.phone != nil || contacts.webhook != nil else {
            throw AudienceError(file: "", line: 0, field: "to", reason: "give at least one of email, phone or webhook")
        }
        return try recipient(from: row, file: "", line: 0)
    }

    public static func recipient(from fields: AudienceRow, file: String, line: Int) throws(AudienceError) -> Recipient {
        guard let id = fields[.id] else { throw AudienceError(file: file, line: line, field: "id", reason: "is empty") }
        for column in AudienceColumn.allCases where column != .webhook {
            if let text = fields[column], text.utf8.count > maximumFieldLength, text.count > maximumFieldLength {
                throw AudienceError(file: file, line: line, field: column.name, reason: "is longer than \(maximumFieldLength) characters")
            }
        }
        for (column, problem) in checks {
            if let text = fields[column], let reason = problem(text) { throw AudienceError(file: file, line: line, field: column.name, reason: reason) }
        }
        if id.utf8.contains(where: { $0 == 10 || $0 == 13 }) { throw AudienceError(file: file, line: line, field: "id", reason: "cannot contain line breaks") }
        let segments = (fields[.segments] ?? "").split(separator: ";").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        var name = fields[.name] ?? ""
        if name.utf8.contains(where: { $0 == 10 || $0 == 13 }) {
            name = name.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        }
        return Recipient(
            id: id,
            name: name,
            locale: fields[.locale],
            contacts: ContactPoints(email: fields[.email], phone: fields[.phone], webhook: fields[.webhook]),
            segments: segments
        )
    }
}

/// One JSON Lines row as the same string fields a CSV row has.
enum JSONLinesRow {
    static func fields(_ text: String, file: String, line: Int) throws(AudienceError) -> AudienceRow {
        let object: [String: TemplateValue]
        do {
            guard let decoded = try JSONDecoder().decode(TemplateValue.self, from: Data(text.utf8)).objectValue else {
                throw AudienceError(file: file, line: line, reason: "expected a JSON object")
            }
            object = decoded
        } catch let error as AudienceError {
            throw error
        } catch {
            throw AudienceError(file: file, line: line, reason: "not valid JSON")
        }
        var fields = AudienceRow()
        for (key, value) in object {
            guard let slot = AudienceReader.columns.firstIndex(of: key) else {
                throw AudienceError(file: file, line: line, field: key, reason: "unknown key (expected \(AudienceReader.columns.joined(separator: ", ")))")
            }
            switch value {
            case .string(let s): fields.values[slot] = s
            case .number: fields.values[slot] = value.text
            case .null: break
            case .list(let items) where key == "segments": fields.values[slot] = items.map(\.text).joined(separator: ";")
            default: throw AudienceError(file: file, line: line, field: key, reason: "expected a string")
            }
        }
        return fields
    }
}

extension String {
    /// Without leading and trailing spaces and tabs. Most fields have none, so that case costs one look at each end.
    var trimmingSpaces: String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        let blank: (UInt8) -> Bool = { $0 == 32 || $0 == 9 }
        guard blank(first) || blank(last) else { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
