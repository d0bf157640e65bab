import HeraldCore
import HTTPTypes
import Hummingbird

/// The small pages of one-click unsubscribe, in English or Korean: the confirm page (`GET /u/TOKEN`,
/// a button that POSTs back and changes nothing by itself) and the answer to the POST.
enum UnsubscribePage {
    typealias Language = PublicPage.Language

    /// The confirm page for `token`'s contact point.
    static func confirm(_ token: UnsubscribeToken, language: Language) -> Response {
        let contact = HTMLEscaping.escape(PublicPage.masked(token.contact))
        let body: String =
            switch language {
            case .en:
                """
                <h1>Unsubscribe</h1>
                <p>Stop notices to <strong>\(contact)</strong>? Essential notices, such as an outage of a service you use, still arrive.</p>
                <form method="post"><button type="submit">Unsubscribe</button></form>
                """
            case .ko:
                """
                <h1>수신 거부</h1>
                <p><strong>\(contact)</strong>(으)로 보내는 알림을 더 이상 받지 않으시겠습니까? 사용 중인 서비스의 장애처럼 꼭 필요한 알림은 계속 발송됩니다.</p>
                <form method="post"><button type="submit">수신 거부</button></form>
                """
            }
        return PublicPage.response(body, language: language)
    }

    /// The answer to a POST: done.
    static func done(_ token: UnsubscribeToken, language: Language) -> Response {
        let contact = HTMLEscaping.escape(PublicPage.masked(token.contact))
        let body: String =
            switch language {
            case .en: "<h1>Unsubscribed</h1><p>No more notices go to <strong>\(contact)</strong>, except essential ones.</p>"
            case .ko: "<h1>수신 거부 완료</h1><p><strong>\(contact)</strong>(으)로는 꼭 필요한 알림 외에는 더 이상 발송되지 않습니다.</p>"
            }
        return PublicPage.response(body, language: language)
    }
}
