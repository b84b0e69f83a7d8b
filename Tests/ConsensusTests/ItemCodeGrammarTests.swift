import Consensus
import ControlCodes
import LedgerCore
import Testing

/// The item codes a proposal may carry are exactly the codes `ControlCodes.ItemCode` parses
/// (issue 10 §3): the append-side validator is that parser, so no logged item can drop out
/// of conflict detection.
@Suite struct ItemCodeGrammarTests {
    /// The append-side validator: the measure fields of a `proposal` body with one item.
    static func appendAccepts(_ code: String, scheme: String) -> Result<Measure, LedgerError> {
        let body = NegotiationFixture.proposalBody(
            id: "P-1", extra: ["items": [["scheme": .string(scheme), "code": .string(code)]]])
        do throws(LedgerError) {
            return .success(try Measure(reading: try BodyReader(body, kind: "proposal")))
        } catch {
            return .failure(error)
        }
    }

    static func itemCodeParses(_ code: String, scheme: String) -> ItemCode? {
        guard let s = CodeScheme(rawValue: scheme) else { return nil }
        return try? ItemCode(code, scheme: s)
    }

    static let accepted: [(String, String)] = [
        ("3B001", "wassenaar"), ("3B001.f.1", "wassenaar"), ("3B001.f.1.b", "eu"), ("3B001.f.1", "us-eccn"),
        ("4A906", "us-eccn"), ("3A001.z", "us-eccn"), ("3B001.a.1000", "eu"), ("3B001.aaa", "eu"), ("3B001.0", "eu"),
        ("3A090.a", "us-eccn"), ("3B993", "us-eccn"), ("0A521", "us-eccn"), ("9A610.y.1", "us-eccn"),
        ("EAR99", "us-eccn"), ("0A001.j", "eu"), ("7(17)(ru)", "jp"), ("7(17)", "jp"), ("7(17-2)", "jp"),
        ("3-2(1)", "jp"), ("16", "jp"), ("7(17)(tsu)", "jp"), ("84", "hs"), ("8486", "hs"), ("8486.20", "hs"),
        ("8486.20.10", "hs"), ("8486.20.10.00", "hs"),
    ]

    static let refused: [(String, String)] = [
        ("3B001.f1", "wassenaar"), ("3B001.01", "eu"), ("3B001.abcd", "eu"), ("3B001.12345", "eu"),
        ("3B001.F", "eu"), ("3B001.", "eu"), ("3B001..a", "eu"), ("3F001", "eu"), ("3b001", "eu"),
        ("0Y521", "us-eccn"), ("EAR99", "eu"), (" 3B001", "eu"), ("3B001.a-1", "eu"), ("3B01", "wassenaar"),
        ("3B001.f.1", "hs"), ("7(17)(ti)", "jp"), ("07(17)", "jp"), ("7(017)", "jp"), ("7(17-1)", "jp"),
        ("7(0)", "jp"), ("17(1)", "jp"), ("7-2(1)", "jp"), ("7(17)(ru)(1)", "jp"), ("7(1234)", "jp"),
        ("848620", "hs"), ("8486.2010", "hs"), ("848", "hs"), ("8486.20.10.00.00", "hs"),
        ("NL.2", "national"), ("3B001", "cn"), ("", "eu"), (String(repeating: "3B001.a", count: 6), "eu"),
    ]

    @Test func specificCodesAreAcceptedOnAppendAndParse() throws {
        for (code, scheme) in Self.accepted {
            let m = try Self.appendAccepts(code, scheme: scheme).get()
            let c = try #require(Self.itemCodeParses(code, scheme: scheme), "\(scheme) \(code)")
            #expect(m.items == [c])
            // The one grammar takes canonical spellings only: the code reads back as written.
            #expect(c.text == code && m.jsonFields["items"] == [["scheme": .string(scheme), "code": .string(code)]])
        }
    }

