import ControlCodes
import ControlLists
import LedgerTestSupport
import Testing

@Suite struct SyntheticWorkloadTests {
    @Test func revisedSyntheticListShowsEveryKindOfChange() throws {
        let a = try SyntheticWorkload.list(entries: 2_000)
        #expect(a.entries.count == 2_000)
        let d = ListDiff(old: a, new: try SyntheticWorkload.revise(a))
        for k: ListDiff.Kind in [.added, .removed, .moved, .textChanged, .parametersChanged] {
            #expect((d.counts[k] ?? 0) > 0, "\(k)")
        }
    }

    @Test func syntheticMeasuresGiveFindingsOfEveryIndexedRule() {
        let f = ConflictDetector().findings(in: SyntheticWorkload.measures(4_000))
        let rules = Set(f.map(\.rule))
        #expect(rules.isSuperset(of: [.duplicate, .incompatibleMeasures, .thresholdMismatch]))
        #expect(Set(f.map(\.id)).count == f.count)
    }
}
