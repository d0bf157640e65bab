import Foundation
import HeraldCore
import Testing

@Suite("Templates")
final class TemplateTests {
    /// The folders this test made, removed when it ends (each test has an instance of its own).
    private var folders: [String] = []

    deinit {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Builds a templates folder with one template, `notice`, from part files.
    func library(_ files: [String: String], definition: String = "default_locale: en\nvariables: [service]\n") throws -> (TemplateLibrary, String) {
        let folder = NSTemporaryDirectory() + "herald-templates-" + UUID().uuidString
        folders.append(folder)
        try FileManager.default.createDirectory(atPath: "\(folder)/notice", withIntermediateDirectories: true)
        try definition.write(toFile: "\(folder)/notice/template.yaml", atomically: true, encoding: .utf8)
        for (name, text) in files { try text.write(toFile: "\(folder)/notice/\(name)", atomically: true, encoding: .utf8) }
        return (try TemplateLibrary(folder: folder), folder)
    }

    func context(_ vars: [String: TemplateValue], name: String = "Kim", locale: String? = nil) -> RenderContext {
        RenderContext(vars: vars, recipient: Recipient(id: "u1", name: name, locale: locale), noticeID: "bc_1", now: Date(timeIntervalSince1970: 0))
    }

    static let email = "---\nsubject: \"{{service}} is down\"\n---\nDear {{recipient.name}}, {{service}} is down since {{started_at}}.\n"

    @Test func missingVariableNamesTemplatePartLocaleAndVariable() throws {
        let (library, _) = try library(["email.ko.mustache": Self.email, "email.en.mustache": Self.email])
        #expect(throws: TemplateError.missingVariable(template: "notice", part: "email", locale: "ko", variables: ["started_at"])) {
            try library.render("notice", locale: "ko", context: context(["service": "Messenger"]))
        }
    }

