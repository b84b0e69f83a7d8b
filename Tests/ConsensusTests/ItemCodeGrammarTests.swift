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

    /// Over a large generated corpus of plausible and implausible codes (every combination of
    /// the parts below), the append-side validator and `ItemCode` agree on every code, and
    /// what they accept reads back as written.
    @Test func appendAndItemCodeAgreeOnAGeneratedCorpus() throws {
        let corpus = CodeCorpus.all
        var accepted = 0
        for (code, scheme) in corpus {
            let parsed = Self.itemCodeParses(code, scheme: scheme)
            switch Self.appendAccepts(code, scheme: scheme) {
            case .success(let m):
                accepted += 1
                let c = try #require(parsed, "append accepted \(scheme) \(code), ItemCode refused it")
                #expect(m.items == [c] && c.text == code, "\(scheme) \(code)")
            case .failure(let e):
                #expect(parsed == nil, "ItemCode parsed \(scheme) \(code), append refused it: \(e.message)")
            }
        }
        // The corpus exercises both sides.
        #expect(corpus.count > 30_000 && accepted > 2_000 && corpus.count - accepted > 2_000, "\(accepted)")
    }
}

/// Plausible and implausible item codes: every combination of a few well-formed and
/// malformed parts per grammar, each offered under its own scheme and some under another.
enum CodeCorpus {
    static let dottedStems: [String] = {
        var out = ["EAR99", "EAR9", "ear99"]
        for c in ["0", "3", "9"] {
            for g in ["A", "B", "E", "Y", "F", "b", "e"] {
                for n in ["001", "993", "521", "01"] { out.append(c + g + n) }
            }
        }
        return out
    }()
    static let dottedSegments = [
        "a", "f", "z", "y", "1", "10", "0", "01", "1000", "12345", "aa", "abc", "abcd", "f1", "F", "a-1", "",
    ]
    static let jpRows = ["1", "7", "16", "17", "0", "07", "3-2", "7-2", "3-02", "3-1"]
    static let jpGroups = [
        "(17)", "(1)", "(999)", "(1000)", "(0)", "(017)", "(17-2)", "(17-1)", "(17-02)", "(17-99)", "(ru)", "(tsu)",
        "(ti)", "(zz)", "(i)", "()", "(RU)",
    ]
    static let hsHeads = ["84", "8486", "848", "848620", "0101", "8"]
    static let hsTails = [".20", ".2", "20", ".201", " 20", ".00"]

    /// Every sequence of 0 to `depth` elements of `parts`, each preceded by `separator`.
    static func paths(_ parts: [String], depth: Int, separator: String = "") -> [String] {
        var level = [""]
        var out = [""]
        for _ in 0..<depth {
            level = level.flatMap { p in parts.map { p + separator + $0 } }
            out += level
        }
        return out
    }

    static let all: [(String, String)] = {
        var out: [(String, String)] = []
        let dottedSchemes = ["wassenaar", "eu", "us-eccn"]
        for (i, stem) in dottedStems.enumerated() {
            for (j, path) in paths(dottedSegments, depth: 2, separator: ".").enumerated() {
                out.append((stem + path, dottedSchemes[(i + j) % 3]))
                if j % 7 == 0 { out.append((stem + path, j % 2 == 0 ? "jp" : "hs")) }
            }
            out.append((stem + ".", "eu"))
        }
        for row in jpRows {
            for (j, path) in paths(jpGroups, depth: 2).enumerated() {
                out.append((row + path, "jp"))
                if j % 7 == 0 { out.append((row + path, "eu")) }
            }
        }
        for head in hsHeads {
            for path in paths(hsTails, depth: 3) { out.append((head + path, "hs")) }
        }
        return out
    }()
}
