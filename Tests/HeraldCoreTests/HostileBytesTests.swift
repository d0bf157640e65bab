import Foundation
import HeraldCore
import Testing

/// The readers that take bytes from outside — the JSON reader (API bodies, `--vars` files), the
/// audience reader (CSV and JSON Lines) and the template loader — fed thousands of mutated inputs
/// from fixed seeds: each must end in a value or its own error, never trap, hang or take memory
/// without bound. Repeatable, in every test run; `scripts/fuzz` runs libFuzzer on the first two
/// (the template loader needs Mustache and Yams, which that build does not compile).
@Suite("Hostile bytes")
final class HostileBytesTests {
    private var folders: [String] = []

    deinit {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// SplitMix64: the same seed gives the same inputs on every machine.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes that break parsers: quotes, braces, separators, escapes, a BOM, invalid UTF-8, NUL.
    static let interesting: [[UInt8]] = [
        [0x22], [0x7B], [0x7D], [0x5B], [0x5D], [0x2C], [0x3A], [0x5C], [0x0A], [0x0D], [0x00], [0xEF, 0xBB, 0xBF], [0xC3], [0xFF],
        [0xED, 0xA0, 0x80], Array("\\u".utf8), Array("\\ud800".utf8), Array("{{".utf8), Array("}}".utf8), Array("{{#".utf8), Array("{{/".utf8),
        Array("1e999999".utf8), Array("-0.".utf8), Array(String(repeating: "[", count: 300).utf8),
    ]

    static func mutate(_ seed: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty && position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1 where position < bytes.count: bytes.remove(at: position)
            case 2: bytes.insert(contentsOf: interesting.randomElement(using: &random)!, at: position)
            case 3: bytes = Array(bytes.prefix(position))
            default:
                let start = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + 16)], at: position)
            }
        }
        return bytes
    }

    static let jsonSeeds: [String] = [
        #"{"template":"outage-apology","to":{"email":"kim@example.kr"},"vars":{"service":"메신저","n":[1,2.5,-3e2,true,null]}}"#,
        #"{"audience":{"recipients":[{"id":"u1","segments":["a","b"]}]},"dry_run":false,"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#,
        "[[[[{}]]]]", "123456789012345678901234567890", #""""#,
    ]

    @Test func theJSONReaderEndsInAValueOrASyntaxError() {
        var random = SeededGenerator(state: 0x4845_5241_4C44)
        for round in 0..<6_000 {
            let input = Self.mutate(Array(Self.jsonSeeds[round % Self.jsonSeeds.count].utf8), using: &random)
            do {
                let value = try JSONReader.parse(input)
                // What it reads survives a round trip: encoded again and read back, it is the same value.
                let encoded = try JSONEncoder().encode(value)
                #expect(try JSONReader.parse(Array(encoded)) == value, "\(String(decoding: input, as: UTF8.self))")
            } catch let error as JSONSyntaxError {
                #expect(error.offset >= 0 && error.offset <= input.count, "the error points into the input")
            } catch {
                Issue.record("neither a value nor a syntax error: \(error)")
            }
        }
    }

    static let audienceSeeds: [(String, String)] = [
        ("csv", "id,name,locale,email,phone,webhook,segments\nu1,\"Kim, \"\"H\"\"\",ko,kim@example.kr,010-1234-5678,,a;b\nu2,Lee,en,lee@example.com,,https://hooks.example.com/x,\n"),
        ("jsonl", #"{"id":"u1","name":"김하늘","email":"kim@example.kr","segments":["a"]}"# + "\n" + #"{"id":"u2","webhook":"https://hooks.example.com/h"}"# + "\n"),
    ]

    @Test func theAudienceReaderEndsEveryFileInRecipientsOrLineErrors() throws {
        var random = SeededGenerator(state: 0xA0D1_E11C_E000)
        let folder = NSTemporaryDirectory() + "herald-hostile-" + UUID().uuidString
        folders.append(folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for round in 0..<1_500 {
            let (ext, seed) = Self.audienceSeeds[round % Self.audienceSeeds.count]
            let path = "\(folder)/\(round).\(ext)"
            _ = FileManager.default.createFile(atPath: path, contents: Data(Self.mutate(Array(seed.utf8), using: &random)))
            var rows = 0
            do {
                var reader = try AudienceReader(path: path)
                while let row = try reader.next() {
                    rows += 1
                    #expect(!row.recipient.id.isEmpty && !row.recipient.id.contains("\n"))
                    #expect(row.recipient.contacts.webhook.map { (try? HTTPDestination($0)) != nil } ?? true, "a webhook it accepts can be used")
                    if rows > 10 { break }
                }
            } catch {
                #expect(error.line >= 0 && error.file == path, "the error names the file: \(error)")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    static let templateSeed = "---\nsubject: \"{{service}} — {{#recipient.name}}{{recipient.name}}{{/recipient.name}}\"\n---\n{{^incident}}no{{/incident}} {{service}} {{{raw}}} {{! note }}\n"

    @Test func theTemplateLoaderEndsEveryPartInATemplateOrAFileError() throws {
        var random = SeededGenerator(state: 0x7E3D_1A7E)
        let folder = NSTemporaryDirectory() + "herald-hostile-templates-" + UUID().uuidString
        folders.append(folder)
        try FileManager.default.createDirectory(atPath: "\(folder)/notice", withIntermediateDirectories: true)
        try "default_locale: en\nvariables: [service]\n".write(toFile: "\(folder)/notice/template.yaml", atomically: true, encoding: .utf8)
        for _ in 0..<1_500 {
            let bytes = Self.mutate(Array(Self.templateSeed.utf8), using: &random)
            _ = FileManager.default.createFile(atPath: "\(folder)/notice/email.en.mustache", contents: Data(bytes))
            do {
                let library = try TemplateLibrary(folder: folder)
                let context = RenderContext(vars: ["service": "Pay"], recipient: Recipient(id: "u1", name: "Kim"), noticeID: "n", now: Date(timeIntervalSince1970: 0))
                _ = try? library.render("notice", locale: nil, context: context)
            } catch {
                #expect(!"\(error)".contains("ParserError") && !"\(error)".contains("Context("), "plain: \(error)")
            }
        }
    }
}
