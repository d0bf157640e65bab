import NIOCore
import SMTPClient
import Testing

@Suite("SMTP reply decoder")
struct SMTPReplyDecoderTests {
    func decode(_ chunks: [String]) throws -> [SMTPReply] {
        var decoder = SMTPReplyDecoder()
        var replies: [SMTPReply] = []
        for chunk in chunks {
            var buffer = ByteBuffer(string: chunk)
            replies += try decoder.feed(&buffer)
        }
        return replies
    }

    @Test func readsASingleLineReply() throws {
        #expect(try decode(["220 mx.example.com ESMTP ready\r\n"]) == [SMTPReply(code: 220, lines: ["mx.example.com ESMTP ready"])])
    }

    @Test func joinsAMultiLineReply() throws {
        let ehlo = "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"
        #expect(try decode([ehlo]) == [SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "SIZE 10240000", "STARTTLS", "AUTH PLAIN LOGIN"])])
    }

    @Test func handlesRepliesSplitAcrossReadsAtAnyByte() throws {
        let text = "250-mx\r\n250 ok\r\n354 go ahead\r\n"
        for split in 1..<text.utf8.count {
            let bytes = Array(text.utf8)
            let chunks = [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)]
            #expect(try decode(chunks) == [SMTPReply(code: 250, lines: ["mx", "ok"]), SMTPReply(code: 354, lines: ["go ahead"])], "split at \(split)")
        }
    }

    @Test func returnsPipelinedRepliesInOrder() throws {
        let replies = try decode(["250 2.1.0 sender ok\r\n250 2.1.5 recipient ok\r\n354 end data with <CR><LF>.<CR><LF>\r\n"])
        #expect(replies.map(\.code) == [250, 250, 354])
    }

    @Test func acceptsBareLineFeedsAndCodeOnlyLines() throws {
        #expect(try decode(["221\n"]) == [SMTPReply(code: 221, lines: [""])])
    }

    @Test func classifiesCodes() {
        #expect(SMTPReply(code: 250, lines: []).isSuccess)
        #expect(SMTPReply(code: 354, lines: []).isIntermediate)
        #expect(SMTPReply(code: 451, lines: []).isTransient)
        #expect(SMTPReply(code: 550, lines: []).isPermanent)
    }

    @Test(arguments: ["hello\r\n", "25 short\r\n", "250-a\r\n251 b\r\n", "250!x\r\n", "999 x\r\n"])
    func refusesMalformedReplies(text: String) {
        #expect(throws: SMTPReplyDecoder.Malformed.self) { try decode([text]) }
    }

    @Test func refusesEndlessLines() {
        #expect(throws: SMTPReplyDecoder.Malformed.self) { try decode([String(repeating: "2", count: 5000)]) }
    }
}
