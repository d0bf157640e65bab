import Foundation

/// Streams the lines of a file in fixed-size chunks. A UTF-8 byte order mark at the start is skipped;
/// a line that is not UTF-8 or longer than `maximumLineBytes` is read to its end and then refused.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 0

    /// The longest line kept; longer ones are refused without being held in memory.
    static let maximumLineBytes = 1 << 20

    /// A line that cannot be read as text.
    struct Unreadable: Error {
        var line: Int
        var reason: String
    }

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next line (without its line break) and its 1-based number, or `nil` at the end.
    mutating func next() throws -> (line: Int, text: String)? {
        var bytes: [UInt8] = []
        var overlong = false
        func take(_ slice: ArraySlice<UInt8>) {
            if bytes.count + slice.count > Self.maximumLineBytes { overlong = true } else { bytes += slice }
        }
        while true {
            if position == buffer.count {
                if atEnd { break }
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty {
                    atEnd = true
                    break
                }
                buffer = Array(chunk)
                position = line == 0 && bytes.isEmpty && buffer.starts(with: UTF8BOM.bytes) ? UTF8BOM.bytes.count : 0
            }
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                take(buffer[position..<newline])
                position = newline + 1
                return try finish(bytes, overlong: overlong)
            }
            take(buffer[position...])
            position = buffer.count
        }
        guard !bytes.isEmpty || overlong else { return nil }
        return try finish(bytes, overlong: overlong)
    }

    private mutating func finish(_ line: [UInt8], overlong: Bool) throws(Unreadable) -> (line: Int, text: String) {
        self.line += 1
        if overlong { throw Unreadable(line: self.line, reason: "the line is longer than \(Self.maximumLineBytes) bytes") }
        let bytes = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Unreadable(line: self.line, reason: UTF8BOM.notUTF8) }
        return (self.line, text)
    }
}