    @Test func specificCodesAreRefusedOnAppendAndDoNotParse() {
        for (code, scheme) in Self.refused {
            guard case .failure(let e) = Self.appendAccepts(code, scheme: scheme) else {
                Issue.record("\(scheme) \(code) was accepted on append")
                continue
            }
            #expect(e.code == .invalidBody)
            let field = scheme == "cn" || scheme == "national" ? "proposal.items[0].scheme" : "proposal.items[0].code"
            #expect(e.message.hasPrefix("\(field): \"\(scheme == "cn" || scheme == "national" ? scheme : code)\""))
            #expect(!e.message.contains("\n"))
            if scheme != "cn" && scheme != "national" { #expect(Self.itemCodeParses(code, scheme: scheme) == nil) }
        }
    }

    @Test func theRefusalNamesTheFieldTheCodeAndTheReason() {
        guard case .failure(let e) = Self.appendAccepts("3B001.f1", scheme: "wassenaar") else {
            Issue.record("accepted")
            return
        }
        #expect(
            e.message
                == "proposal.items[0].code: \"3B001.f1\" is not a valid wassenaar code: "
                + "segment \"f1\" mixes letters and digits")
    }

    /// Over a large generated corpus of plausible and implausible codes, the append-side
    /// validator and `ItemCode` agree on every code, and what they accept reads back as written.
    @Test func appendAndItemCodeAgreeOnAGeneratedCorpus() throws {
        var g = CodeGenerator(seed: 0x1c0de)
        var accepted = 0
        let count = 60_000
        for _ in 0..<count {
            let (code, scheme) = g.next()
            let append = Self.appendAccepts(code, scheme: scheme)
            let parsed = Self.itemCodeParses(code, scheme: scheme)
            switch append {
            case .success(let m):
                accepted += 1
                let c = try #require(parsed, "append accepted \(scheme) \(code), ItemCode refused it")
                #expect(m.items == [c] && c.text == code, "\(scheme) \(code)")
            case .failure(let e):
                #expect(parsed == nil, "ItemCode parsed \(scheme) \(code), append refused it: \(e.message)")
            }
        }
        // The corpus exercises both sides.
        #expect(accepted > count / 5 && accepted < count * 4 / 5, "\(accepted) of \(count) accepted")
    }
}

/// Plausible and implausible item codes, from a fixed seed (SplitMix64).
struct CodeGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(random() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    mutating func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(below(10))) }) }

    static let kana = ["i", "ro", "ha", "ru", "tsu", "chi", "ya", "su", "ti", "tu", "zz", "a", "n"]
    static let noise = Array("0123456789ABCDEYZabfz.()- ")

    /// A code and the scheme it is offered under.
    mutating func next() -> (String, String) {
        switch below(8) {
        case 0, 1, 2: return (dotted(), pick(["wassenaar", "eu", "us-eccn"]))
        case 3, 4: return (japan(), "jp")
        case 5: return (hs(), "hs")
        case 6: return (pick([dotted(), japan(), hs()]), pick(["wassenaar", "eu", "us-eccn", "jp", "hs"]))
        default:
            return (String((0..<(1 + below(14))).map { _ in pick(Self.noise) }), pick(["eu", "jp", "hs", "us-eccn"]))
        }
    }

    mutating func dotted() -> String {
        if below(40) == 0 { return "EAR99" }
        var s = digits(1) + String(pick(Array("ABCDEABCDEYFb"))) + digits(below(12) == 0 ? 2 : 3)
        for _ in 0..<below(6) {
            s += below(25) == 0 ? "" : "."
            switch below(10) {
            case 0, 1, 2, 3: s += String(pick(Array("abcdefz")))
            case 4, 5: s += String(1 + below(12))
            case 6: s += pick(["0", "01", "1000", "12345", "aa", "abc", "abcd"])
            case 7: s += pick(["f1", "F", "a-1", "", "Ab"])
            default: s += String(pick(Array("abcdefghijklmnopqrstuvwxyz")))
            }
        }
        return s
    }

    mutating func japan() -> String {
        var s = pick(["7", "3", "3-2", "16", "1", "17", "0", "07", "7-2", "12"])
        for _ in 0..<below(4) {
            switch below(6) {
            case 0, 1: s += "(\(1 + below(30)))"
            case 2: s += "(\(1 + below(30))-\(below(4)))"
            case 3, 4: s += "(\(pick(Self.kana)))"
            default: s += pick(["(017)", "(1234)", "(0)", "()", "(", ")", "(17-02)"])
            }
        }
        return s
    }

    mutating func hs() -> String {
        var s = digits(pick([2, 4, 4, 4, 3, 6]))
        for _ in 0..<below(4) { s += pick([".", ".", ".", "", " "]) + digits(pick([2, 2, 2, 4, 1])) }
        return s
    }
}
