import Foundation
@testable import HeraldCore
import Testing

@Suite("JSON reader")
struct JSONReaderTests {
    func parse(_ text: String) throws -> TemplateValue {
        try JSONReader.parse(Array(text.utf8))
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"s":"text","n":-12.5e1,"z":0,"t":true,"f":false,"nil":null,"list":[1,"two",[]],"o":{}} "#)
        #expect(
            value == [
                "s": "text", "n": .number(-125), "z": .number(0), "t": .bool(true), "f": .bool(false), "nil": .null,
                "list": .list([.number(1), "two", .list([])]), "o": .object([:]),
            ]
        )
    }

    @Test func decodesEscapesAndKeepsUnicodeText() throws {
        let value = try parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\uD83D\uDE00\u2028", "다온 😀"]"#)
        #expect(value == .list(["a\"b\\c/d\u{8}\u{c}\n\r\t", "é😀\u{2028}", "다온 😀"]))
    }

    @Test func agreesWithFoundationOnWhatItReads() throws {
        let text = #"{"template":"outage-apology","to":{"email":"user7@example.kr"},"name":"User \"7\"","vars":{"n":[1.5,2e3,-0.25],"k":"서비스"}}"#
        let ours = try parse(text)
        let foundation = try JSONDecoder().decode(TemplateValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"open",
        "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uDC00\"", "{} {}", "[1] x", "NaN", "1e999",
    ])
    func refusesTextThatIsNotJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self, "\(text)") { try parse(text) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONSyntaxError.self) { try JSONReader.parse([0x22, 0xFF, 0xFE, 0x22]) }
        let deep = String(repeating: "[", count: JSONReader.maximumDepth + 1) + String(repeating: "]", count: JSONReader.maximumDepth + 1)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth)
        #expect((try? parse(allowed)) != nil)
    }

    @Test func anErrorSaysWhereReadingStopped() {
        #expect(throws: JSONSyntaxError(offset: 7, reason: "expected ',' or '}' in an object")) { try parse(#"{"a":1 "b":2}"#) }
    }
}
