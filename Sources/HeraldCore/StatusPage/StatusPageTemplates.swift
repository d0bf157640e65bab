/// The Mustache templates of the public status page. `{{…}}` is HTML-escaped (which is XML-safe too);
/// the pages use no scripts and no outside resources.
enum StatusPageTemplates {
    static let style = """
        <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:44rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1b1b1b;overflow-wrap:anywhere}
        h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.15rem;margin-top:2rem}
        .overall{padding:.75rem 1rem;border-radius:.5rem;font-weight:600}.overall.ok{background:#e6f4ea}.overall.impaired{background:#fdecea}
        ul{padding:0;list-style:none}li.service{display:flex;justify-content:space-between;gap:1rem;padding:.5rem 0;border-bottom:1px solid #ddd}
        .s-outage{color:#a50e0e}.s-degraded,.s-recovering{color:#8a4b00}.s-operational,.s-restored{color:#137333}
        article{border:1px solid #ddd;border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}
        .meta,.updated{color:#555;font-size:.9rem}footer{margin-top:2rem;font-size:.9rem}
        form.subscribe{display:flex;flex-wrap:wrap;gap:.5rem}form.subscribe label{flex-basis:100%}form.subscribe input[type=email]{flex:1 1 12rem;min-width:0;font-size:1rem;padding:.4rem}
        form.subscribe button{font-size:1rem;padding:.4rem 1rem}
        </style>
        """

    static let page = """
        <!doctype html>
        <html lang="{{lang}}"><head>\(style)
        <title>{{title}}</title>
        <link rel="alternate" type="application/atom+xml" href="{{feed_link}}">
        </head><body>
        <header><h1>{{title}}</h1>
        <p class="overall {{overall_class}}">{{overall}}</p>
        {{#updated}}<p class="updated">{{updated_label}}: {{updated}}</p>{{/updated}}</header>
        <main>
        <section><h2>{{services_label}}</h2><ul>
        {{#services}}<li class="service"><span>{{name}}</span><span class="s-{{status}}">{{symbol}} {{word}}</span></li>
        {{/services}}</ul></section>
        <section><h2>{{open_label}}</h2>
        {{#open}}<article><h3><a href="{{link}}">{{title}}</a></h3><p class="meta">{{opened_label}}: {{opened}}</p>
        <ul>{{#services}}<li class="service"><span>{{name}}</span><span class="s-{{status}}">{{symbol}} {{word}}</span></li>{{/services}}</ul>
        {{#updates}}<p><span class="meta">{{at}}</span>{{#note}} — {{note}}{{/note}}</p>{{/updates}}</article>
        {{/open}}{{^has_open}}<p>{{none_label}}</p>{{/has_open}}</section>
        {{#has_resolved}}<section><h2>{{resolved_label}}</h2>
        {{#resolved}}<article><h3><a href="{{link}}">{{title}}</a></h3><p class="meta">{{opened_label}}: {{opened}} · {{resolved_at_label}}: {{resolved_at}}</p></article>
        {{/resolved}}</section>{{/has_resolved}}
        {{#subscribe_url}}<section><h2>{{subscribe_label}}</h2>
        <form class="subscribe" method="post" action="{{subscribe_url}}"><input type="hidden" name="lang" value="{{lang}}">
        <label for="subscribe-email">{{email_label}}</label><input id="subscribe-email" type="email" name="email" required autocomplete="email" maxlength="254">
        <button type="submit">{{subscribe_button}}</button></form><p class="meta">{{subscribe_note}}</p></section>{{/subscribe_url}}
        </main>
        <footer><a href="{{en_link}}" hreflang="en">English</a> · <a href="{{ko_link}}" hreflang="ko">한국어</a> · <a href="{{json_link}}">JSON</a> · <a href="{{feed_link}}">Atom</a></footer>
        </body></html>
        """

    static let incident = """
        <!doctype html>
        <html lang="{{lang}}"><head>\(style)
        <title>{{incident.title}} · {{title}}</title>
        </head><body>
        {{#incident}}<header><p><a href="{{home_link}}">← {{back_label}}</a></p><h1>{{title}}</h1>
        <p class="meta">{{opened_label}}: {{opened}}{{#resolved}} · {{resolved_at_label}}: {{resolved_at}}{{/resolved}}</p></header>
        <main><ul>{{#services}}<li class="service"><span>{{name}}</span><span class="s-{{status}}">{{symbol}} {{word}}</span></li>{{/services}}</ul>
        <h2>{{timeline_label}}</h2>
        {{#updates}}<article><p class="meta">{{at}}</p>{{#note}}<p>{{note}}</p>{{/note}}
        <ul>{{#changes}}<li class="service"><span>{{name}}</span><span class="s-{{status}}">{{symbol}} {{word}}</span></li>{{/changes}}</ul></article>
        {{/updates}}</main>{{/incident}}
        <footer><a href="{{en_link}}" hreflang="en">English</a> · <a href="{{ko_link}}" hreflang="ko">한국어</a></footer>
        </body></html>
        """

    static let feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
        <id>urn:herald:status</id><title>{{title}}</title><updated>{{updated}}</updated><author><name>{{title}}</name></author>
        {{#entries}}<entry><id>{{id}}</id><title>{{title}}</title><updated>{{updated}}</updated><summary>{{summary}}</summary></entry>
        {{/entries}}</feed>
        """
}
