import HeraldCore
import HeraldDispatch

extension Problem {
    /// The 422 for a refused send or broadcast, pointing at the field of the request body at fault.
    /// - Parameter recipients: the pointer of the recipients a row number refers to (`/to` for a single send).
    static func from(_ error: IntakeError, recipients: RecipientPointer) -> Problem {
        switch error {
        case .template(let error):
            return from(error)
        case .renderFailed(_, let line, let error):
            var problem = from(error)
            problem.detail = "\(recipients.pointer(line)): \(problem.detail)"
            return problem
        case .route(let error):
            return .invalid("/route", error.description)
        case .unreachable(_, let line, let recipient, let route):
            return .invalid(
                recipients.pointer(line), "recipient '\(recipient)' has no contact point for any channel of the route [\(route.joined(separator: ", "))]"
            )
        case .invalidContact(_, let line, let field, let reason):
            return .invalid(recipients.pointer(line) + "/" + field, reason)
        case .tooManySegments:
            return .invalid("/vars", error.description, slug: "sms-too-long")
        case .invalidField(let field, let reason):
            return .invalid("/" + field.replacingOccurrences(of: "--", with: "").replacingOccurrences(of: "-", with: "_"), reason)
        case .emptyAudience:
            return .invalid("/audience/segment", error.description)
        case .rows(let problems):
            var problem = Problem.invalid("", "\(problems.count) rows are not valid")
            problem.errors = problems.flatMap { from($0, recipients: recipients).errors }
            return problem
        case .audience(let error):
            return .invalid(recipients.pointer(error.line) + (error.field.map { "/\($0)" } ?? ""), error.reason)
        }
    }

    static func from(_ error: TemplateError) -> Problem {
        switch error {
        case .unknownTemplate:
            .invalid("/template", error.description, slug: "unknown-template")
        case .missingVariable(_, _, _, let variables), .missingRequiredVariable(_, let variables):
            .invalid(variables.map { "/vars/" + $0.replacingOccurrences(of: ".", with: "/") }, error.description, slug: "missing-variable")
        case .reservedVariable(_, let variable):
            .invalid("/vars/" + variable, error.description, slug: "missing-variable")
        case .notAValue(_, _, _, let variable):
            .invalid("/vars/" + variable.replacingOccurrences(of: ".", with: "/"), error.description, slug: "invalid-variable")
        case .invalidFile, .invalidWebhookJSON, .missingPart:
            .invalid("/template", error.description, slug: "template")
        }
    }
}

extension Problem {
    /// 404 for an id that names nothing, 409 for a message that cannot be cancelled now.
    static func from(_ error: OperatorError) -> Problem {
        switch error {
        case .notFound: .notFound(error.description)
        case .notCancellable: Problem(status: .conflict, slug: "not-cancellable", title: "Not cancellable", detail: error.description)
        }
    }
}

/// Where row `n` of an audience lives in the request body.
enum RecipientPointer {
    /// A single send: everything is about `/to`.
    case single
    /// Rows are elements of an array at this pointer (`/audience/recipients`, or `` for an upload).
    case array(String)
    /// Stored recipients (a segment broadcast): the segment is at fault.
    case segment

    func pointer(_ line: Int) -> String {
        switch self {
        case .single: "/to"
        case .array(let base): "\(base)/\(max(line - 1, 0))"
        case .segment: "/audience/segment"
        }
    }
}
