import Consensus
import ControlCodes
import ControlLists
import Testing

typealias CLMeasure = ControlLists.TabledMeasure

func code(_ s: String, _ scheme: CodeScheme = .eu) -> ItemCode { try! ItemCode(s, scheme: scheme) }

func measure(
    _ forum: String, _ id: String, _ kind: CLMeasure.Kind, _ items: [ItemCode], _ dest: Set<String>,
    exempt: Set<String> = [],
    params: [Parameter] = [], state: CLMeasure.State = .proposed, index: Int64? = nil
) -> CLMeasure {
    CLMeasure(
        forum: forum, proposalID: id, revision: 1, ledgerIndex: index, kind: kind, title: id, items: items,
        destinations: dest,
        exemptedDestinations: exempt, parameters: params, state: state)
}

@Suite struct ConflictDetectorTests {
    let detector = ConflictDetector(correlations: try! CuratedData.correlations())

    @Test func duplicateAcrossForumsOnAncestorCode() {
        let a = measure("G7", "g7-1", .licenceRequirement, [code("3B001")], ["CN"], index: 3)
        let b = measure("Quad", "quad-4", .licenceRequirement, [code("3B001.f.1", .usECCN)], ["CN", "RU"], index: 8)
        let f = detector.findings(in: [a, b])
        #expect(f.count == 1)
        #expect(f.first?.rule == .duplicate && f.first?.severity == .low)
        #expect(f.first?.destinations == ["CN"])
        #expect(f.first?.a.ledgerIndex == 3 && f.first?.b.ledgerIndex == 8)
        #expect(f.first?.overlaps.first?.contains("3B001") == true)
    }

    @Test func duplicateThroughACorrelation() {
        let a = measure("G7", "g7-1", .licenceRequirement, [code("4A506.a.1")], ["CN"])
        let b = measure("Quad", "q-1", .licenceRequirement, [code("4A906", .usECCN)], ["CN"])
        let f = detector.findings(in: [a, b])
        #expect(f.map(\.rule) == [.duplicate])
        #expect(f[0].overlaps.contains { $0.contains("equivalent") })
    }

    @Test func noDuplicateWithoutOverlap() {
        // Different items.
        let a = measure("G7", "g7-1", .licenceRequirement, [code("3B001.a")], ["CN"])
        let b = measure("Quad", "q-1", .licenceRequirement, [code("3B001.b")], ["CN"])
        #expect(detector.findings(in: [a, b]).isEmpty)
        // Same items, different destinations.
        let c = measure("Quad", "q-2", .licenceRequirement, [code("3B001.a")], ["RU"])
        #expect(detector.findings(in: [a, c]).isEmpty)
        // EU 5xx and US 5xx are not the same item.
        let d = measure("G7", "g7-2", .licenceRequirement, [code("0A501")], ["CN"])
        let e = measure("Quad", "q-3", .licenceRequirement, [code("0A501", .usECCN)], ["CN"])
        #expect(detector.findings(in: [d, e]).isEmpty)
        // Withdrawn measures are not checked.
        let w = measure("Quad", "q-4", .licenceRequirement, [code("3B001.a")], ["CN"], state: .withdrawn)
        #expect(detector.findings(in: [a, w]).isEmpty)
    }

    @Test func sameForumDuplicateIsMediumSeverity() {
        let a = measure("G7", "g7-1", .prohibition, [code("3B001")], ["group:all"])
        let b = measure("G7", "g7-2", .prohibition, [code("3B001.f")], ["CN"])
        let f = detector.findings(in: [a, b])
        #expect(f.count == 1 && f[0].severity == .medium && f[0].destinations == ["CN"])
    }

    @Test func facilitationAgainstControlIsAHighConflict() {
        let control = measure("G7", "g7-semi", .licenceRequirement, [code("3B001.f", .wassenaar)], ["CN", "VN"])
        let facil = measure("RCEP", "rcep-tf", .tradeFacilitation, [code("3B001")], ["VN", "TH"])
        let f = detector.findings(in: [control, facil])
        #expect(f.count == 1)
        #expect(f[0].rule == .incompatibleMeasures && f[0].severity == .high && f[0].destinations == ["VN"])
        #expect(f[0].reason.contains("G7 g7-semi"))
    }

