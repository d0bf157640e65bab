import Foundation

// libFuzzer target: the audience reader (CSV, and JSON Lines when the input starts with `{`) that
// reads every imported and broadcast file. Built by scripts/fuzz from the audience sources alone.

let fuzzFile = NSTemporaryDirectory() + "herald-fuzz-audience-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudienceReader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let format: AudienceReader.Format = data.first == UInt8(ascii: "{") ? .jsonLines : .csv
    guard FileManager.default.createFile(atPath: fuzzFile, contents: data) else { return 0 }
    do {
        var reader = try AudienceReader(path: fuzzFile, format: format)
        var rows = 0
        while let row = try reader.next() {
            precondition(!row.recipient.id.isEmpty, "a recipient always has an id")
            rows += 1
            if rows > 1_000 { break }
        }
    } catch {
        precondition(error.file == fuzzFile, "an error names the file")
    }
    return 0
}
