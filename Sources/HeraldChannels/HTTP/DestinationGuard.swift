import Foundation
import HeraldCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a caller-supplied destination when Herald connects: the host's resolved addresses must all
/// pass the egress policy (a name that resolves to a private address is refused even though it
/// passed at accept: DNS rebinding). A plain-`http` request is then pinned to the checked address, so
/// the connection goes exactly where the check looked; an `https` request is resolved again by the
/// client, and certificate verification for the host name guards that gap.
final class DestinationGuard: Sendable {
    let policy: EgressPolicy
    /// Recent lookups, so a broadcast to one host resolves it once per `lookupLifetime`.
    private let lookups = Mutex<[String: (addresses: [IPAddress], at: ContinuousClock.Instant)]>([:])
    private static let lookupLifetime: Duration = .seconds(30)
    private static let cachedHosts = 1024
    /// The policy's verdict per host, remembered: a broadcast asks it once per delivery, of few hosts.
    private let verdicts = Mutex<[String: EgressPolicy.Verdict]>([:])

    init(policy: EgressPolicy) {
        self.policy = policy
    }

    /// The address to connect to for a plain-`http` URL (nil for `https`, or a host allowed by name).
    /// - Throws: a permanent `DeliveryError` when the destination is refused or its name does not resolve.
    func check(_ destination: HTTPDestination) async throws(DeliveryError) -> IPAddress? {
        switch verdict(host: destination.host) {
        case .refused(let reason):
            throw Self.refused(reason)
        case .allowed:
            return nil
        case .resolveAndCheck:
            let addresses = try await resolve(destination.host)
            for address in addresses {
                if let reason = policy.refusal(of: address) { throw Self.refused("\(destination.host) resolves to \(reason)") }
            }
            return destination.isTLS ? nil : addresses.first
        }
    }

    private func verdict(host: String) -> EgressPolicy.Verdict {
        if let known = verdicts.withLock({ $0[host] }) { return known }
        let verdict = policy.verdict(host: host)
        verdicts.withLock { verdicts in
            if verdicts.count >= Self.cachedHosts { verdicts.removeAll(keepingCapacity: true) }
            verdicts[host] = verdict
        }
        return verdict
    }

    private static func refused(_ reason: String) -> DeliveryError {
        DeliveryError(reason: .rejected, isRetryable: false, detail: "destination refused: \(reason)")
    }

    private func resolve(_ host: String) async throws(DeliveryError) -> [IPAddress] {
        let now = ContinuousClock.now
        if let cached = lookups.withLock({ $0[host] }), now - cached.at < Self.lookupLifetime { return cached.addresses }
        let found: [IPAddress]?
        do {
            found = try await NIOThreadPool.singleton.runIfActive { Self.lookUp(host) }
        } catch {
            throw DeliveryError(reason: .connection, isRetryable: true, detail: "cannot look up \(host) now")
        }
        guard let found, !found.isEmpty else {
            throw DeliveryError(reason: .connection, isRetryable: true, detail: "the host name \(host) does not resolve")
        }
        lookups.withLock { lookups in
            if lookups.count >= Self.cachedHosts { lookups.removeAll(keepingCapacity: true) }
            lookups[host] = (found, now)
        }
        return found
    }

    /// `getaddrinfo`, blocking: every IPv4 and IPv6 address of `host`, or `nil` when it has none.
    private static func lookUp(_ host: String) -> [IPAddress]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { addresses.append(ip) }
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { addresses.append(ip) }
                    }
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
