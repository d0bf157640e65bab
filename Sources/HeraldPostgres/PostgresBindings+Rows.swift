import HeraldCore
import HeraldStore
import PostgresNIO

/// Building the multi-row `INSERT`s that write a batch in one statement.
extension PostgresBindings {
    /// Appends one row's values and returns their placeholders (`$7, $8, …`) for its `VALUES (…)`.
    mutating func appendRow(_ values: (inout PostgresBindings) -> Void) -> String {
        let first = count + 1
        values(&self)
        return (first...count).map { "$\($0)" }.joined(separator: ", ")
    }

    /// Appends a recipient's columns in schema order: id, name, locale, email, phone, webhook and its
    /// segments as one text (`SegmentColumn`).
    mutating func appendRecipient(_ recipient: Recipient) {
        append(recipient.id)
        append(recipient.name)
        append(recipient.locale)
        append(recipient.contacts.email)
        append(recipient.contacts.phone)
        append(recipient.contacts.webhook)
        append(SegmentColumn.join(recipient.segments))
    }
}
