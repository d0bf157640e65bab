/// A bad audience row, naming the file, line and field.
public struct AudienceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line where the row starts (the header is line 1 in a CSV).
    public var line: Int
    /// The column or JSON key, when the problem is in one field.
    public var field: String?
    public var reason: String

    public init(file: String, line: Int, field: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        "\(file):\(line): \(field.map { "field '\($0)': " } ?? "")\(reason)"
    }
}
