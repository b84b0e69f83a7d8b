import Consensus
import LedgerCore
import Testing

/// Codes and identifiers are checked against their grammars and compared as bytes.
@Suite struct CodesTests {
    @Test func partyCodesAreBytes() {
        #expect(Codes.isParty("KR"))
        // U+212A KELVIN SIGN is canonically equivalent to K: `String` equality says "KR".
        #expect("\u{212A}R" == "KR")
        #expect(!Codes.isParty("\u{212A}R"))
        #expect(!Codes.isDestination("\u{212A}R"))
        #expect(!Codes.isParty("kr") && !Codes.isParty("UK") && !Codes.isParty("KRR"))
    }

    @Test func identifiersAreBytes() {
        #expect(Codes.isIdentifier("G7-EUV-1"))
        #expect(!Codes.isIdentifier("G7-EU\u{212A}"))
        #expect(Codes.isForumID(String(repeating: "F", count: 32)))
        #expect(!Codes.isForumID(String(repeating: "F", count: 33)))
    }

    /// The dotted grammar is the one `ControlLists.ItemCode` reads: each segment is 1–4 digits
    /// without a leading zero, or 1–3 lower-case letters.
    @Test func dottedItemCodesFollowTheSegmentGrammar() {
        for ok in ["3B001", "3B001.f.1", "3B001.f.1.b", "4A906", "3A001.z", "3B001.a.1000", "3B001.aaa", "3B001.0"] {
            #expect(Codes.isItemCode(ok, scheme: "wassenaar"), "\(ok)")
        }
        for bad in ["3B001.f1", "3B001.01", "3B001.abcd", "3B001.12345", "3B001.F", "3B001.", "3B001..a", "3F001", "3b001"] {
            #expect(!Codes.isItemCode(bad, scheme: "eu"), "\(bad)")
        }
        #expect(Codes.isItemCode("EAR99", scheme: "us-eccn"))
        #expect(!Codes.isItemCode("EAR99", scheme: "eu"))
    }
}
