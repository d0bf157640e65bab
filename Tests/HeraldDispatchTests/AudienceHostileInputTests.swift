import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// Audience files as spreadsheets and attackers make them: other encodings, byte order marks,
/// huge fields, many bad rows. Nothing is queued unless every row is good.
@Suite("Hostile audience files", .hangGuard)
struct AudienceHostileInputTests {
    static let header = "id,name,locale,email,phone,webhook,segments\n"

    func file(_ harness: DispatchHarness, _ name: String, _ bytes: [UInt8]) -> String {
        let path = harness.directory.file(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func refusal(_ harness: DispatchHarness, _ path: String) async throws -> IntakeError? {
        do {
            _ = try await harness.intake.broadcast(DispatchHarness.apology, audienceFile: path)
            return nil
        } catch let error as IntakeError {
            #expect(try await harness.store.counts(noticeID: nil).total == 0, "nothing was queued")
            return error
        }
    }

    @Test func aCP949ExportIsRefusedNamingTheLineAndFieldNotQueuedAsReplacementCharacters() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        // 김하늘 in CP949 (EUC-KR): B1E8 C7CF B4C3.
        let row: [UInt8] = Array("u1,".utf8) + [0xB1, 0xE8, 0xC7, 0xCF, 0xB4, 0xC3] + Array(",ko,kim@example.kr,,,\n".utf8)
        let path = file(harness, "cp949.csv", Array(Self.header.utf8) + row)
        guard case .audience(let failure)? = try await refusal(harness, path) else { Issue.record("not refused as an audience error"); return }
        #expect(failure.line == 2)
        #expect(failure.field == "name")
        #expect(failure.reason.hasPrefix("is not UTF-8 text"))
    }

    @Test func invalidUTF8InJSONLinesIsRefusedNamingTheLine() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let bytes = Array(#"{"id":"u1","email":"a@example.com"}"#.utf8) + [10] + Array(#"{"id":"u2","name":""#.utf8) + [0xC7, 0xCF] + Array(#"","email":"b@example.com"}"#.utf8) + [10]
        guard case .audience(let failure)? = try await refusal(harness, file(harness, "bad.jsonl", bytes)) else { Issue.record("not refused"); return }
        #expect(failure.line == 2)
    }

    @Test func aByteOrderMarkIsAcceptedInCSVAndJSONLines() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let csv = file(harness, "bom.csv", bom + Array((Self.header + "u1,김하늘,ko,kim@example.kr,,,\n").utf8))
        #expect(try await harness.intake.broadcast(DispatchHarness.apology, audienceFile: csv).total == 1)
        let jsonl = file(harness, "bom.jsonl", bom + Array(#"{"id":"u2","email":"b@example.com"}"#.utf8))
        #expect(try await harness.intake.broadcast(DispatchHarness.apology, audienceFile: jsonl).total == 1)
    }

    @Test func upToTwentyBadRowsAreReportedAtOnce() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        var csv = Self.header
        for index in 0..<30 { csv += index % 2 == 0 ? "u\(index),R,en,u\(index)@example.com,,,\n" : "u\(index),R,en,bad-\(index),,,\n" }
        guard case .rows(let three)? = try await refusal(harness, file(harness, "three.csv", Array((Self.header + "a,R,en,x,,,\nb,R,en,a@example.com,,,\nc,R,xx-yy-zz,c@example.com,,,\nd,R,en,d@@e,,,\n").utf8)))
        else { Issue.record("three bad rows were not reported together"); return }
        #expect(three.count == 3)
        #expect(three.map(\.description).allSatisfy { $0.contains("three.csv:") })
        guard case .rows(let many)? = try await refusal(harness, file(harness, "many.csv", Array(csv.utf8))) else { Issue.record("not refused"); return }
        #expect(many.count == 15, "every bad row of the file, since there are fewer than 20")
        var more = Self.header
        for index in 0..<50 { more += "u\(index),R,en,bad-\(index),,,\n" }
        guard case .rows(let capped)? = try await refusal(harness, file(harness, "more.csv", Array(more.utf8))) else { Issue.record("not refused"); return }
        #expect(capped.count == 20)
        #expect(IntakeError.rows(capped).description.hasPrefix("20 bad rows (the first 20):"))
    }

    @Test func overlongFieldsAreRefusedWithoutBeingHeld() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let long = String(repeating: "가", count: 300)
        guard case .audience(let tooLong)? = try await refusal(harness, file(harness, "long.csv", Array((Self.header + "u1,\(long),ko,a@example.com,,,\n").utf8)))
        else { Issue.record("not refused"); return }
        #expect(tooLong.field == "name" && tooLong.reason == "is longer than 256 characters")
        let huge = String(repeating: "x", count: 5_000_000)
        guard case .audience(let tooBig)? = try await refusal(harness, file(harness, "huge.csv", Array((Self.header + "u1,\(huge),ko,a@example.com,,,\n").utf8)))
        else { Issue.record("not refused"); return }
        #expect(tooBig.field == "name" && tooBig.reason == "a field is longer than 65536 bytes")
    }

    @Test func aVariableOver16KiBAndALongIncidentTitleAreRefused() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        var request = DispatchHarness.apology
        request.vars["service"] = .string(String(repeating: "x", count: 16 * 1024 + 1))
        await #expect {
            _ = try await harness.intake.send(request, to: harness.recipient("u1"))
        } throws: { error in
            (error as? IntakeError)?.description == "vars/service: is longer than 16 KiB"
        }
        let desk = IncidentDesk(store: harness.store, intake: harness.intake, clock: harness.clock)
        await #expect {
            _ = try await desk.open(title: String(repeating: "t", count: 201), services: [.init(name: "Pay", status: .outage)], segment: nil, note: nil, notify: nil)
        } throws: { error in
            (error as? IntakeError)?.description == "title: is longer than 200 characters"
        }
        #expect(try await harness.store.incidents(openOnly: false).isEmpty)
    }
}