    @Test func everyMissingVariableIsNamedAtOnce() throws {
        let (library, _) = try library(["sms.en.mustache": "{{service}} {{status}} since {{started_at}}"], definition: "default_locale: en\nvariables: [service, status, note]\n")
        #expect(throws: TemplateError.missingRequiredVariable(template: "notice", variables: ["status", "note"])) {
            try library.validateCall(template: "notice", vars: ["service": "Pay"])
        }
        #expect(throws: TemplateError.missingVariable(template: "notice", part: "sms", locale: "en", variables: ["status", "started_at"])) {
            try library.render("notice", locale: nil, context: context(["service": "Pay"]))
        }
        #expect("\(TemplateError.missingRequiredVariable(template: "n", variables: ["a", "b"]))" == "template 'n': required variables 'a', 'b' were not given")
    }

    @Test func missingVariableInsideDottedNameIsReported() throws {
        let (library, _) = try library(["sms.en.mustache": "{{service}} for {{recipient.nickname}}"])
        #expect(throws: TemplateError.missingVariable(template: "notice", part: "sms", locale: "en", variables: ["recipient.nickname"])) {
            try library.render("notice", locale: nil, context: context(["service": "Messenger"]))
        }
    }

    @Test func anObjectOrAListInterpolatedAsAValueIsAnErrorNotADump() throws {
        let (library, _) = try library(["sms.en.mustache": "{{service}} is down"])
        #expect(throws: TemplateError.notAValue(template: "notice", part: "sms", locale: "en", variable: "service")) {
            try library.render("notice", locale: nil, context: context(["service": .object(["a": .number(1)])]))
        }
        #expect(throws: TemplateError.notAValue(template: "notice", part: "sms", locale: "en", variable: "service")) {
            try library.render("notice", locale: nil, context: context(["service": .list(["a", "b"])]))
        }
        let (sectioned, _) = try self.library(["sms.en.mustache": "{{#service}}{{name}}{{/service}} is down"])
        let rendered = try sectioned.render("notice", locale: nil, context: context(["service": .object(["name": "Pay"])]))
        #expect(rendered.sms == "Pay is down", "objects still feed sections")
    }

    @Test func numbersRenderExactlyAsTheCallerWroteThem() throws {
        let (library, _) = try library(["sms.en.mustache": "{{service}} owes {{amount}} and {{count}}"])
        let body = Array(#"{"service":"Pay","amount":123456789012345678901234567890,"count":0.12345678901234567891}"#.utf8)
        let vars = try #require(try JSONReader.parse(body).objectValue)
        #expect(try library.render("notice", locale: nil, context: context(vars)).sms == "Pay owes 123456789012345678901234567890 and 0.12345678901234567891")
        #expect(try JSONReader.parse(Array("42".utf8)) == .number(42), "a number that renders as written stays a number")
    }

    @Test func sectionItemsResolveOuterVariablesWithoutFalseMisses() throws {
        let (library, _) = try library(["sms.en.mustache": "{{#services}}{{name}} ({{service}}) {{/services}}"])
        let vars: [String: TemplateValue] = ["service": "Messenger", "services": .list([["name": "Chat"], ["name": "Pay"]])]
        let rendered = try library.render("notice", locale: nil, context: context(vars))
        #expect(rendered.sms == "Chat (Messenger) Pay (Messenger)")
    }

    @Test func missingVariableInsideSectionIsReported() throws {
        let (library, _) = try library(["sms.en.mustache": "{{#services}}{{name}} is {{status}} {{/services}}"])
        let vars: [String: TemplateValue] = ["service": "x", "services": .list([["name": "Chat"]])]
        #expect(throws: TemplateError.missingVariable(template: "notice", part: "sms", locale: "en", variables: ["status"])) {
            try library.render("notice", locale: nil, context: context(vars))
        }
    }

    @Test func requiredVariableIsCheckedBeforeRendering() throws {
        let (library, _) = try library(["sms.en.mustache": "{{service}}"])
        #expect(throws: TemplateError.missingRequiredVariable(template: "notice", variables: ["service"])) {
            try library.validateCall(template: "notice", vars: [:])
        }
        #expect(throws: TemplateError.reservedVariable(template: "notice", variable: "recipient")) {
            try library.validateCall(template: "notice", vars: ["service": "x", "recipient": "y"])
        }
    }

    @Test func textPartsAreNotEscapedAndHTMLPartsAre() throws {
        let (library, _) = try library([
            "email.en.mustache": "---\nsubject: \"{{service}}\"\n---\n{{service}}\n",
            "email.html.en.mustache": "<p>{{service}}</p>",
            "sms.en.mustache": "{{service}}",
        ])
        let rendered = try library.render("notice", locale: nil, context: context(["service": "<Tom & \"Jerry\">"]))
        #expect(rendered.subject == "<Tom & \"Jerry\">")
        #expect(rendered.text == "<Tom & \"Jerry\">\n")
        #expect(rendered.sms == "<Tom & \"Jerry\">")
        #expect(rendered.html == "<p>&lt;Tom &amp; &quot;Jerry&quot;&gt;</p>\n")
    }

    @Test func webhookPartEscapesValuesSoNoVariableBreaksOutOfTheJSON() throws {
        let (library, _) = try library(["webhook.en.mustache": "{\"service\": \"{{service}}\", \"fixed\": true}"])
        let hostile = "x\", \"fixed\": false, \"evil\": \"1\nline"
        let rendered = try library.render("notice", locale: nil, context: context(["service": .string(hostile)]))
        #expect(rendered.webhook?["service"] == .string(hostile))
        #expect(rendered.webhook?["fixed"] == .bool(true))
        #expect(rendered.webhook?["evil"] == nil)
    }

    @Test func jsonTextEscapesWhatJSONNeedsAndRoundTrips() throws {
        let value: TemplateValue = ["text": .string("a\"b\\c\nd\u{1}e\u{2028}f/한글"), "n": .number(3), "list": .list([.bool(true), .null])]
        #expect(value.jsonText == #"{"list":[true,null],"n":3,"text":"a\"b\\c\nd\u0001e\u2028f/한글"}"#)
        #expect(try JSONDecoder().decode(TemplateValue.self, from: Data(value.jsonText.utf8)) == value)
    }

    @Test func subjectCannotCarryALineBreak() throws {
        let (library, _) = try library(["email.en.mustache": Self.email.replacingOccurrences(of: " since {{started_at}}", with: "")])
        let rendered = try library.render("notice", locale: nil, context: context(["service": "A\r\nBcc: victim@example.com"]))
        #expect(rendered.subject?.contains("\n") == false)
        #expect(rendered.subject?.contains("\r") == false)
    }

    @Test func localeFallsBackFromRecipientToTemplateDefaultToEnglish() throws {
        let parts = ["sms.en.mustache": "en {{service}}", "sms.ko.mustache": "ko {{service}}", "sms.ja.mustache": "ja {{service}}"]
        let (library, _) = try library(parts, definition: "default_locale: ja\nvariables: [service]\n")
        let vars: [String: TemplateValue] = ["service": "M"]
        #expect(try library.render("notice", locale: nil, context: context(vars, locale: "ko")).sms == "ko M")
        #expect(try library.render("notice", locale: nil, context: context(vars, locale: "ko-KR")).sms == "ko M")
        #expect(try library.render("notice", locale: nil, context: context(vars, locale: "fr")).sms == "ja M")
        #expect(try library.render("notice", locale: "en", context: context(vars, locale: "ko")).sms == "en M")

        let (englishDefault, _) = try self.library(parts, definition: "default_locale: de\nvariables: [service]\n")
        #expect(try englishDefault.render("notice", locale: nil, context: context(vars, locale: "fr")).sms == "en M")
    }

    @Test func unknownTemplateListsTheAvailableOnes() throws {
        let (library, _) = try library(["sms.en.mustache": "x"])
        #expect(throws: TemplateError.unknownTemplate("nope", known: ["notice"])) { try library.template(named: "nope") }
    }

    @Test func emailWithoutFrontMatterIsRefusedNamingTheFile() throws {
        #expect {
            _ = try library(["email.en.mustache": "Dear {{recipient.name}}"])
        } throws: { error in
            guard case .invalidFile(let path, _, _, let reason)? = error as? TemplateError else { return false }
            return path.hasSuffix("notice/email.en.mustache") && reason.contains("front matter")
        }
    }

    @Test func unknownPartFileIsRefused() throws {
        #expect {
            _ = try library(["fax.en.mustache": "x"])
        } throws: { error in
            guard case .invalidFile(let path, _, _, _)? = error as? TemplateError else { return false }
            return path.hasSuffix("fax.en.mustache")
        }
    }

    @Test func aSyntaxErrorNamesTheFileLineAndColumnInThePlainWords() throws {
        let body = "---\nsubject: \"{{service}} is down\"\n---\nDear {{recipient.name}},\n{{#service}}down{{/servce}}\n"
        #expect {
            _ = try library(["email.en.mustache": body])
        } throws: { error in
            let text = "\(error)"
            return text.hasSuffix("notice/email.en.mustache:5:20: not valid Mustache: a section is closed with a different name than it was opened with")
                && !text.contains("ParserError") && !text.contains("MustacheParserContext")
        }
        #expect {
            _ = try library(["sms.en.mustache": "Hi {{name"])
        } throws: { error in
            "\(error)".hasSuffix("notice/sms.en.mustache:1:10: not valid Mustache: the template cannot be parsed here (a tag left open?)")
        }
    }

    @Test func emptyTextIsFalsyInSectionsAndEmptyTransformsStillWork() throws {
        let sms = "{{#recipient.name}}Hi {{recipient.name}}{{/recipient.name}}{{^recipient.name}}Hi customer{{/recipient.name}}"
            + "{{#empty(recipient.name)}} (no name){{/empty(recipient.name)}} {{uppercased(service)}}"
        let (library, _) = try library(["sms.en.mustache": sms])
        #expect(try library.render("notice", locale: "en", context: context(["service": "m"], name: "")).sms == "Hi customer (no name) M")
        #expect(try library.render("notice", locale: "en", context: context(["service": "m"], name: "Kim")).sms == "Hi Kim M")
    }

    @Test func shippedEmailsGreetANamelessRecipientAsACustomer() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let library = try TemplateLibrary(folder: root.appendingPathComponent("Templates").path)
        for name in ["outage-apology", "compensation"] {
            let template = try library.template(named: name)
            let english = try library.render(name, locale: "en", context: context(template.example, name: "", locale: "en"))
            #expect(english.text?.contains("Dear customer,") == true, "\(name) en: \(english.text ?? "")")
            #expect(english.html?.contains("Dear customer,") == true)
            let korean = try library.render(name, locale: "ko", context: context(template.example, name: "", locale: "ko"))
            #expect(korean.text?.contains("고객님, 안녕하십니까.") == true, "\(name) ko: \(korean.text ?? "")")
        }
    }

    @Test func shippedTemplatesRenderInEveryLocaleWithTheirExamples() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let library = try TemplateLibrary(folder: root.appendingPathComponent("Templates").path)
        #expect(Set(library.names) == ["outage-apology", "status-update", "resolved", "compensation", "status-digest", "subscription-confirm", "canary"])
        let withHTML: Set = ["outage-apology", "resolved", "compensation"]
        let emailOnly: Set = ["subscription-confirm"]  // Herald sends it through e-mail channels only
        for template in library.templates.values {
            #expect(template.locales.contains("en") && template.locales.contains("ko"), "\(template.name) lacks en or ko")
            for locale in template.locales {
                let rendered = try library.render(template.name, locale: locale, context: context(template.example, locale: locale))
                #expect(rendered.subject?.isEmpty == false)
                #expect(rendered.sms.map { !$0.isEmpty } ?? emailOnly.contains(template.name))
                #expect(rendered.webhook.map { !$0.isEmpty } ?? emailOnly.contains(template.name))
                #expect((rendered.html != nil) == withHTML.contains(template.name), "\(template.name).\(locale) HTML part")
                #expect(SMSSegments(rendered.sms ?? "").segments <= 2, "\(template.name).\(locale) sms fits 2 segments with the example")
            }
        }
    }
}
