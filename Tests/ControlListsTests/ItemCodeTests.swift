import ControlCodes
import ControlLists
import Foundation
import Testing

@Suite struct ItemCodeTests {
    @Test(arguments: [
        ("3B001.f.1.b", CodeScheme.wassenaar), ("3B501.a.4", .eu), ("4A906", .usECCN), ("3A090.a", .usECCN),
        ("3A001.z", .usECCN),
        ("EAR99", .usECCN), ("7(17)(ru)", .jp), ("3-2(1)", .jp), ("8486.20", .hs), ("NL.2", .national),
    ])
    func parsesEachScheme(text: String, scheme: CodeScheme) throws {
        let c = try ItemCode(text, scheme: scheme)
        #expect(c.text == text)
        #expect(c.scheme == scheme)
    }

    @Test func trailingPeriodIsDroppedWhenNormalizing() throws {
        #expect(try ItemCode(normalizing: " 3B001.a.1. ", scheme: .eu).text == "3B001.a.1")
        // The grammar itself takes the canonical spelling only.
        #expect(throws: ControlListError(code: .invalidCode, message: "")) { try ItemCode("3B001.a.1.", scheme: .eu) }
        #expect(throws: ControlListError(code: .invalidCode, message: "")) { try ItemCode(" 3B001", scheme: .eu) }
    }

    @Test func normalizingRewritesVariantSpellings() throws {
        #expect(try ItemCode(normalizing: "8486 20", scheme: .hs).text == "8486.20")
        #expect(try ItemCode(normalizing: "8486.2010", scheme: .hs).text == "8486.20.10")
        #expect(try ItemCode(normalizing: "7(17)(ti)", scheme: .jp).text == "7(17)(chi)")
        #expect(throws: ControlListError(code: .ambiguousCode, message: "")) { try ItemCode("7(17)(ti)", scheme: .jp) }
    }

