import HeraldCore

/// Why a send or broadcast was refused. Nothing was queued when this is thrown.
public enum IntakeError: Error, Sendable, CustomStringConvertible {
    case template(TemplateError)
    case audience(AudienceError)
    case route(RouteError)
    /// A recipient no channel of the route can reach (`line` is 0 for a single send).
    case unreachable(file: String?, line: Int, recipient: String, route: [String])
    /// A template problem that only shows for some recipients, with the row it showed on.
    case renderFailed(file: String?, line: Int, TemplateError)
    /// A contact point a channel of the route would use is invalid (a phone number its SMS channel cannot read).
    case invalidContact(file: String?, line: Int, field: String, reason: String)
    /// The SMS text would take more segments than the channel allows (refused for single sends; never cut).
    case tooManySegments(channel: String, segments: Int, encoding: String, maxSegments: Int)
    /// A request field is wrong (`--expires-in`, `--to`, ...).
    case invalidField(String, reason: String)
    /// Several bad rows of one audience (up to `RowProblems.limit`), each a row-level error.
    indirect case rows([IntakeError])
    /// A stored-audience broadcast whose segment (or directory, when `nil`) has no recipients.
    case emptyAudience(segment: String?)

    public var description: String {
        switch self {
        case .template(let error): "\(error)"
        case .audience(let error): "\(error)"
        case .route(let error): "route: \(error)"
        case .unreachable(let file, let line, let recipient, let route):
            "\(Self.location(file, line))recipient '\(recipient)' has no contact point for any channel of the route [\(route.joined(separator: ", "))]"
        case .renderFailed(let file, let line, let error): "\(Self.location(file, line))\(error)"
        case .invalidContact(let file, let line, let field, let reason): "\(Self.location(file, line))field '\(field)': \(reason)"
        case .tooManySegments(let channel, let segments, let encoding, let maxSegments):
            "the sms text \(SMSSegments.overrun(segments: segments, encoding: encoding, maxSegments: maxSegments)) of channel '\(channel)'; shorten the variables or the template"
        case .invalidField(let field, let reason): "\(field): \(reason)"
        case .rows(let problems):
            "\(problems.count) bad rows\(problems.count >= RowProblems.limit ? " (the first \(RowProblems.limit))" : ""):\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        case .emptyAudience(let segment):
            segment.map { "segment '\($0)' has no recipients (import some with `herald audience import` or PUT /v1/recipients)" }
                ?? "there are no stored recipients (import some with `herald audience import` or PUT /v1/recipients)"
        }
    }

    private static func location(_ file: String?, _ line: Int) -> String {
        guard let file else { return "" }
        return "\(file):\(line): "
    }
}
