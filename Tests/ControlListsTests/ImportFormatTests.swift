import ControlCodes
import ControlLists
import Testing

@Suite struct ImportFormatTests {
    let header =
        "# jurisdiction: US\n# scheme: us-eccn\n# instrument: Test CCL\n# citation: 15 CFR 774 (test)\n# versionDate: "
        + "2025-01-15\n"

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func codePrefixedTextPlacesNotesAndContinuations() throws {
        let text =
            header + """
                3B001 Equipment for the manufacturing of semiconductor devices, as follows:
                3B001 N.B. SEE ALSO 2B226
                3B001.a Equipment designed for epitaxial growth as follows:
                3B001.a.1 Equipment producing a layer uniform to less than ± 2,5 % across a distance of 75 mm or more;
                3B001.a.1 Note: 3B001.a.1. includes ALE equipment.
                3B001.a.2 Not used;
                3B001.a Technical Note:
                3B001.a For the purposes of 3B001.a, 'epitaxy' means …
                3B001.z Reserved
                """
        let l = try ControlListImporter.importList(bytes: bytes(text), path: "t.txt", format: .text)
        #expect(l.entries.map(\.code.text) == ["3B001", "3B001.a", "3B001.a.1", "3B001.a.2", "3B001.z"])
        #expect(l.entry("3B001")?.seeAlso == ["2B226"])
        #expect(l.entry("3B001.a")?.notes.first?.kind == .technicalNote)
        #expect(l.entry("3B001.a")?.notes.first?.text.contains("'epitaxy' means") == true)
        #expect(l.entry("3B001.a.1")?.notes.count == 1)
        #expect(l.entry("3B001.a.2")?.status == .notUsed)
        #expect(l.entry("3B001.z")?.status == .reserved)
        #expect(l.entry("3B001.a.1")?.parameters.contains { $0.baseUnit == "m" && $0.baseValue == 0.075 } == true)
        #expect(l.entry("3B001")?.heading == "Equipment for the manufacturing of semiconductor devices")
    }

    @Test(arguments: [
        ("3B001 Equipment:\n3B01.a Broken code\n", "t.txt:7:"),
        ("3B001 Equipment:\n3B001.a Text\n3B001.b Text\n3B001.a Again\n", "t.txt:9:"),
        ("3B001.a Note: a note before any paragraph\n", "t.txt:6:"),
        ("3B001 Equipment:\n3b001.a lower-case group\n", "t.txt:7:"),
    ])
    func malformedTextNamesFileAndLine(body: String, location: String) {
        do {
            _ = try ControlListImporter.importList(bytes: bytes(header + body), path: "t.txt", format: .text)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix(location), "\(error.message)")
        }
    }

    @Test func missingHeaderFieldIsAnError() {
        #expect(throws: ControlListError(code: .missingField, message: "")) {
            try ControlListImporter.importList(bytes: Array("3B001 X\n".utf8), path: "t.txt", format: .text)
        }
    }

    @Test func jsonRoundTrip() throws {
        let us = try CuratedData.list(.usCCLSubset)
        let text = ControlListJSON.encode(us)
        let back = try ControlListImporter.importList(bytes: Array(text.utf8), path: "us.json", format: .json)
        #expect(
            back.entries
                == us.entries.map {
                    var e = $0
                    e.line = back.entry($0.code)?.line
                    return e
                })
        #expect(back.citation == us.citation)
    }

    @Test(.needsEUAnnex) func csvRoundTripKeepsNotesParametersAndQuotes() throws {
        let eu = try TestData.euList()
        let sub = try ControlList(
            jurisdiction: "EU", scheme: .eu, instrument: eu.instrument, citation: eu.citation,
            versionDate: eu.versionDate,
            entries: Array(eu.subtree(try ItemCode("3B001", scheme: .eu))))
        let csv = ControlListCSV.encode(sub)
        let back = try ControlListImporter.importList(bytes: Array(csv.utf8), path: "eu.csv", format: .csv)
        #expect(back.entries.count == sub.entries.count)
        for (x, y) in zip(back.entries, sub.entries) {
            #expect(x.code == y.code && x.text == y.text && x.status == y.status)
            #expect(x.notes.count == y.notes.count)
            #expect(x.parameters.map(\.description) == y.parameters.map(\.description))
        }
    }

    @Test func malformedJSONNamesTheLine() {
        let text = """
            {
              "jurisdiction": "US", "instrument": "x", "citation": "y", "versionDate": "2025-01-01",
              "entries": [
                {"code": "3A090", "text": "ok", "source": "s"},
                {"code": "3A0900", "text": "bad code", "source": "s"}
              ]
            }
            """
        do {
            _ = try ControlListImporter.importList(bytes: Array(text.utf8), path: "l.json", format: .json)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("l.json:5:"), "\(error.message)")
        }
        do {
            _ = try ControlListImporter.importList(
                bytes: Array("{\n  \"entries\": [,]\n}".utf8), path: "x.json", format: .json)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("x.json:2:"), "\(error.message)")
        }
    }

    @Test func jsonEntryWithoutSourceIsRefused() {
        let text =
            #"{"jurisdiction": "US", "instrument": "x", "citation": "y", "versionDate": "2025-01-01", "entries": "#
            + #"[{"code": "3A090", "text": "t"}]}"#
        #expect(throws: ControlListError(code: .missingField, message: "")) {
            try ControlListImporter.importList(bytes: Array(text.utf8), path: "l.json", format: .json)
        }
    }

    @Test func inconsistentUnitIsAnError() {
        let text =
            #"{"jurisdiction": "US", "instrument": "x", "citation": "y", "versionDate": "2025-01-01", "entries": "#
            + #"[{"code": "3A090", "text": "t", "source": "s", "parameters": [{"term": "w", "comparator": "<", "#
            + #""value": "193", "unit": "furlongs"}]}]}"#
        #expect(throws: ControlListError(code: .inconsistentUnit, message: "")) {
            try ControlListImporter.importList(bytes: Array(text.utf8), path: "l.json", format: .json)
        }
    }

    @Test func malformedCSVNamesTheLine() {
        let csv =
            header
            + "code,status,heading,text,source,notes,seeAlso,parameters\n3A090,active,,\"Integrated "
            + "circuits\",s,,,\n3A090.a,bogus,,t,s,,,\n"
        do {
            _ = try ControlListImporter.importList(bytes: Array(csv.utf8), path: "l.csv", format: .csv)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("l.csv:8:"), "\(error.message)")
        }
    }

    @Test func euAnnexWithAForeignLineIsRefusedWithItsLine() {
        let text = """
            {
              "celex": "fixture",
              "valid_from": "2025-11-15",
              "entries": [
                {
                  "entry_code": "3B001",
                  "verbatim_text": "3B001 Equipment:\\n3B002 Wrong entry"
                }
              ]
            }
            """
        do {
            _ = try ControlListImporter.importList(bytes: Array(text.utf8), path: "eu.json", format: .euAnnex)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("eu.json:7: entry 3B001, text line 2"), "\(error.message)")
        }
    }

    @Test func formatIsDetected() throws {
        #expect(ControlListImporter.detectFormat(path: "a.csv", bytes: []) == .csv)
        #expect(ControlListImporter.detectFormat(path: "a.json", bytes: Array("{\"celex\": 1}".utf8)) == .euAnnex)
        #expect(ControlListImporter.detectFormat(path: "a.json", bytes: Array("{\"entries\": []}".utf8)) == .json)
        #expect(ControlListImporter.detectFormat(path: "a.txt", bytes: Array("# x".utf8)) == .text)
    }
}