    @Test func dottedCodesOrderNumericallyAndParentsFirst() throws {
        let texts = [
            "3B001.f.10", "3B001.f.2", "3B001.f", "3B001", "3A001.z", "3A001.b", "3B503", "3B001.f.1.b", "3B001.f.1.a",
            "3A090",
        ]
        let sorted = try texts.map { try ItemCode($0, scheme: .usECCN) }.sorted().map(\.text)
        #expect(
            sorted == [
                "3A001.b", "3A001.z", "3A090", "3B001", "3B001.f", "3B001.f.1.a", "3B001.f.1.b", "3B001.f.2",
                "3B001.f.10", "3B503",
            ])
    }

    @Test func japaneseCodesOrderByRowItemAndIroha() throws {
        let texts = ["7(17)(ya)", "7(17)(ru)", "7(17-2)", "7(17)", "3-2", "3", "7(2)", "16", "7(17)(i)"]
        let sorted = try texts.map { try ItemCode($0, scheme: .jp) }.sorted().map(\.text)
        #expect(sorted == ["3", "3-2", "7(2)", "7(17)", "7(17)(i)", "7(17)(ru)", "7(17)(ya)", "7(17-2)", "16"])
    }

    @Test func hsCodesNest() throws {
        #expect(throws: ControlListError(code: .invalidCode, message: "")) { try ItemCode("848620", scheme: .hs) }
        let c = try ItemCode(normalizing: "848620", scheme: .hs)
        #expect(c.text == "8486.20")
        #expect(c.parent?.text == "8486")
        #expect(c.parent?.parent?.text == "84")
        #expect(c.stem.text == "84")
    }

    @Test func parentStemAndContainment() throws {
        let c = try ItemCode("3B001.f.1.b", scheme: .eu)
        #expect(c.parent?.text == "3B001.f.1")
        #expect(c.stem.text == "3B001")
        #expect(c.depth == 3)
        #expect(try ItemCode("3B001.f", scheme: .eu).contains(c))
        #expect(!(try ItemCode("3B001.a", scheme: .eu).contains(c)))
        #expect(c.selfAndAncestors.map(\.text) == ["3B001.f.1.b", "3B001.f.1", "3B001.f", "3B001"])
    }

    @Test func regimeDigitAndSharedNumbering() throws {
        #expect(try ItemCode("4A506", scheme: .eu).regimeDigit == 5)
        #expect(try ItemCode("4A906", scheme: .usECCN).regimeDigit == 9)
        #expect(
            try ItemCode("3B001.f", scheme: .eu).identityKey == (try ItemCode("3B001.f", scheme: .usECCN)).identityKey)
        #expect(try ItemCode("0A501", scheme: .eu).identityKey != (try ItemCode("0A501", scheme: .usECCN)).identityKey)
    }

    @Test func rerootCarriesTheParagraphPath() throws {
        let c = try ItemCode("4A506.a.1", scheme: .eu)
        #expect(c.rerooted(at: try ItemCode("4A906", scheme: .usECCN))?.text == "4A906.a.1")
    }

    @Test(arguments: [
        ("3b001", CodeScheme.eu, ControlListError.Code.ambiguousCode), ("3B001.F", .eu, .ambiguousCode),
        ("3B001.a1", .eu, .ambiguousCode),
        ("3F001", .eu, .invalidCode), ("3B01", .eu, .invalidCode), ("3B001..a", .eu, .invalidCode),
        ("17(1)", .jp, .invalidCode),
        ("7(zz)", .jp, .ambiguousCode), ("848", .hs, .invalidCode), ("3B001.a.01", .eu, .ambiguousCode),
        // Leading zeros in jp numbers are ambiguous, as in the dotted schemes (issue 10); only row 3 has a branch.
        ("07(17)", .jp, .ambiguousCode), ("7(017)", .jp, .ambiguousCode), ("7(17-02)", .jp, .ambiguousCode),
        ("3-02", .jp, .ambiguousCode), ("7-2(1)", .jp, .invalidCode), ("0", .jp, .invalidCode),
        // The one grammar (issue 10 §3): a series is not an ECCN; branches start at 2; no item 0.
        ("0Y521", .usECCN, .invalidCode), ("7(17-1)", .jp, .invalidCode), ("7(0)", .jp, .invalidCode),
        ("7(1234)", .jp, .invalidCode), ("848620", .hs, .invalidCode), ("84.86", .hs, .invalidCode),
        ("NL.02", .national, .ambiguousCode), ("3B001.a-1", .eu, .invalidCode),
    ])
    func badCodesGetClearErrors(text: String, scheme: CodeScheme, code: ControlListError.Code) {
        #expect(throws: ControlListError(code: code, message: "")) { try ItemCode(text, scheme: scheme) }
    }

    @Test func unknownSchemeIsAnError() {
        #expect(throws: ControlListError(code: .unknownScheme, message: "")) { try CodeScheme(parsing: "ussr") }
        #expect(try! CodeScheme(parsing: "us-ccl") == .usECCN)
    }

    /// Every code the grammar accepts is its own canonical text: rendering its segments gives
    /// it back, so a logged code and its `ItemCode` always read the same.
    @Test(arguments: [
        ("3B001.f.1.b", CodeScheme.eu), ("EAR99", .usECCN), ("7(17)(ru)", .jp), ("3-2(1)", .jp), ("7(17-2)", .jp),
        ("84", .hs), ("8486.20.10.00", .hs), ("NL.2.a", .national),
    ])
    func acceptedCodesAreCanonical(text: String, scheme: CodeScheme) throws {
        let c = try ItemCode(text, scheme: scheme)
        #expect(ItemCode.render(c.segments, scheme: scheme, rootLength: c.rootLength) == text)
    }

    /// Every item code in the curated lists and correlation tables parses under the grammar as
    /// written (no normalizing).
    @Test func curatedDataIsInTheGrammar() throws {
        var checked = 0
        for name in CuratedData.ListName.allCases.map(\.rawValue) + CuratedData.correlationFiles {
            let data = Data(try #require(EmbeddedCuratedData.files[name]).utf8)
            let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let entries = top["entries"] as? [[String: Any]] ?? []
            let listScheme = (top["scheme"] as? String).flatMap(CodeScheme.init(rawValue:))
            #expect(entries.isEmpty || listScheme != nil, "\(name)")
            for e in entries {
                let code = try #require(e["code"] as? String)
                #expect(throws: Never.self, "\(name) \(code)") { try ItemCode(code, scheme: listScheme!) }
                checked += 1
            }
            for c in top["correlations"] as? [[String: Any]] ?? [] {
                for end in ["from", "to"] {
                    let o = try #require(c[end] as? [String: String])
                    let scheme = try #require(CodeScheme(rawValue: o["scheme"] ?? ""), "\(name) \(o)")
                    #expect(throws: Never.self, "\(name) \(o)") { try ItemCode(o["code"] ?? "", scheme: scheme) }
                    checked += 1
                }
            }
        }
        #expect(checked > 50)
    }

    /// Every code in Annex I of Regulation (EU) 2021/821 (consolidated 15 Nov 2025; © European
    /// Union, reuse per Commission Decision 2011/833/EU), read in place: each record's
    /// `entry_code` and the code that opens each line of its `verbatim_text`.
    @Test(.needsEUAnnex) func everyEUAnnexCodeIsInTheGrammar() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestData.euAnnexPath))
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let records = try #require(top["entries"] as? [[String: Any]])
        var codes = Set<String>()
        for r in records {
            codes.insert(try #require(r["entry_code"] as? String))
            for line in (r["verbatim_text"] as? String ?? "").split(separator: "\n") {
                if let first = line.split(separator: " ").first { codes.insert(String(first)) }
            }
        }
        #expect(codes.count > 3000)
        for code in codes.sorted() {
            #expect(throws: Never.self, "\(code)") {
                let c = try ItemCode(code, scheme: .eu)
                #expect(c.text == code)
            }
        }
    }
}
