import ControlCodes
import ControlLists
import Testing

/// End-to-end import of Annex I of Regulation (EU) 2021/821 (consolidated 15 Nov 2025),
/// read from ../shared/data (© European Union, reuse with acknowledgement).
@Suite(.needsEUAnnex) struct EUAnnexImportTests {
    @Test func importsEveryParagraphInItsHierarchy() throws {
        let list = try TestData.euList()
        #expect(list.jurisdiction == "EU")
        #expect(list.versionDate == "2025-11-15")
        #expect(list.stems.count == 384)
        #expect(list.entries.count > 3000)
        for e in list.entries {
            if e.code.isStem {
                #expect(e.parent == nil)
            } else {
                // Every paragraph's direct parent is in the list.
                #expect(e.parent == e.code.parent, "\(e.code) parent \(String(describing: e.parent))")
            }
            #expect(!e.source.isEmpty)
        }
        // Ordered: children follow parents; 3B001.f.1.b after 3B001.f.1.a.
        let codes = list.entries.map(\.code)
        #expect(codes == codes.sorted())
    }

    @Test func notesAttachToTheRightParagraph() throws {
        let list = try TestData.euList()
        let stem = try #require(list.entry("3B001"))
        #expect(stem.notes.contains { $0.kind == .nb && $0.text.contains("2B226") })
        #expect(stem.seeAlso.contains("2B226"))
        let a = try #require(list.entry("3B001.a"))
        #expect(a.notes.contains { $0.kind == .nb && $0.text.contains("3B501.a.4") })
        let a1 = try #require(list.entry("3B001.a.1"))
        #expect(a1.notes.count == 1 && a1.notes[0].kind == .note)
        let f1b = try #require(list.entry("3B001.f.1.b"))
        #expect(f1b.notes.count == 1 && f1b.notes[0].kind == .technicalNote)
        #expect(f1b.notes[0].text.contains("K factor = 0,35"))  // continuation line joined to the note
        #expect(!f1b.text.contains("K factor"))
        let l1 = try #require(list.entry("6A008.l.1"))
        #expect(l1.notes.contains { $0.kind == .technicalNote && $0.text.contains("automatic target tracking") })
        let s503 = try #require(list.entry("3B503"))
        #expect(s503.notes.filter { $0.kind == .note }.count == 2)
    }

    @Test func notUsedParagraphsAreKept() throws {
        let list = try TestData.euList()
        #expect(list.entry("3B001.c")?.status == .notUsed)
        #expect(list.entry("3B001.b.1")?.status == .notUsed)
        #expect(list.entry("4D002")?.status == .notUsed)
        #expect(list.entry("3B001.b.2")?.status == .active)
        #expect(list.entries.filter { $0.status == .notUsed }.count >= 100)
    }

    @Test func euFiveHundredSeriesIsImported() throws {
        let list = try TestData.euList()
        for c in ["3B501", "3B503", "3B504", "3A504", "4A506"] { #expect(list.entry(c) != nil, "\(c)") }
        #expect(list.entry("4A506")?.code.regimeDigit == 5)
    }

    @Test func sourceHashIsTheFileHash() throws {
        let list = try TestData.euList()
        #expect(list.sourceSHA256.count == 64)
        #expect(list.attribution?.contains("European Union") == true)
    }
}
