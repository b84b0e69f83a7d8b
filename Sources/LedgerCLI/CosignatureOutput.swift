import ArgumentParser
import LedgerCore
import LedgerCrypto

/// How `proof verify` and `checkpoint verify` take witness keys and print cosignatures
/// (specs/cli.md, "Checkpoints and witnesses"): times in RFC 3339, JSON times as numbers with
/// an RFC 3339 string beside them.
enum CosignatureOutput {
    /// The `--witness` values as keys; a 0x01 vkey stands for its 0x04 cosigner key
    /// (specs/ledger-format.md §8).
    static func witnessKeys(_ values: [String]) throws(LedgerError) -> [NoteVerifierKey] {
        try values.map { v throws(LedgerError) in
            let v = try KeyArguments.vkey(v, flag: "--witness")
            do throws(LedgerError) { return try NoteVerifierKey(parsing: v) } catch {
                throw .malformed("--witness: \(error.message)")
            }
        }
    }

    /// The rules `--min-cosignatures` and `--witness` share in `proof verify` and
    /// `checkpoint verify`: a count needs the keys to count.
    static func validate(minCosignatures: Int, witnesses: [String]) throws {
        guard minCosignatures >= 0 else { throw ValidationError("--min-cosignatures must be ≥ 0") }
        if minCosignatures > 0 && witnesses.isEmpty {
            throw ValidationError("--min-cosignatures needs --witness: only the witness keys you give count")
        }
    }

    /// Every valid cosignature of `set`, in line order, with what became of it.
    static func classified(_ set: CosignatureSet) -> [(cosignature: CosignatureSet.Cosignature, status: String)] {
        let all =
            set.counted.map { ($0, "counted") } + set.future.map { ($0, "future") }
            + set.repeated.map { ($0, "repeated") }
        return all.sorted { $0.0.line < $1.0.line }.map { (cosignature: $0.0, status: $0.1) }
    }

    /// One line per valid cosignature: `cosignature: NAME+KEYID at TIME (counted)`.
    static func lines(_ set: CosignatureSet) -> [String] {
        classified(set).map { c, status in
            let why: String
            switch status {
            case "counted": why = "counted"
            case "future":
                why = "not counted: more than \(CosignaturePolicy.futureTolerance) s ahead of this verifier's clock"
            default: why = "not counted: the same public key as a cosignature already counted"
            }
            return "cosignature: \(c.key.label) at \(c.timeText) (\(why))"
        }
    }

    /// `[{"witness","keyID","line","time","timeRFC3339","status"}]`, `time` in seconds since
    /// the epoch and `status` one of `counted`, `future`, `repeated`.
    static func json(_ set: CosignatureSet) -> JSONValue {
        .array(
            classified(set).map { c, status in
                .object([
                    "witness": .string(c.key.name), "keyID": .string(c.key.keyIDHex), "line": .integer(Int64(c.line)),
                    "time": .integer(Int64(c.time)), "timeRFC3339": .string(c.timeText), "status": .string(status),
                ])
            })
    }
}
