#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Cryptographically random numbers read from the kernel 4 KiB at a time.
///
/// `SystemRandomNumberGenerator` makes a `getrandom` system call for every 8 bytes: four per accepted
/// message for its two ids, more than the request's own socket reads and writes. This reads
/// `/dev/urandom` in bulk and hands the bytes out under a lock; it falls back to the system
/// generator if the device cannot be read.
public struct BufferedRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private static let pool = Mutex(Pool())

    public init() {}

    public mutating func next() -> UInt64 {
        Self.pool.withLock { $0.next() }
    }

    private struct Pool {
        static let size = 4096
        var bytes = [UInt8](repeating: 0, count: Pool.size)
        var offset = Pool.size

        mutating func next() -> UInt64 {
            if offset + 8 > bytes.count {
                guard refill() else {
                    var system = SystemRandomNumberGenerator()
                    return system.next()
                }
            }
            defer { offset += 8 }
            return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        }

        private mutating func refill() -> Bool {
            let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            var filled = 0
            while filled < bytes.count {
                let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
                guard count > 0 else { return false }
                filled += count
            }
            offset = 0
            return true
        }
    }
}
