import Foundation
import HeraldCore

/// Writes recipients arriving as a JSON array or as JSON Lines to a temporary JSON Lines file, one
/// object per line, as the bytes stream in: an upload of any size needs one object in memory at a
/// time, and the audience reader then validates the rows (naming the index and field of a bad one).
final class RecipientSpool {
    /// The largest single recipient object.
    static let maximumObject = 64 << 10

    let path: String
    private let handle: FileHandle
    private var splitter = JSONObjectSplitter()
    private(set) var count = 0

    init() throws {
        path = NSTemporaryDirectory() + "herald-recipients-" + UUID().uuidString + ".jsonl"
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// Spools recipients given as JSON values (inline in a request).
    convenience init(values: [TemplateValue]) throws {
        try self.init()
        let encoder = JSONEncoder()
        for value in values { try write(Array(try encoder.encode(value))) }
        try finish()
    }

    /// Feeds the next bytes of an upload.
    func feed(_ bytes: some Sequence<UInt8>) throws(Problem) {
        var objects: [[UInt8]] = []
        do {
            try splitter.feed(bytes) { objects.append($0) }
        } catch {
            throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: error.description)
        }
        for object in objects {
            do { try write(object) } catch { throw Problem(status: .internalServerError, slug: "internal", title: "Internal error", detail: "cannot spool the upload") }
        }
    }

    /// Checks the upload ended cleanly and flushes the file.
    func finish() throws {
        do {
            try splitter.finish()
        } catch {
            throw Problem(status: .badRequest, slug: "malformed-json", title: "Malformed JSON", detail: error.description)
        }
        try handle.close()
    }

    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    private func write(_ object: [UInt8]) throws {
        count += 1
        try handle.write(contentsOf: object.map { $0 == 10 || $0 == 13 ? 32 : $0 } + [10])
    }
}

/// Splits a stream of bytes holding JSON objects — a JSON array of objects, or one object per line —
/// into the bytes of each top-level object, tracking strings and nesting so any split point works.
struct JSONObjectSplitter {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private var current: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var sawArrayStart = false
    private var sawArrayEnd = false
    private var sawObject = false
    private var offset = 0

    mutating func feed(_ bytes: some Sequence<UInt8>, emit: ([UInt8]) -> Void) throws(Malformed) {
        for byte in bytes {
            offset += 1
            if depth > 0 {
                current.append(byte)
                guard current.count <= RecipientSpool.maximumObject else { throw Malformed(description: "an object near byte \(offset) is over 64 KiB") }
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        emit(current)
                        current.removeAll(keepingCapacity: true)
                    }
                default: break
                }
                continue
            }
            switch byte {
            case 32, 9, 10, 13, UInt8(ascii: ","):
                continue
            case UInt8(ascii: "[") where !sawArrayStart && !sawObject:
                sawArrayStart = true
            case UInt8(ascii: "]") where sawArrayStart && !sawArrayEnd:
                sawArrayEnd = true
            case UInt8(ascii: "{") where !sawArrayEnd:
                sawObject = true
                depth = 1
                current = [byte]
            default:
                throw Malformed(description: "expected a recipient object at byte \(offset)")
            }
        }
    }

    /// Throws when the input stopped inside an object or an unclosed array.
    func finish() throws(Malformed) {
        if depth > 0 { throw Malformed(description: "the body ends inside an object") }
        if sawArrayStart && !sawArrayEnd { throw Malformed(description: "the body ends before the array's closing ]") }
    }
}
