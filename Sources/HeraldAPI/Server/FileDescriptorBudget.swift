import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many connections the API may hold open without the process reaching its file-descriptor limit.
enum FileDescriptorBudget {
    /// Descriptors kept back for the store, outbound connections, outbox files and the runtime.
    static let reserve = 128

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns `min(wanted, soft limit − open now − reserve)`.
    static func connections(wanted: Int) -> Int {
        let limit = raiseSoftLimit()
        let openNow = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 64
        return max(1, min(wanted, limit - openNow - reserve))
    }

    private static func raiseSoftLimit() -> Int {
        var limits = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limits) == 0 else { return 1024 }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(resource, &raised) == 0 { limits = raised }
        }
        return Int(clamping: limits.rlim_cur)
    }
}
