import ControlCodes
import ControlLists
import Testing

func makeList(_ j: String, _ scheme: CodeScheme, date: String = "2025-01-01", _ lines: [(String, String)]) throws
    -> ControlList
{
    try ControlList(
        jurisdiction: j, scheme: scheme, instrument: "Test list", citation: "test", versionDate: date,
        entries: lines.map { (c, t) in
            ControlEntry(
                code: try ItemCode(c, scheme: scheme), text: t, status: ControlEntry.status(ofText: t),
                parameters: ParameterExtractor.extract(from: t), source: "test")
        })
}

@Suite struct DiffTests {
    @Test func addedRemovedAndTextChanges() throws {
        let a = try makeList(
            "EU", .eu,
            [
                ("3B001", "Equipment as follows:"), ("3B001.a", "Equipment for epitaxial growth;"),
                ("3B001.b", "Old paragraph about ion implanters with direct write;"),
            ])
        let b = try makeList(
            "EU", .eu,
            [
                ("3B001", "Equipment as follows:"), ("3B001.a", "Equipment for silicon epitaxial growth;"),
                ("3B001.c", "Brand new paragraph on etching tools;"),
            ])
        let d = ListDiff(old: a, new: b)
        #expect(d.counts[.added] == 1 && d.counts[.removed] == 1 && d.counts[.textChanged] == 1)
        let t = try #require(d.changes.first { $0.kind == .textChanged })
        #expect(t.wordDiff?.inline() == "Equipment for {+silicon+} epitaxial growth;")
    }

    @Test func renumberedParagraphIsAMoveNotAnAddAndRemove() throws {
        let text = "Equipment designed for epitaxial growth of silicon or silicon germanium having a preclean chamber;"
        let a = try makeList(
            "EU", .eu, [("3B001", "Equipment:"), ("3B001.a", "Other text here for a;"), ("3B001.a.4", text)])
        let b = try makeList(
            "EU", .eu,
            [
                ("3B001", "Equipment:"), ("3B001.a", "Other text here for a;"), ("3B001.a.4", "Not used;"),
                ("3B501", "Equipment:"), ("3B501.a", "Other:"), ("3B501.a.4", text),
            ])
        let d = ListDiff(old: a, new: b)
        let m = try #require(d.changes.first { $0.kind == .moved })
        #expect(m.oldCode?.text == "3B001.a.4" && m.newCode?.text == "3B501.a.4" && m.similarity == 1)
        #expect(d.changes.contains { $0.kind == .statusChanged && $0.code.text == "3B001.a.4" })
        #expect(!d.changes.contains { $0.kind == .added && $0.code.text == "3B501.a.4" })
    }

    @Test func renumberingWithSmallEditsIsStillAMove() throws {
        let a = try makeList(
            "EU", .eu,
            [
                ("1A001", "X:"),
                (
                    "1A001.c",
                    "Seals gaskets sealants or fuel bladders specially designed for aircraft or aerospace use made "
                        + "from more than 50 % by weight of any materials"
                ),
            ])
        let b = try makeList(
            "EU", .eu,
            [
                ("1A001", "X:"),
                (
                    "1A001.d",
                    "Seals gaskets sealants or fuel bladders specially designed for aircraft or aerospace use made "
                        + "from more than 50 % by weight of any material"
                ),
            ])
        let d = ListDiff(old: a, new: b)
        #expect(d.changes.count == 1 && d.changes[0].kind == .moved)
    }

