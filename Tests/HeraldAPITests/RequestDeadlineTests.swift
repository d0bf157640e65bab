import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import HeraldAPI

/// The request deadlines event by event, on an embedded channel whose clock the test moves.
@Suite("API: request deadlines")
struct RequestDeadlineTests {
    /// Keeps the errors that reach the end of the pipeline (what Hummingbird's request stream would see).
    final class ErrorRecorder: ChannelInboundHandler {
        typealias InboundIn = HTTPRequestPart
        var errors: [any Error] = []
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }
    }

    func connection() throws -> (EmbeddedChannel, ErrorRecorder) {
        let recorder = ErrorRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([RequestDeadlineHandler(limits: HTTPLimits(maxConnections: 1)), recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, recorder)
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/v1/messages"))

    func statusWritten(_ channel: EmbeddedChannel) throws -> HTTPResponse.Status? {
        guard case .head(let response)? = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        return response.status
    }

    @Test func aConnectionThatSendsNothingIsClosedAfterTenSeconds() throws {
        let (channel, _) = try connection()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(try statusWritten(channel) == nil, "nothing to answer")
    }

    @Test func halfAHeadAfterTenSecondsIs408AndClosed() throws {
        let (channel, _) = try connection()
        channel.pipeline.fireChannelReadComplete()  // bytes arrived, but no complete head
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try statusWritten(channel) == .requestTimeout)
        #expect(!channel.isActive)
    }

    @Test func aBodyThatDoesNotArriveInThirtySecondsFailsTheReadThenTheConnectionCloses() throws {
        let (channel, recorder) = try connection()
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(29_999))
        #expect(recorder.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(recorder.errors.first is RequestBodyTimeout, "the route's body read fails and answers 408")
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(!channel.isActive, "cut off if the route never answers")
    }

    @Test func anAnsweredKeepAliveConnectionWaitsForItsNextRequestThenTimesItsHead() throws {
        let (channel, _) = try connection()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(120))
        #expect(channel.isActive, "between requests only the idle timeout applies")
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(!channel.isActive)
    }

    @Test func anAnswerBeforeTheBodyEndedClosesTheConnectionInsteadOfDrainingIt() throws {
        let (channel, _) = try connection()
        try channel.writeInbound(Self.head)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .unauthorized)))
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    @Test func bytesThatCannotBeParsedAre400AndClosed() throws {
        let (channel, _) = try connection()
        channel.pipeline.fireErrorCaught(HTTPParserErrorStandIn())
        #expect(try statusWritten(channel) == .badRequest)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    struct HTTPParserErrorStandIn: Error {}
}
