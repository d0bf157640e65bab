import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The public status page in a real browser: headless Chromium driven by Selenium
/// (`scripts/status-page-browser.py`; scripts/test installs both), against `herald serve` and against
/// the files `status_page.export_dir` holds, with scripts on and off, on a desktop and a phone
/// viewport, in English and Korean. The screenshots land in `.build/status-page-screenshots/`.
@Suite("Status page in a browser", .serialized, .hangGuard)
struct StatusPageBrowserTests {
    static let screenshots = HeraldProcess.packageRoot.appendingPathComponent(".build/status-page-screenshots").path

    struct Report: Decodable {
        struct Seen: Decodable {
            var lang: String
            var asked: String?
            var javascript: Bool
            var viewport: String
            var services: [[String]]
            var incidents: [String]
            var text: String
            var fits: Bool
            var widest: Double
            var subscribe: Bool
            var scroll_width: Int?
            var inner_width: Int?
            var timeline: Timeline?
        }

        struct Timeline: Decodable {
            var url: String
            var heading: String
            var text: String
        }

        var served: [Seen]
        var exported: [Seen]
    }

    @Test func readersSeeEveryServiceInWordsOnAnyScreenWithOrWithoutScriptsServedOrFromDisk() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let config = workspace.write(
            "status.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            timezone: Asia/Seoul
            http:
              listen: "127.0.0.1:0"
              public_url: "https://status.example.com"
              tokens: [{ name: ops, token: "status-test-token-0123456789", scopes: [send, read, admin] }]
            unsubscribe: { secret: "status-test-link-secret-0123456789" }
            status_page: { title: "Example status", services: [Messenger, Mail, Maps], export_dir: exported, segment: status-subscribers }
            channels:
              outbox: { kind: outbox, path: outbox }
            """
        )
        func incident(_ arguments: [String]) async throws -> String {
            let run = try await herald.run(["--config", config, "incident"] + arguments)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stderr.contains("not exported"), "\(run.stderr)")
            return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let fire = try await incident(["open", "Data-center fire", "--service", "Messenger=outage", "--service", "Mail=degraded", "--note", "Power lost at 15:30"])
        _ = try await incident(["update", fire, "--service", "Mail=restored", "--note", "Mail works again"])
        let dns = try await incident(["open", "DNS trouble", "--service", "Maps=degraded"])
        _ = try await incident(["resolve", dns, "--note", "Fixed"])
        let exported = workspace.file("exported")
        for file in ["index.html", "index.ko.html", "status.json", "feed.atom", "incidents/\(fire).html", "incidents/\(dns).ko.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(exported)/\(file)"), "re-exported on every change: \(file)")
        }

        let serve = try herald.start(["--config", config, "serve"])
        let listening = try #require(await serve.line(containing: "listening on"))
        let base = String(try #require(listening.split(separator: " ").last))
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        browser.arguments = [
            "python3", HeraldProcess.packageRoot.appendingPathComponent("scripts/status-page-browser.py").path, base, exported, Self.screenshots,
        ]
        let output = Pipe()
        let errorLog = workspace.write("browser.err", "")
        browser.standardOutput = output
        browser.standardError = FileHandle(forWritingAtPath: errorLog)
        try browser.run()
        let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        browser.waitUntilExit()
        let problems = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
        serve.signal(SIGTERM)
        _ = await serve.finish()
        #expect(browser.terminationStatus == 0, "\(problems.suffix(1500))")
        let report = try JSONDecoder().decode(Report.self, from: data)

        #expect(report.served.count == 8 && report.exported.count == 4)
        let english = [["Messenger", "✕ down"], ["Mail", "✓ working"], ["Maps", "✓ working"]]
        let korean = [["Messenger", "✕ 장애"], ["Mail", "✓ 정상"], ["Maps", "✓ 정상"]]
        for seen in report.served {
            let setting = "\(seen.viewport), scripts \(seen.javascript ? "on" : "off"), \(seen.asked ?? "")"
            #expect(seen.lang == seen.asked, "\(setting)")
            #expect(seen.services == (seen.lang == "ko" ? korean : english), "\(setting): \(seen.services)")
            #expect(seen.incidents == ["Data-center fire", "DNS trouble"], "\(setting)")
            #expect(seen.fits, "\(setting): no horizontal scrolling (widest element ends at \(seen.widest)), with the subscription form")
            #expect(seen.subscribe, "\(setting): the e-mail subscription form is shown")
            if let scrollWidth = seen.scroll_width, let innerWidth = seen.inner_width { #expect(scrollWidth <= innerWidth, "\(setting)") }
            #expect(!seen.text.contains("status-test-token"))
            let timeline = try #require(seen.timeline, "\(setting)")
            #expect(timeline.heading == "Data-center fire")
            #expect(timeline.text.contains("Mail works again") && timeline.text.contains("Power lost at 15:30"), "\(setting)")
            #expect(timeline.text.contains("(GMT+9)") || timeline.text.contains("GMT+9"), "times in the page's zone: \(setting)")
        }
        for seen in report.exported {
            #expect(seen.services == english, "\(seen.viewport): \(seen.services)")
            #expect(seen.fits, "\(seen.viewport)")
            #expect(seen.subscribe, "\(seen.viewport): the exported page has the form too")
            let timeline = try #require(seen.timeline)
            #expect(timeline.url.hasPrefix("file://") && timeline.url.hasSuffix("/incidents/\(fire).html"), "\(timeline.url)")
            #expect(timeline.text.contains("Mail works again"))
        }
        #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/status-phone-ko.png"))
    }
}
