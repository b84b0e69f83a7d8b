import ControlCodes
import ControlLists
import Foundation
import LedgerTestSupport
import Testing

@Suite struct CuratedDataTests {
    /// The shipped data is compiled into the binary; the files in Sources/ControlLists/Data stay
    /// the source of truth, byte for byte, and every one of them is shipped.
    @Test func theEmbeddedCopyIsTheFilesInData() throws {
        let advice = "the embedded copy is stale: run scripts/embed-assets.sh"
        let dir = TestPaths.packageRoot + "/Sources/ControlLists/Data"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }
        #expect(names.count == CuratedData.ListName.allCases.count + CuratedData.correlationFiles.count)
        #expect(Set(EmbeddedCuratedData.files.keys) == Set(names.map { String($0.dropLast(5)) }), "\(advice)")
        for name in names {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            let embedded = EmbeddedCuratedData.files[String(name.dropLast(5))].map { Data($0.utf8) }
            #expect(embedded == bytes, "\(name): \(advice)")
        }
    }

    @Test(arguments: CuratedData.ListName.allCases)
    func everyCuratedEntryCitesItsSource(name: CuratedData.ListName) throws {
        let list = try CuratedData.list(name)
        #expect(!list.entries.isEmpty)
        #expect(!list.citation.isEmpty)
        for e in list.entries { #expect(!e.source.isEmpty, "\(e.code)") }
    }

    @Test func usSubsetHoldsTheAdvancedComputingAndNineHundredSeries() throws {
        let us = try CuratedData.list(.usCCLSubset)
        for c in ["3A090", "4A090", "3B001", "3B993", "3B903", "4A906", "3B904", "3A904"] {
            #expect(us.entry(c) != nil, "\(c)")
        }
        let tpp = try #require(us.entry("3A090.a")).parameters
        #expect(
            tpp.contains {
                $0.termKey == "total processing performance" && $0.comparator == .greaterOrEqual && $0.baseValue == 4800
            })
    }

    @Test func japanSubsetHoldsTheTwentyThree2023Additions() throws {
        let jp = try CuratedData.list(.japanRow7)
        #expect(jp.versionDate == "2023-07-23")
        let added = jp.entries.filter {
            $0.source.contains("23 May 2023") && !$0.code.isStem && $0.code.text != "7(17)"
        }
        #expect(added.count == 23)
        #expect(jp.entry("7(17)(ru)")?.parent?.text == "7(17)")
    }

    @Test func netherlandsMeasureIsDated2023() throws {
        let nl = try CuratedData.list(.netherlands2023)
        #expect(nl.jurisdiction == "NL")
        #expect(nl.versionDate == "2023-09-01")
        #expect(nl.citation.contains("18212"))
    }

    @Test func correlationsAreTypedAndWorkBothWays() throws {
        let t = try CuratedData.correlations()
        let eu = try ItemCode("4A506.a.1", scheme: .eu)
        let r = t.related(eu)
        #expect(r.contains { $0.code.text == "4A906.a.1" && $0.code.scheme == .usECCN && $0.kind == .equivalent })
        let us = try ItemCode("3B903", scheme: .usECCN)
        #expect(t.related(us).contains { $0.code.text == "3B503" && $0.code.scheme == .eu })
        let jp = try ItemCode("7(17)(ru)", scheme: .jp)
        #expect(t.related(jp).isEmpty)  // cross-grammar links do not carry sub-items
        #expect(
            t.related(try ItemCode("7(17)", scheme: .jp)).contains { $0.code.text == "3B001" && $0.kind == .overlaps })
        for k in ["equivalent", "narrower", "broader", "overlaps", "supersedes"] {
            #expect(Correlation.Kind(rawValue: k) != nil)
        }
        #expect(Correlation.Kind.narrower.inverse == .broader)
    }
}
