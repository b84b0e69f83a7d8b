import LedgerCore
import LedgerCrypto
import Testing

@Suite struct CanonicalJSONTests {
    @Test(arguments: [
        ("{\"b\":1, \"a\":[true,false,null]}", "{\"a\":[true,false,null],\"b\":1}"),
        ("  {\"\\u00e9\":1,\"z\":2,\"a\":3}  ", "{\"a\":3,\"z\":2,\"é\":1}"),
        // UTF-16 ordering: U+1F600 (surrogates D83D…) sorts before U+FB01.
        ("{\"\\ufb01\":2,\"\\ud83d\\ude00\":1}", "{\"😀\":1,\"ﬁ\":2}"),
        ("\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\\\/\\u001F\"", "\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/\\u001f\""),
        ("[0,-1,9007199254740991,-9007199254740991]", "[0,-1,9007199254740991,-9007199254740991]"),
        ("{}", "{}"), ("[]", "[]"),
    ])
    func canonicalizes(input: String, expected: String) throws {
        let v = try JSONParser.parse(Array(input.utf8))
        #expect(v.canonicalString == expected)
        // Canonical output is a fixed point, and only it passes the canonical check.
        _ = try expected.utf8.withContiguousStorageIfAvailable {
            try JSONParser.parseCanonical(UnsafeRawBufferPointer($0))
        }
        if input != expected {
            let raw = Array(input.utf8)
            expectThrows(.nonCanonical) { try raw.withUnsafeBytes { try JSONParser.parseCanonical($0) } }
        }
    }

    @Test(arguments: [
        "{\"a\":1,\"a\":2}", "[1.5]", "[1e3]", "[1E3]", "[-0]", "[01]", "[9007199254740992]", "[-9007199254740992]",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "[1] x", "{\"a\":1,}", "[1,]", "\"\u{1}\"", "'a'", "[tru]",
        "{a:1}", "\"\\x\"", "", "[", "\"abc",
    ])
    func refusesMalformed(input: String) {
        expectThrows(.malformed) { try JSONParser.parse(Array(input.utf8)) }
    }

    @Test func refusesInvalidUTF8() {
        for bad: [UInt8] in [
            [0x22, 0xff, 0x22], [0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x5b, 0xe2, 0x5d],
        ] {
            expectThrows(.malformed) { try JSONParser.parse(bad) }
        }
    }

    @Test func enforcesDepthStringAndSizeLimits() throws {
        let deep = String(repeating: "[", count: 17) + String(repeating: "]", count: 17)
        expectThrows(.malformed) { try JSONParser.parse(Array(deep.utf8)) }
        let ok = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
        _ = try JSONParser.parse(Array(ok.utf8))
        let long = "\"" + String(repeating: "a", count: 16_385) + "\""
        expectThrows(.malformed) { try JSONParser.parse(Array(long.utf8)) }
        let huge =
            "[" + Array(repeating: "\"" + String(repeating: "b", count: 1000) + "\"", count: 70).joined(separator: ",")
            + "]"
        expectThrows(.malformed) { try JSONParser.parse(Array(huge.utf8)) }
    }

    @Test func vectorFileMatches() throws {
        let cases = try JSONParser.parse(
            Array(try vectorFile("canonical-json.json").utf8), limits: JSONLimits(maxInputBytes: 1 << 20))
        var checked = 0
        for c in cases.arrayValue! {
            let input: [UInt8] =
                c["input"].map { Array($0.stringValue!.utf8) } ?? Base64.decode(c["inputBase64"]!.stringValue!)!
            if let canon = c["canonical"]?.stringValue {
                #expect(try JSONParser.parse(input).canonicalString == canon)
            } else {
                #expect(throws: LedgerError.self) { try JSONParser.parse(input) }
            }
            checked += 1
        }
        #expect(checked >= 15)
    }
}

/// A small deterministic PRNG so the mutation test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ParserMutationTests {
    /// 20,000 random mutations of valid documents: the parser never crashes, and whatever it
    /// accepts re-encodes to canonical bytes that parse back to the same value.
    @Test func mutatedInputNeverCrashesAndAcceptedInputRoundTrips() throws {
        let seeds = [
            "{\"a\":{\"b\":[1,2]},\"c\":\"x\\u001fy\\n\",\"d\":\"\\\\/\"}",
            "{\"body\":{\"text\":\"3B001.f \\u00e9 "
                + "\\\"q\\\"\",\"n\":[1,-2,{\"x\":null}]},\"kind\":\"note\",\"ok\":true}",
            "[\"\\ud83d\\ude00\",\"a\\u0000b\",9007199254740991,false,{}]",
        ].map { Array($0.utf8) }
        var rng = SplitMix64(state: 2026)
        var accepted = 0
        for i in 0..<20_000 {
            var doc = seeds[i % seeds.count]
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let pos = Int(rng.next() % UInt64(doc.count))
                switch rng.next() % 3 {
                case 0: doc[pos] = UInt8(truncatingIfNeeded: rng.next())
                case 1: doc.insert(UInt8(truncatingIfNeeded: rng.next()), at: pos)
                default: if doc.count > 1 { doc.remove(at: pos) }
                }
            }
            // The streaming canonical check agrees with "parse, re-encode, compare".
            let strict = doc.withUnsafeBytes { try? JSONParser.parseCanonical($0) }
            guard let v = try? JSONParser.parse(doc) else {
                #expect(strict == nil)
                continue
            }
            #expect((strict != nil) == (v.canonicalBytes == doc), "\(String(decoding: doc, as: UTF8.self))")
            accepted += 1
            let canon = v.canonicalBytes
            #expect(try JSONParser.parse(canon) == v)
            _ = try canon.withUnsafeBytes { try JSONParser.parseCanonical($0) }
        }
        #expect(accepted > 0)
    }
}

/// Object keys are compared as bytes (RFC 8785), not by Unicode canonical equivalence.
@Suite struct JSONKeyBytesTests {
    @Test func nfcAndNfdKeysAreTwoKeys() throws {
        let nfc = "\u{E9}"
        let nfd = "e\u{301}"
        #expect(nfc == nfd)  // `String` equality is canonical equivalence
        let v = try JSONParser.parse(Array("{\"\(nfc)\":1,\"\(nfd)\":2}".utf8))
        let o = try #require(v.objectValue)
        #expect(o.count == 2)
        #expect(o[nfc] == .integer(1) && o[nfd] == .integer(2))
        // Canonical order is by UTF-16 code units: U+0065 before U+00E9.
        let canonical = "{\"\(nfd)\":2,\"\(nfc)\":1}"
        #expect(v.canonicalString.utf8.elementsEqual(canonical.utf8))
        let back = try Array(canonical.utf8).withUnsafeBytes { raw throws(LedgerError) in
            try JSONParser.parseCanonical(raw)
        }
        #expect(back == v)
        // A true duplicate is still refused.
        #expect(throws: LedgerError.self) { try JSONParser.parse(Array("{\"\(nfc)\":1,\"\(nfc)\":2}".utf8)) }
    }
}
