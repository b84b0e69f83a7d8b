import Consensus
import ControlCodes
import ControlLists
import LedgerCore
import Testing

/// The rules against members' national lists (`decontrol-of-controlled-item`,
/// `threshold-looser-than-member`; specs/control-list-format.md §7), on small hand-made lists,
/// charters and measures.
@Suite struct ListConflictTests {
    let detector = ConflictDetector(correlations: try! CuratedData.correlations())

    static func charter(_ id: String, _ parties: [String]) -> ForumCharter {
        ForumCharter(
            id: id, name: id, parties: parties, rule: .consensus, defaultDeadlineDays: 30, sources: ["test charter"])
    }

    /// G7 has the US and the EU as parties; "West" has EU member states but not the EU; "Asia"
    /// neither the US nor any EU member.
    static let forums: [String: ForumCharter] = [
        "G7": charter("G7", ["JP", "US", "DE", "EU"]), "West": charter("West", ["DE", "FR", "NO"]),
        "Asia": charter("Asia", ["JP", "KR", "SG"]),
    ]

    static let wavelength193 = Parameter(
        term: "light source wavelength", comparator: .lessThan, value: "193", unit: "nm")

    /// A list with 3B001 (stem), 3B001.f and 3B001.f.1 (wavelength < 193 nm), 3B001.f.3 not used.
    static func list(_ jurisdiction: String, _ scheme: CodeScheme, sha: String = "ab12") throws -> ControlList {
        func entry(_ c: String, _ text: String, status: ControlEntry.Status = .active, params: [Parameter] = [])
            throws -> ControlEntry
        {
            ControlEntry(code: try ItemCode(c, scheme: scheme), text: text, status: status, parameters: params)
        }
        return try ControlList(
            jurisdiction: jurisdiction, scheme: scheme, instrument: "\(jurisdiction) test list",
            citation: "hand-made for tests", versionDate: "2025-01-15", sourceSHA256: sha, datasetSHA256: sha + "cd",
            entries: [
                try entry("3B001", "Equipment for the manufacturing of semiconductor devices"),
                try entry("3B001.f", "Lithography equipment"),
                try entry("3B001.f.1", "Step and repeat equipment", params: [wavelength193]),
                try entry("3B001.f.3", "Not used", status: .notUsed),
            ])
    }

    func run(_ measures: [CLMeasure], _ lists: [ConflictDetector.MemberList]) -> [Finding] {
        detector.listFindings(in: measures, lists: lists, forums: Self.forums)
    }

