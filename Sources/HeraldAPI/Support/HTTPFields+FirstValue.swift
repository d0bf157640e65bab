import HTTPTypes

extension HTTPFields {
    /// The first value of the field `name`, or `nil` when absent.
    ///
    /// `fields[name]` joins repeated fields with commas through generic, unspecialised code that
    /// showed in the profile of every send; the headers read per request (`Authorization`,
    /// `Content-Length`, `Idempotency-Key`, `X-Request-Id`) are single-valued, so the first is the value.
    func firstValue(_ name: HTTPField.Name) -> String? {
        for field in self where field.name == name { return field.value }
        return nil
    }
}
