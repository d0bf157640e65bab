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

    /// `--notify TEMPLATE [--var K=V …] [--wait]`: queue that template to the incident's audience.
    struct NotifyOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Queue this template to the incident's audience (superseding its unsent previous notice).", valueName: "TEMPLATE"))
        var notify: String?
        @Option(name: .customLong("var"), help: ArgumentHelp("A template variable for --notify.", valueName: "K=V")) var vars: [String] = []
        @Option(help: "Priority of the notice.") var priority: Priority = .high
        @Flag(help: "With --notify: deliver in this process; exit 0 only if every message was delivered.") var wait = false

        func validate() throws {
            if notify == nil, !vars.isEmpty || wait { throw ValidationError("--var and --wait go with --notify TEMPLATE") }
            _ = try make()
        }

        func make() throws -> IncidentDesk.Notify? {
            guard let notify else { return nil }
            var values: [String: TemplateValue] = [:]
            try NoticeOptions.assign(vars, to: &values)
            return IncidentDesk.Notify(template: notify, vars: values, priority: priority)
        }
    }

    /// `--service NAME=STATUS` values; a bad one is a usage error.
    static func services(_ values: [String]) throws -> [Incident.Service] {
        try values.map { text in
            switch Incident.parseService(text) {
            case .success(let service): service
            case .failure(let error): throw ValidationError("--service \(error)")
            }
        }
    }

    /// Runs `body` with an incident desk on the configured store, prints the incident id, and follows
    /// the broadcast queued with the change (`--wait`), or says it was only queued.
    static func withDesk(_ global: GlobalOptions, notify: NotifyOptions, _ body: (IncidentDesk) async throws -> IncidentDesk.Outcome) async throws {
        let runtime = try HeraldRuntime(options: global)
        try await runtime.withStore { store in
            let outcome: IncidentDesk.Outcome
            do {
                outcome = try await body(IncidentDesk(store: store, intake: runtime.makeIntake(store: store), clock: runtime.clock))
            } catch let error as IncidentError {
                throw CommandFailure(error.description)
            }
            print(outcome.incident.id)
            if let problem = outcome.exportProblem { FileHandle.standardError.write(Data("warning: status page not exported: \(problem)\n".utf8)) }
            guard let broadcast = outcome.broadcast else { return }
            DeliveryWaiter.note("broadcast \(broadcast.id)")
            try await DeliveryWaiter(runtime: runtime, store: store)
                .follow(.notice(id: broadcast.noticeID), queued: "\(broadcast.total) message\(broadcast.total == 1 ? "" : "s")", wait: notify.wait)
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

        func validate() throws { _ = try IncidentCommand.services(service) }

        func run() async throws {
            let services = try IncidentCommand.services(service)
            let notice = try notify.make()
            try await IncidentCommand.withDesk(global, notify: notify) { desk in
                try await desk.open(title: title, services: services, segment: segment, note: note, notify: notice)
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

        func validate() throws {
            guard try !IncidentCommand.services(service).isEmpty || note != nil else { throw ValidationError("give --service NAME=STATUS or --note TEXT") }
        }

        func run() async throws {
            let services = try IncidentCommand.services(service)
            let notice = try notify.make()
            try await IncidentCommand.withDesk(global, notify: notify) { desk in
                try await desk.update(id: id, services: services, note: note, resolve: false, notify: notice)
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
            let notice = try notify.make()
            try await IncidentCommand.withDesk(global, notify: notify) { desk in
                try await desk.update(id: id, services: [], note: note, resolve: true, notify: notice)
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
