// libFuzzer target: the JSON reader that reads every API body and `--vars` file.
// Built by scripts/fuzz from JSONReader.swift and TemplateValue.swift alone (no dependencies).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    do {
        let value = try JSONReader.parse(bytes)
        // Whatever it reads, it reads the same way twice.
        precondition((try? JSONReader.parse(bytes)) == value)
    } catch {
        precondition(error.offset <= count, "a syntax error points into the input")
    }
    return 0
}
