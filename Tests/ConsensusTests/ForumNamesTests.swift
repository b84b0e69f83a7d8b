import Consensus
import LedgerCore
import Testing

/// The one forum-name rule (specs/consensus.md §Forum names): exact, else a unique match
/// without ASCII case, else an error naming the nearest id.
@Suite struct ForumNamesTests {
    @Test func exactThenUniqueCaseInsensitiveMatch() throws {
        #expect(try ForumNames.resolve("G7", among: ["G7", "Quad"]) == "G7")
        #expect(try ForumNames.resolve("g7", among: ["G7", "Quad"]) == "G7")
        #expect(try ForumNames.resolve("QUAD", among: ["G7", "Quad"]) == "Quad")
        // Both spellings chartered: each exact name is its own forum; another spelling is ambiguous.
        #expect(try ForumNames.resolve("g7", among: ["G7", "g7"]) == "g7")
        #expect(throws: LedgerError.notFound("")) { try ForumNames.resolve("G7 ", among: ["G7"]) }
        do {
            _ = try ForumNames.resolve("quad", among: ["QUAD", "Quad"])
            Issue.record("an ambiguous name resolved")
        } catch {
            #expect(error.message == "forum \"quad\" is ambiguous: \"QUAD\" or \"Quad\"")
        }
    }

    @Test func unknownNamesNameTheNearestIdAndNeverFoldUnicode() throws {
        do {
            _ = try ForumNames.resolve("G8", among: ["G7", "Quad"])
            Issue.record("G8 resolved")
        } catch { #expect(error.message == "no forum \"G8\"; did you mean \"G7\"?") }
        // U+212A KELVIN SIGN is not K, with or without case.
        #expect(throws: LedgerError.notFound("")) { try ForumNames.resolve("\u{212A}R", among: ["KR"]) }
        do { _ = try ForumNames.resolve("G7", among: []) } catch {
            #expect(error.message == "no forum \"G7\" (no forum is chartered)")
        }
        #expect(try Forums.resolve("cptpp").id == "CPTPP")
    }
}
