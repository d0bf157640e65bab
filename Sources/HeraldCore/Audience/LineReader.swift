import Foundation

/// Streams the lines of a file in fixed-size chunks.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 0

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next line (without its line break) and its 1-based number, or `nil` at the end.
    mutating func next() throws -> (line: Int, text: String)? {
        var bytes: [UInt8] = []
        while true {
            if position == buffer.count {
                if atEnd { break }
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty {
                    atEnd = true
                    break
                }
                buffer = Array(chunk)
                position = 0
            }
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                bytes += buffer[position..<newline]
                position = newline + 1
                line += 1
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                return (line, String(decoding: bytes, as: UTF8.self))
            }
            bytes += buffer[position...]
            position = buffer.count
        }
        guard !bytes.isEmpty else { return nil }
        line += 1
        return (line, String(decoding: bytes, as: UTF8.self))
    }
}
