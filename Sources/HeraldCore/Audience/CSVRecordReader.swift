import Foundation

/// Streams RFC 4180 records from a file in fixed-size chunks, so memory stays flat for any file size.
/// Quoted fields may contain commas, doubled quotes and line breaks; `\r\n` and `\n` both end records.
/// A UTF-8 byte order mark at the start is skipped. A record that is not UTF-8, or has a field over
/// `maximumFieldBytes`, is read to its end and then refused, so the next call reads the next record.
public struct CSVRecordReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var atStart = true
    /// The line the next record starts on (1-based).
    public private(set) var line = 1

    /// The longest field kept; longer ones are refused without being held in memory.
    public static let maximumFieldBytes = 64 * 1024

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next record with the line it started on, or `nil` at the end of the file.
    /// - Throws: `CSVRecordReader.Malformed` for an unterminated quote, text after a closing quote, a
    ///   quote inside an unquoted field, bytes that are not UTF-8, or an overlong field.
    public mutating func next() throws -> (line: Int, fields: [String])? {
        // Skip blank lines between records.
        while let byte = try peek(), byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            if byte == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }
        guard try peek() != nil else { return nil }
        let startLine = line
        var record = RecordBuilder()
        var inQuotes = false
        var quotedField = false
        while true {
            guard let byte = try peek() else {
                if inQuotes { throw Malformed(line: startLine, reason: "a quoted field is not closed") }
                return (startLine, try record.finish(line: startLine))
            }
            position += 1
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if try peek() == UInt8(ascii: "\"") {
                        record.append(byte)
                        position += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    record.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                record.endField()
                quotedField = false
            case UInt8(ascii: "\n"):
                line += 1
                return (startLine, try record.finish(line: startLine))
            case UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\""):
                if !record.fieldIsEmpty || quotedField {
                    record.fail("a quote inside an unquoted field (quote the whole field and double the quote)")
                    record.append(byte)
                } else {
                    inQuotes = true
                    quotedField = true
                }
            default:
                if quotedField { record.fail("text after a closing quote") }
                record.append(byte)
            }
        }
    }

    private mutating func peek() throws -> UInt8? {
        if position < buffer.count { return buffer[position] }
        if atEnd { return nil }
        let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
        if chunk.isEmpty {
            atEnd = true
            return nil
        }
        buffer = Array(chunk)
        position = 0
        if atStart {
            atStart = false
            if buffer.starts(with: UTF8BOM.bytes) { position = UTF8BOM.bytes.count }
            if position == buffer.count { return try peek() }
        }
        return buffer[position]
    }

    /// A record that breaks RFC 4180 or cannot be used.
    public struct Malformed: Error, Sendable {
        public var line: Int
        public var reason: String
        /// The 0-based index of the field at fault, when one is.
        public var fieldIndex: Int?
    }

    /// One record's fields as they arrive; the first problem is kept and reported once the record ends.
    private struct RecordBuilder {
        var fields: [String] = []
        var field: [UInt8] = []
        var problem: (reason: String, fieldIndex: Int?)?

        var fieldIsEmpty: Bool { field.isEmpty }

        mutating func append(_ byte: UInt8) {
            guard field.count < CSVRecordReader.maximumFieldBytes else {
                if problem == nil { problem = ("a field is longer than \(CSVRecordReader.maximumFieldBytes) bytes", fields.count) }
                return
            }
            field.append(byte)
        }

        mutating func fail(_ reason: String) {
            if problem == nil { problem = (reason, nil) }
        }

        mutating func endField() {
            if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                if problem == nil { problem = (UTF8BOM.notUTF8, fields.count) }
                fields.append("")
            }
            field.removeAll(keepingCapacity: true)
        }

        mutating func finish(line: Int) throws(Malformed) -> [String] {
            endField()
            if let problem { throw Malformed(line: line, reason: problem.reason, fieldIndex: problem.fieldIndex) }
            return fields
        }
    }
}

/// The UTF-8 byte order mark that spreadsheet exports put first, and what an audience file that is not UTF-8 is told.
enum UTF8BOM {
    static let bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let notUTF8 = "is not UTF-8 text (save the file as UTF-8; a CP949 or Latin-1 export is not)"
}