    @Test func aDecontrolOfAnItemAPartyControlsIsHighAndCitesTheListEntry() throws {
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN), publishedIndex: 9)
        let m = measure("G7", "G7-LE-1", .licenceException, [code("3B001.f.1", .wassenaar)], ["CN"], index: 12)
        let found = run([m], [us])
        #expect(found.count == 1)
        let f = try #require(found.first)
        #expect(f.rule == .decontrolOfControlledItem && f.severity == .high)
        #expect(f.a.proposalID == "G7-LE-1" && f.a.ledgerIndex == 12)
        let e = try #require(f.b.listEntry)
        #expect(e.jurisdiction == "US" && e.instrument == "US test list" && e.versionDate == "2025-01-15")
        #expect(e.code == code("3B001.f.1", .usECCN), "the same item is cited first, before its ancestors")
        #expect(e.codes.map(\.text) == ["3B001", "3B001.f", "3B001.f.1"])
        #expect(e.sha256 == "ab12" && e.datasetSHA256 == "ab12cd" && e.publishedIndex == 9)
        #expect(f.b.ledgerIndex == 9 && f.b.label.hasSuffix("us-eccn:3B001.f.1 (list.publish entry 9)"))
        #expect(f.id == Finding.stableID(rule: .decontrolOfControlledItem, m.key, e.key))
        #expect(f.destinations == ["CN"])
        #expect(f.overlaps.contains("wassenaar:3B001.f.1 ~ us-eccn:3B001.f.1"))
        #expect(!f.reason.contains("\n") && f.reason.contains("US is a party to G7"), "\(f.reason)")
        #expect(f.json["b"]?["ledgerIndex"] == .integer(9))
        #expect(f.json["b"]?["code"] == .string("us-eccn:3B001.f.1"))
        // Another version of the list (another dataset) is another finding.
        let next = ConflictDetector.MemberList(try Self.list("US", .usECCN, sha: "ef34"))
        #expect(run([m], [next]).map(\.id) != [f.id])
        // Not published: no ledger index, and the label says so.
        #expect(run([m], [next]).first?.b.label.hasSuffix("(not published in this ledger)") == true)
    }

    @Test func overlapByAncestorDescendantSharedNumberingAndCorrelation() throws {
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN))
        // A proposal on the stem covers the list's paragraphs below it: the stem is cited.
        let stem = run([measure("G7", "a", .tradeFacilitation, [code("3B001", .eu)], ["CN"])], [us])
        #expect(stem.first?.b.listEntry?.code == code("3B001", .usECCN))
        // A paragraph below the list's deepest entry: the nearest ancestor is cited.
        let deep = run([measure("G7", "b", .licenceException, [code("3B001.f.1.a", .eu)], ["CN"])], [us])
        #expect(deep.first?.b.listEntry?.code == code("3B001.f.1", .usECCN))
        // A 5xx/9xx code is not numbered alike across schemes: EU 3B503 is not US 3B503...
        var corr = try ControlList(
            jurisdiction: "US", scheme: .usECCN, instrument: "CCL", citation: "test", versionDate: "2025-01-15",
            entries: [ControlEntry(code: code("3B903", .usECCN), text: "Scanning electron microscopes")])
        let eu503 = measure("G7", "c", .licenceException, [code("3B503")], ["CN"])
        #expect(
            ConflictDetector(correlations: CorrelationTable()).listFindings(
                in: [eu503], lists: [.init(corr)], forums: Self.forums
            ).isEmpty)
        // ...but the curated table correlates EU 3B503 with US 3B903.
        let viaCorrelation = run([eu503], [.init(corr)])
        #expect(viaCorrelation.map(\.rule) == [.decontrolOfControlledItem])
        #expect(viaCorrelation.first?.overlaps.first?.contains("via equivalent") == true)
        // A sibling paragraph, or a not-used entry, is no overlap.
        #expect(
            run([measure("G7", "d", .licenceException, [code("3B001.a", .eu)], ["CN"])], [us]).map(\.b.proposalID)
                == ["3B001"], "only the stem above it")
        corr = try ControlList(
            jurisdiction: "US", scheme: .usECCN, instrument: "CCL", citation: "test", versionDate: "2025-01-15",
            entries: [ControlEntry(code: code("3B001.f.3", .usECCN), text: "Not used", status: .notUsed)])
        #expect(run([measure("G7", "e", .licenceException, [code("3B001.f.3", .eu)], ["CN"])], [.init(corr)]).isEmpty)
    }

    @Test func aRestrictiveProposalOnAControlledItemIsNoDecontrol() throws {
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN))
        for kind in [CLMeasure.Kind.licenceRequirement, .prohibition, .informationSharing] {
            let m = measure("G7", "r", kind, [code("3B001.f.1", .wassenaar)], ["CN"])
            #expect(run([m], [us]).isEmpty, "\(kind)")
        }
        // Withdrawn proposals are not checked.
        let gone = measure("G7", "w", .licenceException, [code("3B001.f", .eu)], ["CN"], state: .withdrawn)
        #expect(run([gone], [us]).isEmpty)
    }

    @Test func aListOfANonMemberDoesNotApply() throws {
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN))
        let m = measure("Asia", "a-1", .licenceException, [code("3B001.f.1", .wassenaar)], ["CN"])
        #expect(run([m], [us]).isEmpty)
        // A forum missing from the charters is not checked either.
        #expect(run([measure("Nowhere", "n", .licenceException, [code("3B001", .eu)], ["CN"])], [us]).isEmpty)
    }

    @Test func theEUListAppliesThroughMemberStatePartiesAtMediumSeverity() throws {
        let eu = ConflictDetector.MemberList(try Self.list("EU", .eu))
        let west = run([measure("West", "w-1", .licenceException, [code("3B001.f", .eu)], ["CN"])], [eu])
        #expect(west.map(\.severity) == [.medium])
        #expect(west.first?.reason.contains("EU law binds DE, FR, parties to West") == true)
        #expect(
            run([measure("G7", "g-1", .licenceException, [code("3B001.f", .eu)], ["CN"])], [eu]).map(\.severity)
                == [.high])
        #expect(run([measure("Asia", "a-1", .licenceException, [code("3B001.f", .eu)], ["CN"])], [eu]).isEmpty)
        // A member state's own list binds only that state.
        let nl = ConflictDetector.MemberList(try Self.list("NL", .eu))
        #expect(run([measure("G7", "g-2", .licenceException, [code("3B001.f", .eu)], ["CN"])], [nl]).isEmpty)
    }

    @Test func exemptedDestinationsAreNotContradicted() throws {
        let eu = ConflictDetector.MemberList(try Self.list("EU", .eu))
        // The EU list does not control exports to the Union's own member states.
        #expect(run([measure("G7", "g-1", .licenceException, [code("3B001.f", .eu)], ["DE", "FR"])], [eu]).isEmpty)
        let mixed = run([measure("G7", "g-2", .licenceException, [code("3B001.f", .eu)], ["DE", "CN"])], [eu])
        #expect(mixed.first?.destinations == ["CN"])
        // Explicit exemptions given with the list, and the proposal's own exemptions.
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN), exemptedDestinations: ["US", "CA"])
        #expect(run([measure("G7", "g-3", .licenceException, [code("3B001.f", .eu)], ["CA"])], [us]).isEmpty)
        #expect(
            run([measure("G7", "g-4", .licenceException, [code("3B001.f", .eu)], ["CN"], exempt: ["CN"])], [us])
                .isEmpty)
        // Every destination: still a finding, outside the list's own territory.
        let all = run([measure("G7", "g-5", .licenceException, [code("3B001.f", .eu)], ["group:all"])], [us])
        #expect(all.first?.destinations == ["*"])
        #expect(all.first?.reason.contains("every destination outside US") == true)
    }

    @Test(arguments: [
        // (comparator, value, unit, looser than "< 193 nm")
        (Parameter.Comparator.lessThan, "150", "nm", true),
        (.lessThan, "0.15", "µm", true),
        (.lessThan, "248", "nm", false),
        (.lessThan, "193", "nm", false),
        (.lessOrEqual, "193", "nm", false),
        (.greaterThan, "150", "nm", false),
    ])
    func thresholdLooserThanTheMembersIsMediumAndStricterIsNoFinding(
        comparator: Parameter.Comparator, value: String, unit: String, looser: Bool
    ) throws {
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN), publishedIndex: 4)
        let p = Parameter(term: "Light source  wavelength", comparator: comparator, value: value, unit: unit)
        let m = measure("G7", "g-1", .licenceRequirement, [code("3B001.f.1", .wassenaar)], ["CN"], params: [p])
        let found = run([m], [us])
        #expect(found.count == (looser ? 1 : 0))
        guard let f = found.first else { return }
        #expect(f.rule == .thresholdLooserThanMember && f.severity == .medium)
        #expect(f.b.listEntry?.codes == [code("3B001.f.1", .usECCN)], "only the entry with the tighter threshold")
        #expect(f.overlaps == ["wassenaar:3B001.f.1 ~ us-eccn:3B001.f.1"])
        #expect(f.reason.hasSuffix("vs US 3B001.f.1 < 193 nm"), "\(f.reason)")
        #expect(f.id == Finding.stableID(rule: .thresholdLooserThanMember, m.key, f.b.listEntry!.key))
    }

    @Test func looserComparesOnlyTheSameTermDimensionAndDirection() {
        let q = Self.wavelength193
        func p(_ term: String, _ c: Parameter.Comparator, _ v: String, _ u: String) -> Parameter {
            Parameter(term: term, comparator: c, value: v, unit: u)
        }
        #expect(ConflictDetector.isLooser(p("light source wavelength", .lessThan, "150", "nm"), than: q))
        #expect(!ConflictDetector.isLooser(p("overlay", .lessThan, "150", "nm"), than: q))
        #expect(!ConflictDetector.isLooser(p("light source wavelength", .lessThan, "150", "W"), than: q))
        // Lower bounds: a higher figure is looser; at the same figure, strict against inclusive.
        let energy = p("beam energy", .greaterOrEqual, "20", "keV")
        #expect(ConflictDetector.isLooser(p("beam energy", .greaterOrEqual, "25000", "eV"), than: energy))
        #expect(ConflictDetector.isLooser(p("beam energy", .greaterThan, "20", "keV"), than: energy))
        #expect(!ConflictDetector.isLooser(p("beam energy", .greaterOrEqual, "15", "keV"), than: energy))
        #expect(!ConflictDetector.isLooser(p("beam energy", .betterThan, "30", "keV"), than: energy))
    }

    @Test func anEntryReachedTwiceIsJudgedOnce() throws {
        // EU 3B503 is correlated with US 3B903: a proposal naming both reaches the entry twice.
        let energy = Parameter(term: "landing energy", comparator: .lessOrEqual, value: "1", unit: "keV")
        let us = ConflictDetector.MemberList(
            try ControlList(
                jurisdiction: "US", scheme: .usECCN, instrument: "CCL", citation: "test", versionDate: "2025-01-15",
                entries: [ControlEntry(code: code("3B903", .usECCN), text: "SEMs", parameters: [energy])]))
        let looser = Parameter(term: "landing energy", comparator: .lessOrEqual, value: "500", unit: "eV")
        let m = measure(
            "G7", "g-1", .licenceRequirement, [code("3B503"), code("3B903", .usECCN)], ["CN"], params: [looser])
        let f = try #require(run([m], [us]).first)
        #expect(f.reason.split(separator: ";").count == 1 && f.reason.hasSuffix("vs US 3B903 ≤ 1 keV"), "\(f.reason)")
        #expect(f.overlaps.count == 2, "both ways in are shown: \(f.overlaps)")
        #expect(f.b.listEntry?.codes == [code("3B903", .usECCN)])
    }

    @Test func aPermissiveProposalWithThresholdsIsADecontrolNotAThresholdFinding() throws {
        let us = ConflictDetector.MemberList(try Self.list("US", .usECCN))
        let p = Parameter(term: "light source wavelength", comparator: .lessThan, value: "150", unit: "nm")
        let m = measure("G7", "g-1", .licenceException, [code("3B001.f.1", .wassenaar)], ["CN"], params: [p])
        #expect(run([m], [us]).map(\.rule) == [.decontrolOfControlledItem])
    }
}