    @Test func thresholdChangesShowOldToNew() throws {
        let a = try makeList(
            "EU", .eu, [("3B001", "X:"), ("3B001.b.2", "Designed to operate at a beam energy of 20 keV or more;")])
        let b = try makeList(
            "EU", .eu, [("3B001", "X:"), ("3B001.b.2", "Designed to operate at a beam energy of 25 keV or more;")])
        let d = ListDiff(old: a, new: b)
        let c = try #require(d.changes.first)
        #expect(c.kind == .parametersChanged)
        #expect(c.parameterChanges.first?.summary == "≥ 20 keV → ≥ 25 keV")
        for f in DiffFormat.allCases { #expect(d.render(f).contains("25")) }
    }

    @Test(.needsEUAnnex) func identicalListsHaveNoChanges() throws {
        let eu = try TestData.euList()
        #expect(ListDiff(old: eu, new: eu).changes.isEmpty)
    }

    @Test func jurisdictionDiffSortsIntoTheFourBuckets() throws {
        let a = try makeList(
            "EU", .eu,
            [
                ("3B001", "Equipment:"), ("3B001.f.1.a", "A light source wavelength shorter than 193 nm;"),
                ("3B503", "SEM:"), ("3B503.g", "Accelerating voltage more than 21 kV."), ("1A001", "Only in A"),
            ])
        let b = try makeList(
            "US", .usECCN,
            [
                ("3B001", "Equipment:"), ("3B001.f.1.a", "A light source wavelength shorter than 248 nm;"),
                ("3B903", "SEM:"), ("3B903.g", "Accelerating voltage more than 21 kV."), ("3A090", "Only in B"),
            ])
        let t = try CuratedData.correlations()
        let d = JurisdictionDiff(a: a, b: b, correlations: t)
        #expect(d.rows(.aOnly).map { $0.aCode!.text } == ["1A001"])
        #expect(d.rows(.bOnly).map { $0.bCode!.text } == ["3A090"])
        let dis = try #require(d.rows(.differentThresholds).first)
        #expect(dis.aCode?.text == "3B001" && dis.disparities.first?.verdict == "B stricter")
        let alike = try #require(d.rows(.alike).first)
        #expect(alike.aCode?.text == "3B503" && alike.bCode?.text == "3B903" && alike.relation == "equivalent")
        for f in DiffFormat.allCases { #expect(!d.render(f).isEmpty) }
    }

    @Test(.needsEUAnnex) func euAgainstUSSubsetReadsAsAnAnalystWants() throws {
        let eu = try TestData.euList()
        let us = try CuratedData.list(.usCCLSubset)
        let d = JurisdictionDiff(a: eu, b: us, correlations: try CuratedData.correlations())
        #expect(Set(d.rows(.bOnly).compactMap { $0.bCode?.text }) == ["3A090", "4A090", "3B993"])
        let pairs = Set(d.rows(.alike).map { "\($0.aCode!.text)=\($0.bCode!.text)" })
        #expect(pairs == ["3B503=3B903", "3B504=3B904", "3A504=3A904", "4A506=4A906"])
        // 3B001 matches only at the stem: an overlap, not a claim that the lists agree.
        let stem = try #require(d.rows(.overlapNotCompared).first)
        #expect(stem.aCode?.text == "3B001" && stem.bCode?.text == "3B001")
        #expect(stem.note == "matched at stem level only; paragraph texts not compared")
        #expect(d.rows(.differentThresholds).isEmpty)
        let sem = try #require(d.rows(.alike).first { $0.bCode?.text == "3B903" })
        #expect(sem.thresholdsCompared >= 2)
        let md = d.render(.markdown)
        #expect(md.contains("### Controlled by B only (3)"))
        #expect(md.contains("### Controlled by both, not compared (overlap without comparable thresholds) (1)"))
        #expect(d.render(.json).contains("\"overlap-not-compared\": 1"))
        #expect(md.contains("**3B**"))
        print(d.render(.table))
    }

    /// EU 3B001 ↔ Japan row 7 and EU 3B501 ↔ the Netherlands' 2023 list overlap with no
    /// comparable thresholds: reported as overlaps with the reason, never "both-alike".
    @Test(.needsEUAnnex) func overlapsWithoutComparableThresholdsAreNotCalledAlike() throws {
        let eu = try TestData.euList()
        let t = try CuratedData.correlations()
        for (list, a, b) in [(CuratedData.ListName.japanRow7, "3B001", "7"), (.netherlands2023, "3B501", "NL")] {
            let d = JurisdictionDiff(a: eu, b: try CuratedData.list(list), correlations: t)
            #expect(d.rows(.alike).isEmpty, "\(list)")
            let r = try #require(d.rows(.overlapNotCompared).first, "\(list)")
            #expect(r.aCode?.text == a && r.bCode?.text.hasPrefix(b) == true, "\(r)")
            #expect(r.note.contains("texts differ"), "\(r.note)")
        }
    }

    @Test func sameTextWithoutThresholdsIsAlikeDifferentTextIsNotCompared() throws {
        let a = try makeList("EU", .eu, [("1A001", "Components made from fluorinated compounds:")])
        let same = try makeList("US", .usECCN, [("1A001", "Components  made from Fluorinated compounds:")])
        let other = try makeList("US", .usECCN, [("1A001", "Seals and gaskets of any material:")])
        let t = try CuratedData.correlations()
        let d1 = JurisdictionDiff(a: a, b: same, correlations: t)
        #expect(d1.rows(.alike).first?.note == "no thresholds; paragraph texts identical")
        let d2 = JurisdictionDiff(a: a, b: other, correlations: t)
        #expect(d2.rows(.alike).isEmpty)
        #expect(
            d2.rows(.overlapNotCompared).first?.note
                == "neither list states a threshold, and the paragraph texts differ")
    }
}
