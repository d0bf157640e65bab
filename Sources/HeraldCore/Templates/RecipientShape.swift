/// Which of the recipient fields a template sees (`{{recipient.*}}`) are empty. Empty text is falsy
/// and any other text is truthy, so this is all of a recipient that can change which sections a
/// template takes — and so whether a strict render passes, and what a `RenderStencil` looks like.
public struct RecipientShape: Hashable, Sendable {
    private var emptyFields: UInt32

    public init(_ recipient: Recipient) {
        emptyFields = 0
        for (bit, field) in RenderContext.recipientFields(of: recipient).enumerated() where field.value.isEmpty { emptyFields |= 1 << bit }
    }
}
