import Foundation
import LedgerCrypto
import Testing

@testable import LedgerCore

/// The replay's fast paths must accept exactly what the full parser accepts and give the same
/// values: the scanner may only ever give up (and leave the error to the parser).
@Suite struct FastPathTests {
    /// Leaf lines of the committed sample ledger.
    static func sampleLeaves() throws -> [[UInt8]] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("ledger/entries.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").map { Array($0.utf8) }
    }

    static func fast(_ leaf: [UInt8]) -> Entry? {
        var signers = SignerCache()
        return leaf.withUnsafeBytes { Entry.scan($0, signers: &signers) }
    }

    static func slow(_ leaf: [UInt8]) -> Entry? {
        leaf.withUnsafeBytes { raw in try? Entry(parsing: raw) }
    }

    @Test func everySampleEntryTakesTheFastPathAndAgreesWithTheParser() throws {
        let leaves = try FastPathTests.sampleLeaves()
        #expect(leaves.count == 100)
        for (i, leaf) in leaves.enumerated() {
            let f = FastPathTests.fast(leaf)
            #expect(f != nil, "entry \(i) fell back to the parser")
            #expect(f == FastPathTests.slow(leaf), "entry \(i)")
            // The canonical body bytes are the leaf's own bytes, and re-encoding gives the leaf.
            #expect(f?.canonicalBytes == leaf, "entry \(i)")
        }
    }

    /// 30,000 random byte mutations of sample leaves: whenever the fast path accepts one, the
    /// parser accepts it too and reads the same entry.
    @Test func mutatedLeavesNeverMakeTheFastPathDisagree() throws {
        let leaves = try FastPathTests.sampleLeaves()
        var rng = SplitMix64(state: 1121)
        var fastAccepted = 0
        var slowAccepted = 0
        var scanner = LeafScanner()
        let interesting: [UInt8] =
            Array("\"\\{}[],:0123456789-eE.tfnu aé/".utf8) + [0x00, 0x1f, 0x7f, 0xc3, 0xa9, 0xee, 0xff]
        for i in 0..<30_000 {
            var doc = leaves[i % leaves.count]
            for _ in 0..<(1 + Int(rng.next() % 2)) {
                let pos = Int(rng.next() % UInt64(doc.count))
                let byte =
                    rng.next() % 2 == 0
                    ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
                switch rng.next() % 3 {
                case 0: doc[pos] = byte
                case 1: doc.insert(byte, at: pos)
                default: doc.remove(at: pos)
                }
            }
            let f = FastPathTests.fast(doc)
            let s = FastPathTests.slow(doc)
            if s != nil { slowAccepted += 1 }
            if let f {
                fastAccepted += 1
                #expect(s == f, "\(String(decoding: doc, as: UTF8.self))")
            }
            // The leaf scanner takes a leaf only when the fast path does, and reads the same.
            if let kind = f?.statement.kind ?? s?.statement.kind {
                let read = FastPathTests.scan(doc, kind: kind, with: &scanner)
                #expect((read != nil) == (f != nil), "\(String(decoding: doc, as: UTF8.self))")
                if let read, let f {
                    #expect(read == FastPathTests.summary(f), "\(String(decoding: doc, as: UTF8.self))")
                }
            } else {
                #expect(FastPathTests.scan(doc, kind: "position", with: &scanner) == nil)
            }
        }
        // Some mutations keep the leaf valid (for example a changed digit or letter in a string).
        #expect(fastAccepted > 100)
        #expect(slowAccepted >= fastAccepted)
    }

    /// What a ``LeafScanner`` reads, comparable: index, time, signer, and the body's bytes and
    /// fields as the reader sees them.
    struct Summary: Equatable {
        let index: UInt64
        let time: Timestamp
        let signer: NoteVerifierKey
        let body: JSONValue
    }

    static func summary(_ e: Entry) -> Summary {
        Summary(index: e.index, time: e.time, signer: e.statement.signer, body: e.statement.body)
    }

    static func scan(_ leaf: [UInt8], kind: String, with scanner: inout LeafScanner) -> Summary? {
        leaf.withUnsafeBytes { raw in
            scanner.read(raw, kind: kind) { header, body in
                var o = [String: JSONValue]()
                for k in body.keys { o[k] = body.value(k) }
                return Summary(index: header.index, time: header.time, signer: header.signer, body: .object(o))
            }
        }
    }

    /// One scanner, reused across every sample leaf, reads each leaf of the kind asked for
    /// exactly as `Entry(leaf:)` does, and no leaf of another kind.
    @Test func theLeafScannerReadsWhatTheEntryParserReads() throws {
        var scanner = LeafScanner()
        var positions = 0
        for (i, leaf) in try FastPathTests.sampleLeaves().enumerated() {
            let e = try Entry(leaf: leaf)
            #expect(
                FastPathTests.scan(leaf, kind: e.statement.kind, with: &scanner) == FastPathTests.summary(e),
                "entry \(i)")
            if e.statement.kind == "position" { positions += 1 }
            let other = e.statement.kind == "position" ? "proposal" : "position"
            #expect(FastPathTests.scan(leaf, kind: other, with: &scanner) == nil, "entry \(i)")
        }
        #expect(positions > 30)
        // A reader kept past the call stays valid: the scanner's next leaf does not change it.
        let leaves = try FastPathTests.sampleLeaves()
        let kept = leaves[5].withUnsafeBytes { raw in
            scanner.read(raw, kind: try! Entry(leaf: leaves[5]).statement.kind) { _, body in body }
        }
        _ = FastPathTests.scan(leaves[6], kind: try Entry(leaf: leaves[6]).statement.kind, with: &scanner)
        let keptKeys = try #require(kept).keys
        #expect(keptKeys == BodyReader(try Entry(leaf: leaves[5]).statement).keys)
    }

    /// Valid canonical leaves the scanner leaves to the parser (escapes in field values,
    /// non-ASCII keys) still parse, to the same entry as before.
    @Test func leavesWithEscapesParseThroughTheFallback() throws {
        let leaf = try FastPathTests.sampleLeaves()[3]
        let e = try Entry(leaf: leaf)
        // Rebuild the entry with a body that needs escapes and non-ASCII keys.
        let body: JSONValue = [
            "text": "line\none \"quoted\" \\ tab\t ctl\u{01} é 😀", "é": "accent key", "\u{fb01}": 1, "😀": 2,
        ]
        let st = try Statement(
            kind: e.statement.kind, body: body, signer: e.statement.signer, time: e.statement.time,
            nonce: e.statement.nonce)
        let rebuilt = Entry(
            index: e.index, prev: e.prev, time: e.time,
            signed: SignedStatement(statement: st, signature: e.signed.signature))
        let bytes = rebuilt.canonicalBytes
        #expect(try JSONParser.parse(bytes).canonicalBytes == bytes)
        let parsed = try Entry(leaf: bytes)
        #expect(parsed == rebuilt)
        #expect(parsed.statement.body == body)
        let r = BodyReader(parsed.statement)
        #expect(try r.string("text") == "line\none \"quoted\" \\ tab\t ctl\u{01} é 😀")
        #expect(try r.string("é") == "accent key")
        #expect(try r.integer("😀") == 2)
        #expect(r.keys == ["text", "é", "😀", "\u{fb01}"])
    }
}

