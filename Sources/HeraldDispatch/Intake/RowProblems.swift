import HeraldCore

/// The bad rows of one audience, collected so an import or broadcast reports up to `limit` of them at
/// once instead of one per run. A row-level problem is kept and reading goes on; any other error
/// (a template, a route, an unreadable file) ends the run at once.
struct RowProblems {
    /// How many bad rows one run reports.
    static let limit = 20
    private(set) var problems: [IntakeError] = []

    /// Runs one row's read or check. Returns `nil` when the row was bad (and kept); throws once
    /// `limit` rows were bad, or for a problem that is not about one row.
    mutating func row<Value>(_ body: () throws -> Value) throws -> Value? {
        do {
            return try body()
        } catch let error as AudienceError {
            // A file that cannot be read (line 0) ends the run, as the intake error callers map.
            guard error.line > 0 else { throw IntakeError.audience(error) }
            try keep(.audience(error))
        } catch let error as IntakeError where error.isAboutOneRow {
            try keep(error)
        }
        return nil
    }

    /// Keeps a row-level problem; throws once `limit` rows were bad.
    mutating func keep(_ problem: IntakeError) throws {
        problems.append(problem)
        if problems.count >= Self.limit { throw IntakeError.rows(problems) }
    }

    /// Throws what was kept: the one problem, or all of them.
    func finish() throws {
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw IntakeError.rows(problems) }
    }
}

extension IntakeError {
    /// Whether the problem is about one row of an audience, so reading may go on past it.
    var isAboutOneRow: Bool {
        switch self {
        case .audience(let error): error.line > 0
        case .unreachable(let file, _, _, _), .renderFailed(let file, _, _), .invalidContact(let file, _, _, _): file != nil
        default: false
        }
    }
}
