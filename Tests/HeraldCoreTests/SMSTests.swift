import HeraldCore
import Testing

@Suite("Phone numbers")
struct PhoneNumberTests {
    static let valid: [(input: String, region: String?, expected: String)] = [
        ("010-1234-5678", "KR", "+821012345678"),
        ("01012345678", "KR", "+821012345678"),
        ("02-123-4567", "KR", "+8221234567"),
        ("+82 10-1234-5678", nil, "+821012345678"),
        ("+1 (555) 010-0100", nil, "+15550100100"),
        ("(555) 010-0100", "US", "+15550100100"),
        ("1-555-010-0100", "US", "+15550100100"),
        ("416-555-0199", "CA", "+14165550199"),
        ("07700 900123", "GB", "+447700900123"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("090-1234-5678", "JP", "+819012345678"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("030 123456", "DE", "+4930123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0033 6 12 34 56 78", nil, "+33612345678"),
        ("+49 30 123456", "KR", "+4930123456"),
    ]

    @Test(arguments: valid)
    func normalisesToE164(input: String, region: String?, expected: String) throws {
        #expect(try PhoneNumber.normalize(input, defaultRegion: region) == expected)
    }

    static let invalid: [(input: String, region: String?, reason: String)] = [
        ("010-1234-56789-0", "KR", "KR numbers have 8 to 10 digits"),
        ("555-0100", "US", "US numbers have 10 digits"),
        ("(055) 010-0100", "US", "cannot start with 0"),
        ("06 12 34 56", "FR", "FR numbers have 9 digits"),
        ("010-1234-5678", nil, "needs the channel's default_region"),
        ("010-1234-5678", "XX", "unknown region 'XX'"),
        ("+82 10 1234 5678 9999", nil, "8 to 15 digits"),
        ("010-12a4-5678", "KR", "'a' is not allowed"),
        ("+82+1012345678", nil, "a + may only start"),
        ("+1 055 010 0100", nil, "cannot start with 0"),
        ("", "KR", "no digits"),
    ]

    @Test(arguments: invalid)
    func refusesInvalidNumbersWithTheReason(input: String, region: String?, reason: String) {
        #expect {
            try PhoneNumber.normalize(input, defaultRegion: region)
        } throws: { error in
            (error as? PhoneNumber.Invalid)?.reason.contains(reason) == true
        }
    }
}

@Suite("SMS segments")
struct SMSSegmentTests {
    @Test(arguments: [(160, 1), (161, 2), (306, 2), (307, 3)])
    func gsm7Boundaries(length: Int, segments: Int) {
        let count = SMSSegments(String(repeating: "a", count: length))
        #expect(count.encoding == .gsm7)
        #expect(count.segments == segments)
    }

    @Test func extensionCharactersCountDouble() {
        let count = SMSSegments(String(repeating: "a", count: 158) + "€")
        #expect(count.encoding == .gsm7)
        #expect(count.units == 160)
        #expect(count.segments == 1)
        #expect(SMSSegments(String(repeating: "a", count: 159) + "{").segments == 2)
    }

    @Test(arguments: [(70, 1), (71, 2), (134, 2), (135, 3)])
    func ucs2BoundariesForKorean(length: Int, segments: Int) {
        let count = SMSSegments(String(repeating: "한", count: length))
        #expect(count.encoding == .ucs2)
        #expect(count.units == length)
        #expect(count.segments == segments)
    }

    @Test func emojiForceUCS2AndTakeTwoUnits() {
        let count = SMSSegments("Service restored 🎉")
        #expect(count.encoding == .ucs2)
        #expect(count.units == 19)
        #expect(SMSSegments(String(repeating: "a", count: 69) + "🎉").segments == 2)
    }

    @Test func anEmptyTextIsOneSegment() {
        #expect(SMSSegments("").segments == 1)
    }
}
