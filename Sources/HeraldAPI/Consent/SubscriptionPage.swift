import HeraldCore
import HeraldDispatch
import Hummingbird

/// The small pages of a status page subscription, in English or Korean: "check your inbox" after the
/// form, the confirm page of the e-mailed link (`GET`, a button that POSTs back and changes nothing by
/// itself: mail scanners fetch links), and the answers to that POST.
enum SubscriptionPage {
    typealias Language = PublicPage.Language

    /// After the form: the same answer whether a mail went out or a limit held it back, so the page
    /// says nothing about who subscribed.
    static func requested(_ contact: ContactPoint, title: String, language: Language) -> Response {
        let (address, title) = (HTMLEscaping.escape(PublicPage.masked(contact)), HTMLEscaping.escape(title))
        let body: String =
            switch language {
            case .en:
                "<h1>Check your inbox</h1><p>We sent a link to <strong>\(address)</strong>. Open it within 48 hours to get updates from \(title); nothing more is sent until you do.</p>"
            case .ko:
                "<h1>메일함을 확인해 주십시오</h1><p><strong>\(address)</strong>(으)로 확인 링크를 보냈습니다. 48시간 안에 링크를 열면 \(title)의 소식을 받습니다. 그 전에는 더 보내지 않습니다.</p>"
            }
        return PublicPage.response(body, language: language)
    }

    /// The confirm page of a genuine, unexpired link.
    static func confirm(_ token: SubscriptionToken, title: String, language: Language) -> Response {
        let (address, title) = (HTMLEscaping.escape(PublicPage.masked(.email(token.email))), HTMLEscaping.escape(title))
        let body: String =
            switch language {
            case .en:
                """
                <h1>Confirm your subscription</h1><p>Send updates from \(title) to <strong>\(address)</strong>?</p>
                <form method="post"><button type="submit">Confirm</button></form>
                """
            case .ko:
                """
                <h1>구독 확인</h1><p>\(title)의 소식을 <strong>\(address)</strong>(으)로 받으시겠습니까?</p>
                <form method="post"><button type="submit">확인</button></form>
                """
            }
        return PublicPage.response(body, language: language)
    }

    /// The answer to the confirm page's POST.
    static func answer(_ confirmation: SubscriptionDesk.Confirmation, title: String, language: Language) -> Response {
        switch confirmation {
        case .subscribed(let token):
            let (address, title) = (HTMLEscaping.escape(PublicPage.masked(.email(token.email))), HTMLEscaping.escape(title))
            let body: String =
                switch language {
                case .en: "<h1>Subscribed</h1><p><strong>\(address)</strong> now gets updates from \(title). Every e-mail has a link to stop them.</p>"
                case .ko: "<h1>구독 완료</h1><p>이제 <strong>\(address)</strong>(으)로 \(title)의 소식을 보내 드립니다. 모든 메일에 수신 거부 링크가 있습니다.</p>"
                }
            return PublicPage.response(body, language: language)
        case .expired:
            return expired(language: language)
        }
    }

    /// A genuine link past its 48 hours: 410, nothing changed.
    static func expired(language: Language) -> Response {
        let body: String =
            switch language {
            case .en: "<h1>This link has expired</h1><p>Confirmation links work for 48 hours. Subscribe again on the status page.</p>"
            case .ko: "<h1>만료된 링크입니다</h1><p>확인 링크는 48시간 동안만 유효합니다. 상태 페이지에서 다시 구독해 주십시오.</p>"
            }
        return PublicPage.response(body, language: language, status: .gone)
    }
}
