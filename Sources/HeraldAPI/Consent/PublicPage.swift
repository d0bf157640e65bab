import HeraldCore
import HTTPTypes
import Hummingbird

/// The frame of the small public pages that answer a link or a form (unsubscribe, subscription): no
/// scripts, no outside resources, not cached, and no referrer, since their URLs carry signed tokens.
enum PublicPage {
    typealias Language = StatusPageRenderer.Language

    /// The reader's language: `?lang=`, else `Accept-Language`, else English.
    static func language(_ request: Request) -> Language {
        Language.pick(query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
    }

    /// `body` (HTML whose every value the caller escaped) in the page's frame.
    static func response(_ body: String, language: Language, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!doctype html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8">
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
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
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
}
