import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `herald incident open | update | resolve | list`.
struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident", abstract: "Track an outage's services and notify recipients as it unfolds.",
        subcommands: [Open.self, Update.self, Resolve.self, List.self]
    )

    /// `--notify TEMPLATE [--var K=V …]`: queue that template to the incident's audience.
    struct NotifyOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Queue this template to the incident's audience (superseding its unsent previous notice).", valueName: "TEMPLATE"))
        var notify: String?
        @Option(name: .customLong("var"), help: ArgumentHelp("A template variable for --notify.", valueName: "K=V")) var vars: [String] = []
        @Option(help: "Priority of the notice.") var priority: Priority = .high

        func make() throws -> IncidentDesk.Notify? {
            guard let notify else {
                if !vars.isEmpty { throw ValidationError("--var needs --notify TEMPLATE") }
                return nil
            }
            var values: [String: TemplateValue] = [:]
            try NoticeOptions.assign(vars, to: &values)
            return IncidentDesk.Notify(template: notify, vars: values, priority: priority)
        }
    }

    static func services(_ values: [String]) throws -> [Incident.Service] {
        try values.map { text in
            switch Incident.parseService(text) {
            case .success(let service): service
            case .failure(let error): throw ValidationError("--service \(error)")
            }
        }
    }

    /// Runs `body` with an incident desk on the configured store, then prints the outcome.
    static func withDesk(_ global: GlobalOptions, _ body: (IncidentDesk) async throws -> IncidentDesk.Outcome) async throws {
        let runtime = try HeraldRuntime(options: global)
        let outcome = try await runtime.withStore { store in
            try await body(IncidentDesk(store: store, intake: runtime.makeIntake(store: store), clock: runtime.clock))
        }
        print(outcome.incident.id)
        if let broadcast = outcome.broadcast {
            FileHandle.standardError.write(Data("queued broadcast \(broadcast.id) (\(broadcast.total) messages)\n".utf8))
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an incident and print its id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What happened, e.g. \"Data-center fire\".") var title: String
        @Option(help: ArgumentHelp("An affected service and its status (outage, degraded, recovering, restored).", valueName: "NAME=STATUS"))
        var service: [String] = []
        @Option(help: "Notify this segment of the stored recipients (default: everyone).") var segment: String?
        @Option(help: "A first note for the timeline.") var note: String?
        @OptionGroup var notify: NotifyOptions

        func run() async throws {
            let services = try IncidentCommand.services(service)
            let notify = try notify.make()
            try await IncidentCommand.withDesk(global) { desk in
                try await desk.open(title: title, services: services, segment: segment, note: note, notify: notify)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change service statuses and add a note.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The incident id (inc_…).") var id: String
        @Option(help: ArgumentHelp("A service and its new status.", valueName: "NAME=STATUS")) var service: [String] = []
        @Option(help: "A note for the timeline.") var note: String?
        @OptionGroup var notify: NotifyOptions

        func run() async throws {
            let services = try IncidentCommand.services(service)
            guard !services.isEmpty || note != nil else { throw ValidationError("give --service NAME=STATUS or --note TEXT") }
            let notify = try notify.make()
            try await IncidentCommand.withDesk(global) { desk in
                try await desk.update(id: id, services: services, note: note, resolve: false, notify: notify)
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark every service restored and close the incident.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The incident id (inc_…).") var id: String
        @Option(help: "A closing note.") var note: String?
        @OptionGroup var notify: NotifyOptions

        func run() async throws {
            let notify = try notify.make()
            try await IncidentCommand.withDesk(global) { desk in
                try await desk.update(id: id, services: [], note: note, resolve: true, notify: notify)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List incidents, newest first.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only open incidents.") var open = false
        @Flag(help: "Print one JSON object per incident.") var json = false

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let incidents = try await runtime.withStore { store in try await store.incidents(openOnly: open) }
            for incident in incidents {
                if json {
                    try JSONOutput.print(incident)
                } else {
                    let services = incident.services.map { "\($0.name)=\($0.status.rawValue)" }.joined(separator: " ")
                    print([incident.id, incident.state.rawValue, incident.title, services].joined(separator: "\t"))
                }
            }
        }
    }
}
