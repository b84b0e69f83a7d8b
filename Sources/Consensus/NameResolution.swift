import LedgerCore

/// How a forum name that a person typed finds a charter: one rule for every command that takes
/// a forum (specs/consensus.md §Forum names).
///
/// 1. A name equal, byte for byte, to a chartered id names that forum.
/// 2. Otherwise a name equal to exactly one chartered id when ASCII letters are compared
///    without case names that forum (`g7` → `G7`, `quad` → `Quad`).
/// 3. Otherwise the name is unknown: the error names the closest id ("did you mean …?"), or,
///    when two ids differ only in case, both.
///
/// Statement bodies always carry the chartered id exactly: the rules compare forum ids as
/// bytes. This rule only maps what a person types to that id, before anything is signed.
package enum ForumNames {
    /// The chartered id that `name` means among `ids`, by the rule above.
    ///
    /// - Throws: ``LedgerError/notFound(_:)``: `no forum "G8"; did you mean "G7"?`, or, when the
    ///   case-insensitive match is not unique, `forum "g7" is ambiguous: "G7" or "g7"`.
    ///
    /// - Parameter noun: how the message names a forum: "forum", "built-in forum".
    package static func resolve(_ name: String, among ids: [String], noun: String = "forum") throws(LedgerError)
        -> String
    {
        if ids.contains(where: { $0.utf8.elementsEqual(name.utf8) }) { return name }
        let folded = asciiLowercased(name)
        let matches = ids.filter { asciiLowercased($0) == folded }
        switch matches.count {
        case 1: return matches[0]
        case 0:
            let known = ids.isEmpty ? " (no forum is chartered)" : Suggestions.didYouMean(name, among: ids)
            throw .notFound("no \(noun) \"\(name)\"\(known)")
        default:
            throw .notFound(
                "\(noun) \"\(name)\" is ambiguous: " + matches.map { "\"\($0)\"" }.joined(separator: " or "))
        }
    }

    /// ASCII letters folded to lower case; every other byte kept (so `\u{212A}` is not `k`).
    static func asciiLowercased(_ s: String) -> [UInt8] {
        s.utf8.map { (0x41...0x5a).contains($0) ? $0 | 0x20 : $0 }
    }
}

extension NegotiationRules {
    /// The id of the chartered forum that `name` means (see ``ForumNames``).
    ///
    /// - Throws: ``LedgerError/notFound(_:)`` for a name that means no chartered forum.
    package func resolveForum(_ name: String) throws(LedgerError) -> String {
        try ForumNames.resolve(name, among: forumOrder)
    }
}

extension Forums {
    /// The built-in charter that `name` means, by the rule of ``ForumNames``.
    ///
    /// - Throws: ``LedgerError/notFound(_:)`` for a name that means no built-in charter.
    package static func resolve(_ name: String) throws(LedgerError) -> ForumCharter {
        let id = try ForumNames.resolve(name, among: all.map(\.id), noun: "built-in forum")
        return all.first { $0.id == id }!
    }
}

extension NegotiationRules {
    /// The fields a `proposal` body may carry, for "did you mean" on a misspelt one.
    package static var proposalFieldNames: Set<String> { proposalFields.names }

    /// The fields a `proposal.amend` body may carry.
    package static var amendFieldNames: Set<String> { amendFields.names }
}
