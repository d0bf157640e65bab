import HeraldCore
import HTTPTypes
import Hummingbird

/// The small pages of one-click unsubscribe, in English or Korean by `Accept-Language`: the confirm
/// page (`GET /u/TOKEN`, a button that POSTs back and changes nothing by itself) and the answer to the
/// POST. No scripts, no outside resources, no referrer: the token is in the URL.
enum UnsubscribePage {
    enum Language { case en, ko }

    /// Korean when the first language the reader asks for is Korean, else English.
    static func language(_ acceptLanguage: String?) -> Language {
        let first = acceptLanguage?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return first.hasPrefix("ko") ? .ko : .en
    }

    /// The confirm page for `token`'s contact point.
    static func confirm(_ token: UnsubscribeToken, language: Language) -> Response {
        let contact = HTMLEscaping.escape(masked(token.contact))
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
        return page(body, language: language)
    }

    /// The answer to a POST: done.
    static func done(_ token: UnsubscribeToken, language: Language) -> Response {
        let contact = HTMLEscaping.escape(masked(token.contact))
        let body: String =
            switch language {
            case .en: "<h1>Unsubscribed</h1><p>No more notices go to <strong>\(contact)</strong>, except essential ones.</p>"
            case .ko: "<h1>수신 거부 완료</h1><p><strong>\(contact)</strong>(으)로는 꼭 필요한 알림 외에는 더 이상 발송되지 않습니다.</p>"
            }
        return page(body, language: language)
    }

    /// `j***@example.com`, `+8210****5678`: enough for the reader to recognise, little for anyone else.
    static func masked(_ contact: ContactPoint) -> String {
        switch contact.kind {
        case .email:
            guard let at = contact.value.firstIndex(of: "@") else { return contact.value }
            return "\(contact.value.prefix(1))***\(contact.value[at...])"
        case .phone:
            guard contact.value.count > 8 else { return contact.value }
            return "\(contact.value.prefix(5))****\(contact.value.suffix(4))"
        case .webhook:
            return contact.value
        }
    }

    private static func page(_ body: String, language: Language) -> Response {
        let html = """
            <!doctype html>
            <html lang="\(language == .ko ? "ko" : "en")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>Herald</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1.25rem}</style>
            </head><body>
            \(body)
            </body></html>
            """
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ]
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