    @Test func noIncompatibilityForDisjointDestinationsOrTwoRestrictions() {
        let control = measure("G7", "g7-semi", .licenceRequirement, [code("3B001.f")], ["CN"])
        let facil = measure("RCEP", "rcep-tf", .tradeFacilitation, [code("3B001")], ["VN"])
        #expect(detector.findings(in: [control, facil]).isEmpty)
        let other = measure("Quad", "q", .prohibition, [code("3B001")], ["CN"])
        #expect(!detector.findings(in: [control, other]).contains { $0.rule == .incompatibleMeasures })
    }

    @Test func thresholdMismatch() {
        let p1 = Parameter(term: "light source wavelength", comparator: .lessThan, value: "193", unit: "nm")
        let p2 = Parameter(term: "Light source wavelength", comparator: .lessThan, value: "0.248", unit: "µm")
        let a = measure("G7", "a", .licenceRequirement, [code("3B001.f.1")], ["CN"], params: [p1])
        let b = measure("Quad", "b", .prohibition, [code("3B001.f.1.a")], ["CN"], params: [p2])
        let f = detector.findings(in: [a, b])
        #expect(f.map(\.rule) == [.thresholdMismatch])
        #expect(f[0].reason.contains("193 nm") && f[0].reason.contains("0.248 µm"))
        // Same threshold in other units: no mismatch.
        let p3 = Parameter(term: "light source wavelength", comparator: .lessThan, value: "0.193", unit: "µm")
        let c = measure("Quad", "c", .prohibition, [code("3B001.f.1.a")], ["CN"], params: [p3])
        #expect(detector.findings(in: [a, c]).isEmpty)
    }

    @Test func exemptionAgainstRestriction() {
        let a = measure("G7", "a", .licenceRequirement, [code("3B001")], ["group:all"], exempt: ["JP", "NL"])
        let b = measure("Quad", "b", .prohibition, [code("3B001.a")], ["NL", "CN"])
        let f = detector.findings(in: [a, b])
        #expect(f.contains { $0.rule == .exemptionConflict && $0.reason.contains("NL") && $0.severity == .high })
        let c = measure("Quad", "c", .prohibition, [code("3B001.a")], ["CN"])
        #expect(!detector.findings(in: [a, c]).contains { $0.rule == .exemptionConflict })
    }

    @Test func findingIDsAreStableAndOrderIndependent() {
        let a = measure("G7", "g7-semi", .licenceRequirement, [code("3B001")], ["VN"])
        let b = measure("RCEP", "rcep-tf", .tradeFacilitation, [code("3B001")], ["VN"])
        let f1 = detector.findings(in: [a, b])
        let f2 = detector.findings(in: [b, a])
        #expect(f1.map(\.id) == f2.map(\.id))
        #expect(f1[0].id == Finding.stableID(rule: .incompatibleMeasures, "RCEP/rcep-tf@1", "G7/g7-semi@1"))
        #expect(f1[0].id.hasPrefix("f-") && f1[0].id.count == 18)
    }

    @Test func warningsForANewProposalOnly() {
        let a = measure("G7", "a", .licenceRequirement, [code("3B001")], ["VN"])
        let b = measure("G7", "b", .licenceRequirement, [code("3B001")], ["VN"])
        let n = measure("RCEP", "n", .tradeFacilitation, [code("3B001.a")], ["VN"])
        let f = detector.findings(for: n, against: [a, b])
        #expect(f.count == 2 && f.allSatisfy { $0.rule == .incompatibleMeasures })
    }

    @Test func scalesWithoutComparingAllPairs() {
        // 20,000 measures on distinct items: no findings, and fast.
        var ms: [CLMeasure] = []
        for i in 0..<20_000 {
            ms.append(
                measure(
                    "F\(i % 4)", "p\(i)", .licenceRequirement,
                    [code("3B\(String(format3(i / 20))).\(["a", "b", "c", "d"][i % 4]).\(i % 5 + 1)")], ["CN"]))
        }
        #expect(detector.findings(in: ms).isEmpty)
        // The same scale with two planted overlaps among the 20,000: exactly those are found,
        // so "no findings" above is the index working, not the detector giving up.
        ms.append(measure("Quad", "planted-1", .licenceRequirement, [code("3B000.a.1")], ["CN"]))
        ms.append(measure("G7", "planted-2", .licenceRequirement, [code("3B999.d.4")], ["CN"]))
        let f = detector.findings(in: ms)
        #expect(f.count == 2, "\(f.map(\.line))")
        #expect(
            Set(f.flatMap { [$0.a.proposalID, $0.b.proposalID] }.filter { $0.hasPrefix("planted") }) == [
                "planted-1", "planted-2",
            ])
        #expect(f.allSatisfy { $0.rule == .duplicate })
    }
}

func format3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : String(n % 1000) }
