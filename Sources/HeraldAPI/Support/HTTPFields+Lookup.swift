import HTTPTypes
import HeraldTelemetry

/// Lookups for the headers read on every request.
///
/// `fields[name]` joins repeated fields with commas through generic, unspecialised code that
/// showed in the profile of every send; these walk the fields once, specialised here.
extension HTTPFields {
    /// The first value of the field `name`, or `nil` when absent: for fields that are single-valued
    /// (`Content-Length`, `Idempotency-Key`, `X-Request-Id`).
    func firstValue(_ name: HTTPField.Name) -> String? {
        for field in self where field.name == name { return field.value }
        return nil
    }

    /// The value of `name` when the field appears exactly once; `nil` when it is absent or repeated,
    /// for a field where repetition is ambiguous (`Authorization`: which credential counts?).
    func onlyValue(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return nil }
            found = field.value
        }
        return found
    }
}

extension HTTPFields {
    /// The W3C trace context the caller sent (`traceparent`, `tracestate`), for the accept's span to continue.
    var traceHeaders: TraceHeaders {
        var fields: [String: String] = [:]
        for name in TraceHeaders.names {
            if let field = HTTPField.Name(name), let value = onlyValue(field) { fields[name] = value }
        }
        return TraceHeaders(fields)
    }
}
