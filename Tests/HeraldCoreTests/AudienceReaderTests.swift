import Foundation
import HeraldCore
import Testing

@Suite("Audience files")
struct AudienceReaderTests {
    func file(_ contents: String, ext: String = "csv") throws -> String {
        let path = NSTemporaryDirectory() + "audience-\(UUID().uuidString).\(ext)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func readAll(_ path: String) throws -> [(Int, Recipient)] {
        var reader = try AudienceReader(path: path)
        var rows: [(Int, Recipient)] = []
        while let row = try reader.next() { rows.append(row) }
        return rows
    }

    @Test func readsQuotedFieldsAndSegments() throws {
        let path = try file("""
            id,name,locale,email,phone,webhook,segments
            u1,"Kim, Haneul",ko,kim@example.kr,010-1234-5678,,subscribers;seoul
            u2,"Alex ""A"" Morgan",en,alex@example.com,,https://hooks.example.com/a,

            """)
        let rows = try readAll(path)
        #expect(rows.count == 2)
        #expect(rows[0].0 == 2)
        #expect(rows[0].1.name == "Kim, Haneul")
        #expect(rows[0].1.segments == ["subscribers", "seoul"])
        #expect(rows[1].1.name == "Alex \"A\" Morgan")
        #expect(rows[1].1.contacts.webhook == "https://hooks.example.com/a")
        #expect(rows[1].1.contacts.phone == nil)
    }

    @Test func columnsMayComeInAnyOrder() throws {
        let rows = try readAll(try file("email,id\na@example.com,u1\n"))
        #expect(rows.first?.1.id == "u1")
        #expect(rows.first?.1.contacts.email == "a@example.com")
    }

    @Test func badEmailNamesFileLineAndField() throws {
        let path = try file("id,email\nu1,a@example.com\nu2,not-an-address\n")
        #expect(throws: AudienceError.self) { try readAll(path) }
        do {
            _ = try readAll(path)
        } catch let error as AudienceError {
            #expect(error.file == path)
            #expect(error.line == 3)
            #expect(error.field == "email")
        }
    }

    @Test func duplicateIdNamesBothLines() throws {
        let path = try file("id,email\nu1,a@example.com\nu1,b@example.com\n")
        do {
            _ = try readAll(path)
            Issue.record("duplicate id accepted")
        } catch let error as AudienceError {
            #expect(error.line == 3)
            #expect(error.reason.contains("line 2"))
        }
    }

    @Test func wrongFieldCountIsRefusedWithItsLine() throws {
        let path = try file("id,email\nu1\n")
        #expect(throws: AudienceError(file: path, line: 2, reason: "expected 2 fields, found 1")) { _ = try readAll(path) }
    }

    @Test func unknownColumnIsRefusedAtTheHeader() throws {
        let path = try file("id,fax\nu1,123\n")
        #expect(throws: AudienceError(file: path, line: 1, field: "fax", reason: "unknown column (expected id,name,locale,email,phone,webhook,segments)")) {
            _ = try readAll(path)
        }
    }

    @Test func readsJSONLinesAndNamesBadLines() throws {
        let good = try file("{\"id\":\"u1\",\"email\":\"a@example.com\",\"segments\":[\"s1\"]}\n\n{\"id\":\"u2\",\"locale\":\"ko\"}\n", ext: "jsonl")
        let rows = try readAll(good)
        #expect(rows.map(\.1.id) == ["u1", "u2"])
        #expect(rows[0].1.segments == ["s1"])
        #expect(rows[1].0 == 3)

        let bad = try file("{\"id\":\"u1\"}\n{\"id\":\"u2\",\"webhook\":\"ftp://x\"}\n", ext: "jsonl")
        #expect(throws: AudienceError(file: bad, line: 2, field: "webhook", reason: "expected an absolute http or https URL")) {
            _ = try readAll(bad)
        }
    }

    @Test func unterminatedQuoteIsRefusedWithItsLine() throws {
        let path = try file("id,name\nu1,\"Kim\nu2,Lee\n")
        #expect(throws: AudienceError(file: path, line: 2, reason: "a quoted field is not closed")) { _ = try readAll(path) }
    }
}