@Suite struct CanonicalObjectTests {
    static let body: [String: JSONValue] = [
        "proposal": "G7-SME-2026-01", "revision": 12, "revisionHash": "P1st8e59l8A9WDR/OOFgASiDNt4EXfckvUlJ5JOq5QU=",
        "party": "JP", "stance": "object", "reason": "needs \"study\"\n", "n": -7, "list": ["a", 1, ["b"]],
        "obj": ["k": "v"], "flag": true, "nothing": nil,
    ]

    @Test func readsTheSameFieldsAsTheDictionary() throws {
        let c = CanonicalObject(CanonicalObjectTests.body)
        #expect(c.bytes == JSONValue.object(CanonicalObjectTests.body).canonicalBytes)
        #expect(c.json == .object(CanonicalObjectTests.body))
        let canonical = BodyReader(c, kind: "position")
        let dictionary = try BodyReader(.object(CanonicalObjectTests.body), kind: "position")
        for r in [canonical, dictionary] {
            #expect(try r.string("proposal") == "G7-SME-2026-01")
            #expect(try r.string("reason") == "needs \"study\"\n")
            #expect(try r.integer("revision") == 12)
            #expect(try r.integer("n") == -7)
            #expect(try r.optionalInteger("absent") == nil)
            #expect(try r.array("list") == ["a", 1, ["b"]])
            #expect(r.value("obj") == ["k": "v"])
            #expect(r.value("flag") == true)
            #expect(r.value("nothing") == .null)
            #expect(r.has("nothing") && !r.has("proposa"))
            #expect(errorMessage { try r.string("revision") } == "position.revision: must be a string")
            #expect(errorMessage { try r.integer("stance") } == "position.stance: must be an integer")
            #expect(errorMessage { try r.string("title") } == "position.title: is required")
            #expect(errorMessage { try r.stringArray("list") } == "position.list: must be an array of strings")
        }
    }

    @Test func onlyRefusesTheFirstUnknownFieldInBothForms() throws {
        let allowed = FieldSet(Set(CanonicalObjectTests.body.keys))
        let c = CanonicalObject(CanonicalObjectTests.body)
        try BodyReader(c, kind: "k").only(allowed)
        // Unknown keys before, between and after the allowed ones, and ones that need escapes.
        for extra in ["a", "m", "reasons", "zzz", "é", "\u{fb01}", "😀", "q\"", "\u{01}"] {
            var body = CanonicalObjectTests.body
            body[extra] = 1
            let expected = "k: unknown field \"\(extra)\""
            #expect(errorMessage { try BodyReader(CanonicalObject(body), kind: "k").only(allowed) } == expected)
            #expect(errorMessage { try BodyReader(.object(body), kind: "k").only(allowed) } == expected)
        }
        // A subset of the allowed fields passes.
        try BodyReader(CanonicalObject(["party": "JP"]), kind: "k").only(allowed)
        try BodyReader(CanonicalObject([:]), kind: "k").only(allowed)
    }

