import LedgerCore
import Testing

/// ``Timestamp/init(rfc3339DateTime:)``: every RFC 3339 `date-time`, as a UTC instant truncated
/// to the second; ``Timestamp/init(rfc3339:)`` stays the one strict form the ledger stores.
@Suite struct TimestampDateTimeTests {
    @Test(arguments: [
        ("2026-10-01T09:00:00Z", "2026-10-01T09:00:00Z"),
        ("2026-10-01t09:00:00z", "2026-10-01T09:00:00Z"),
        ("2026-10-01T18:00:00+09:00", "2026-10-01T09:00:00Z"),
        ("2026-10-01T04:30:00-04:30", "2026-10-01T09:00:00Z"),
        ("2026-10-01T09:00:00-00:00", "2026-10-01T09:00:00Z"),
        ("2026-10-01T09:00:00.999999999Z", "2026-10-01T09:00:00Z"),
        ("2026-10-01T10:00:00.5+01:00", "2026-10-01T09:00:00Z"),
        ("2026-12-31T23:59:60Z", "2027-01-01T00:00:00Z"),
        ("2027-01-01T00:59:60+01:00", "2027-01-01T00:00:00Z"),
        ("1970-01-01T09:00:00+09:00", "1970-01-01T00:00:00Z"),
    ])
    func parsesEveryFormToTheSameUTCInstant(text: String, utc: String) throws {
        let t = try #require(Timestamp(rfc3339DateTime: text), "\(text)")
        #expect(t.rfc3339 == utc, "\(text)")
    }

    @Test(arguments: [
        "", "2026-10-01", "2026-10-01 09:00:00Z", "2026-10-01T09:00:00", "2026-10-01T09:00:00.Z",
        "2026-10-01T09:00:00.5", "2026-10-01T09:00:00+0900", "2026-10-01T09:00:00+24:00", "2026-10-01T09:00:00+09:60",
        "2026-10-01T24:00:00Z", "2026-10-01T09:61:00Z", "2026-02-29T09:00:00Z", "1969-12-31T23:59:59Z",
        "1970-01-01T08:59:59+09:00", "2026-10-01T09:00:00ZZ", "2026-10-01T09:00:00+09:00:00", "２026-10-01T09:00:00Z",
        // A leap second anywhere but at the end of a UTC day.
        "2026-10-01T09:00:60Z", "2026-12-31T23:58:60Z", "2027-01-01T00:59:60+02:00",
    ])
    func refusesWhatIsNotAnRFC3339DateTime(text: String) {
        #expect(Timestamp(rfc3339DateTime: text) == nil, "\(text)")
    }

    @Test func theStrictFormIsUnchanged() {
        #expect(Timestamp(rfc3339: "2026-10-01T18:00:00+09:00") == nil)
        #expect(Timestamp(rfc3339: "2026-10-01T09:00:00.5Z") == nil)
        #expect(Timestamp(rfc3339: "2026-10-01T09:00:00Z")?.rfc3339 == "2026-10-01T09:00:00Z")
    }
}
