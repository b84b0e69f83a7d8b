import Testing

@testable import LedgerCore

@Suite struct SuggestionsTests {
    @Test func closeNamesAreSuggestedFarOnesAreNot() {
        #expect(Suggestions.closest(to: "propse", among: ["position", "propose", "proof"]) == "propose")
        #expect(Suggestions.closest(to: "G8", among: ["G7", "Quad", "CPTPP"]) == "G7")
        #expect(Suggestions.closest(to: "quad", among: ["G7", "Quad"]) == "Quad")
        #expect(Suggestions.closest(to: "--keyfile", among: ["--key", "--file", "--json"]) == "--key")
        #expect(Suggestions.closest(to: "G7-SME-2026-3", among: ["G7-SME-2026-01", "G7-SME-2026-02"]) != nil)
        #expect(Suggestions.closest(to: "xyzzy", among: ["propose", "board"]) == nil)
        #expect(Suggestions.closest(to: "", among: ["a"]) == nil)
        #expect(Suggestions.distance(Array("ab".unicodeScalars), Array("ba".unicodeScalars)) == 1)
        #expect(Suggestions.didYouMean("borad", among: ["board"]) == "; did you mean \"board\"?")
    }

    @Test func aMaximumDistanceBoundsShortCodes() {
        // Any two 2-letter codes are within the default limit of 2; a bound of 1 keeps only typos.
        #expect(Suggestions.closest(to: "XY", among: ["DE", "JP"]) == "DE")
        #expect(Suggestions.closest(to: "JQ", among: ["DE", "JP"], maxDistance: 1) == "JP")
        #expect(Suggestions.closest(to: "XY", among: ["DE", "JP"], maxDistance: 1) == nil)
        #expect(Suggestions.didYouMean("XY", among: ["JP"], maxDistance: 1) == "")
    }
}