    @Test func base64DigestReadsOnlyBase64Of32Bytes() throws {
        let digest = Digest(base64: "P1st8e59l8A9WDR/OOFgASiDNt4EXfckvUlJ5JOq5QU=")!
        let body: [String: JSONValue] = [
            "good": .string(digest.base64), "short": "AAAA",
            "escaped": "P1st8e59l8A9WDR\\/OOFgASiDNt4EXfckvUlJ5JOq5QU=",
            "number": 3,
        ]
        for r in [BodyReader(CanonicalObject(body), kind: "position"), try BodyReader(.object(body), kind: "position")]
        {
            #expect(try r.base64Digest("good") == digest)
            #expect(try r.base64Digest("short") == nil)
            #expect(try r.base64Digest("escaped") == nil)
            #expect(errorMessage { _ = try r.base64Digest("number") } == "position.number: must be a string")
            #expect(errorMessage { _ = try r.base64Digest("missing") } == "position.missing: is required")
        }
    }

    @Test func base64IntoABufferIsAsStrictAsTheArrayForm() {
        let cases = [
            "", "AA==", "AAA=", "AAAA", "AB==", "AAB=", "A===", "====", "AA=A", "A", "AAAAA", "AA==AAAA", "////",
            "-_==",
            "P1st8e59l8A9WDR/OOFgASiDNt4EXfckvUlJ5JOq5QU=", "P1st8e59l8A9WDR/OOFgASiDNt4EXfckvUlJ5JOq5QV=",
        ]
        for text in cases {
            let bytes = Array(text.utf8)
            let array = bytes.withUnsafeBufferPointer { Base64.decode(utf8: $0) }
            let digest = bytes.withUnsafeBufferPointer { Digest(base64UTF8: $0) }
            #expect(digest == array.flatMap { Digest(bytes: $0) }, "\(text)")
            if let array { #expect(Base64.encode(array) == text, "\(text) has one encoding") }
        }
        #expect(Array("AB==".utf8).withUnsafeBufferPointer { Base64.decode(utf8: $0) } == nil)
        #expect(Array("AAAA".utf8).withUnsafeBufferPointer { Base64.decode(utf8: $0) } == [0, 0, 0])
    }
}

/// The message of the `LedgerError` that `body` throws, or nil when it throws none.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return (error as? LedgerError)?.message ?? "not a LedgerError: \(error)"
    }
}

@Suite struct TimestampParsingTests {
    /// Every instant printed is read back to itself (a day apart over 60 years, and seconds
    /// around midnight).
    @Test func printedInstantsReadBack() {
        for day in stride(from: Int64(0), to: 22_000, by: 1) {
            let t = Timestamp(secondsSinceEpoch: day * 86_400 + (day * 7_919) % 86_400)
            #expect(Timestamp(rfc3339: t.rfc3339) == t, "\(t.rfc3339)")
        }
        #expect(Timestamp(rfc3339: "2028-02-29T23:59:59Z")?.rfc3339 == "2028-02-29T23:59:59Z")
    }

    /// A non-digit in any digit position, a wrong separator, or a field out of range is refused.
    @Test func malformedInstantsAreRefused() {
        let good = Array("2026-11-29T18:16:54Z".utf8)
        #expect(Timestamp(rfc3339: String(decoding: good, as: UTF8.self)) != nil)
        for i in good.indices {
            for bad in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "a"), UInt8(ascii: " "), 0x00, 0xff] {
                var text = good
                text[i] = bad
                let separator = [4, 7, 10, 13, 16, 19].contains(i)
                // Only a separator replaced by itself would stay valid; these never are.
                if separator && text[i] == good[i] { continue }
                #expect(Timestamp(rfc3339: String(decoding: text, as: UTF8.self)) == nil, "\(i) \(bad)")
            }
        }
        for text in [
            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-04-31T00:00:00Z", "2027-02-29T00:00:00Z",
            "2026-11-00T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-29T24:00:00Z", "2026-11-29T23:60:00Z",
            "2026-11-29T23:59:60Z", "2026-11-29T23:59:59", "2026-11-29T23:59:59+00:00", "2026-11-29 23:59:59Z",
            "2026-11-29t23:59:59Z", "2026-11-29T23:59:59z", "+2026-11-29T23:59:59Z", "",
        ] {
            #expect(Timestamp(rfc3339: text) == nil, "\(text)")
        }
    }
}
