import Foundation
import HeraldAPI
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// What the HTTP server does with clients that do not play by the rules, over real sockets.
@Suite("API: the server sheds what it cannot serve", .hangGuard)
struct ServerLimitsTests {
    static let auth = "Authorization: Bearer \(APIHarness.ops)\r\n"

    @Test func aMalformedChunkIs400ProblemAndTheConnectionCloses() async throws {
        try await APIHarness().withClient { client in
            let reply = try await RawConnection.session(port: try #require(client.port)) { connection in
                try await connection.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n")
                return try await connection.readToEnd()
            }
            #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply)")
            #expect(reply.contains("application/problem+json"))
            #expect(reply.contains("malformed-request"))
        }
    }

    @Test func aChunkedBodyOverOneMebibyteIs413WithAProblemBody() async throws {
        try await APIHarness().withClient { client in
            let chunk = String(repeating: "a", count: 65_536)
            let reply = try await RawConnection.session(port: try #require(client.port)) { connection in
                try await connection.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<17 { try await connection.send("10000\r\n\(chunk)\r\n") }
                try await connection.send("0\r\n\r\n")
                return try await connection.readToEnd()
            }
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(300))")
            #expect(reply.contains("\"too-large\"") || reply.contains("problem:too-large"), "\(reply.prefix(400))")
        }
    }

    @Test func anUnknownPathIsAProblemNotAnEmpty404() async throws {
        try await APIHarness().withClient { client in
            let response = try await client.call(.get, "/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json["detail"] == "no such endpoint (see /openapi.yaml)")
        }
    }

    @Test func connectionsOverTheLimitAreClosedAtOnceWhileOpenOnesAreServed() async throws {
        // Two: the test client keeps one connection open from the start, and `held` is the other.
        try await APIHarness().withClient(limits: HTTPLimits(maxConnections: 2)) { client in
            let port = try #require(client.port)
            _ = try await client.call(.get, "/healthz", token: nil)
            try await RawConnection.session(port: port) { held in
                // This connection is admitted and stays open (keep-alive) while the next one tries.
                try await held.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await held.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
                let refused = try await RawConnection.session(port: port) { extra in
                    // The server may have closed it before the request is written: that write fails.
                    do { try await extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") } catch { return "" }
                    return try await extra.readToEnd()
                }
                #expect(refused.isEmpty, "over http.max_connections: closed without an answer")
                try await held.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(try await held.readToEnd().contains("HTTP/1.1 200"), "the admitted connection is still served")
            }
        }
    }
}
