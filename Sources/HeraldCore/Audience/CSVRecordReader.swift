import Foundation

/// Streams RFC 4180 records from a file in fixed-size chunks, so memory stays flat for any file size.
/// Quoted fields may contain commas, doubled quotes and line breaks; `\r\n` and `\n` both end records.
public struct CSVRecordReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// The line the next record starts on (1-based).
    public private(set) var line = 1

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next record with the line it started on, or `nil` at the end of the file.
    /// - Throws: `CSVRecordReader.Malformed` for an unterminated quote or text after a closing quote.
    public mutating func next() throws -> (line: Int, fields: [String])? {
        // Skip blank lines between records.
        while let byte = try peek(), byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            if byte == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }
        guard try peek() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quotedField = false
        while true {
            guard let byte = try peek() else {
                if inQuotes { throw Malformed(line: startLine, reason: "a quoted field is not closed") }
                fields.append(String(decoding: field, as: UTF8.self))
                return (startLine, fields)
            }
            position += 1
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if try peek() == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                quotedField = false
            case UInt8(ascii: "\n"):
                line += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return (startLine, fields)
            case UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\""):
                guard field.isEmpty, !quotedField else { throw Malformed(line: line, reason: "a quote inside an unquoted field") }
                inQuotes = true
                quotedField = true
            default:
                if quotedField { throw Malformed(line: line, reason: "text after a closing quote") }
                field.append(byte)
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
        return buffer[0]
    }

    /// A record that breaks RFC 4180.
    public struct Malformed: Error, Sendable {
        public var line: Int
        public var reason: String
    }
}
