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
}
