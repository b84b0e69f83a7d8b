import LedgerCore
import LedgerCrypto
import Testing

@testable import Consensus

/// The one-pass reader of position bodies must give exactly what the field-by-field reader
/// gives, or nothing (and leave the body, and any error, to that reader).
@Suite struct FastPositionBodyTests {
    static let digest = Digest(base64: "P1st8e59l8A9WDR/OOFgASiDNt4EXfckvUlJ5JOq5QU=")!

    /// 6,480 bodies: every combination of good, escaped, mistyped and missing fields, each
    /// stance and a bad one, with and without a reason, and unknown fields that sort before,
    /// between and after the known ones.
    @Test func theFastReaderAgreesWithTheFullReaderOnEveryVariant() throws {
        let parties: [JSONValue?] = ["JP", "J\"P", nil]
        let proposals: [JSONValue?] = ["G7-1", "G7\n1"]
        let reasons: [JSONValue?] = [nil, "", "too early", "scrutiny reserve é", "line\nbreak"]
        let revisions: [JSONValue?] = [12, "12", nil]
        let hashes: [JSONValue?] = [.string(FastPositionBodyTests.digest.base64), "AAAA", nil]
        let stances: [JSONValue?] = Stance.allCases.map { .string($0.rawValue) } + ["maybe", 1]
        let extras: [String?] = [nil, "aaa", "pb"]
        var fastCount = 0
        var fullCount = 0
        var cases = 0
        for party in parties {
            for proposal in proposals {
                for reason in reasons {
                    for revision in revisions {
                        for hash in hashes {
                            for stance in stances {
                                for extra in extras {
                                    var o = [String: JSONValue]()
                                    o["party"] = party
                                    o["proposal"] = proposal
                                    o["reason"] = reason
                                    o["revision"] = revision
                                    o["revisionHash"] = hash
                                    o["stance"] = stance
                                    if let extra { o[extra] = 1 }
                                    let r = BodyReader(CanonicalObject(o), kind: "position")
                                    let fast = NegotiationRules.PositionBody.fast(r)
                                    let full = try? NegotiationRules.PositionBody(fieldByField: r)
                                    cases += 1
                                    if fast != nil { fastCount += 1 }
                                    if full != nil { fullCount += 1 }
                                    if let fast { #expect(fast == full, "\(o)") }
                                    // Well-formed bodies without escapes take the fast path.
                                    let plain =
                                        party == "JP" && proposal == "G7-1" && reason != "line\nbreak"
                                        && revision == 12 && hash == .string(FastPositionBodyTests.digest.base64)
                                        && extra == nil
                                    if plain && full != nil { #expect(fast != nil, "\(o)") }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(cases == 6_480)
        // 4 stances × 4 reasons (none, empty, ASCII, non-ASCII) + 2 stances × 2 non-empty reasons.
        #expect(fastCount == 20)
        #expect(fullCount > fastCount)
    }

    @Test func stancesReadFromBytesAsFromText() {
        for text in Stance.allCases.map(\.rawValue) + ["", "maybe", "Support", "no-objectio", "no-objections"] {
            var t = text
            let fromBytes = t.withUTF8 { Stance(utf8: $0) }
            #expect(fromBytes == Stance(rawValue: text), "\(text)")
        }
    }
}
