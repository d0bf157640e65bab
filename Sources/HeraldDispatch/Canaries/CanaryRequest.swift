import Foundation
import HeraldCore

extension NoticeRequest {
    /// The shipped `canary` template through `route` (by default the canary's channel alone), as
    /// canaries (`purpose: canary`) and drills (`purpose: drill`) queue it: `low` priority, so real
    /// notices go first; one pending per channel and purpose (a newer one supersedes it); gone after
    /// `expiresIn`, since an old proof proves nothing.
    static func canary(_ canary: CanarySettings, purpose: String, route: [String]? = nil, expiresIn: Duration) -> NoticeRequest {
        NoticeRequest(
            template: CanarySettings.template, vars: ["channel": .string(canary.channel), "purpose": .string(purpose)],
            route: route ?? [canary.channel], priority: .low, collapseKey: "\(purpose):\(canary.channel)", expiresIn: expiresIn
        )
    }
}
