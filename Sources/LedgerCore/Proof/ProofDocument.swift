/// A proof as a verifier receives it: a C2SP tlog-proof bundle, or one of the JSON forms of
/// `ledger proof inclusion`/`ledger proof consistency` (specs/cli.md §Proofs).
public enum ProofDocument: Sendable {
    /// A `c2sp.org/tlog-proof@v1` bundle: an inclusion proof with its signed checkpoint.
    case tlogProof(TlogProof)
    /// `{"index","treeSize","leafHash","hashes"}`.
    case inclusion(InclusionProof)
    /// `{"size1","size2","hashes"}`.
    case consistency(ConsistencyProof)

    /// Parses a proof: a tlog-proof bundle when the text starts with `c2sp.org/` (another C2SP
    /// header is refused as such), otherwise a JSON proof (whitespace allowed), which is an
    /// inclusion proof when it has a `leafHash` member and a consistency proof otherwise.
    ///
    /// - Throws: `.malformed` for text that is neither form.
    public init(parsing text: String) throws(LedgerError) {
        if text.hasPrefix("c2sp.org/") {
            self = .tlogProof(try TlogProof(parsing: text))
            return
        }
        let json: JSONValue
        do throws(LedgerError) { json = try JSONParser.parse(Array(text.utf8)) } catch {
            // Any failure to read the JSON text (its limits included) is malformed input here.
            throw .malformed(error.message)
        }
        if json["leafHash"] != nil {
            self = .inclusion(try InclusionProof(json: json))
        } else {
            self = .consistency(try ConsistencyProof(json: json))
        }
    }
}
