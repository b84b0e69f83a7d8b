import ControlCodes
import ControlLists
import Testing

/// Inputs found by the fuzz harnesses (Fuzz/, specs/fuzzing.md), minimized.
@Suite struct FuzzRegressionTests {
    /// FuzzListText: a parameter extracted from the text has a term that holds `|`; the CSV
    /// export wrote it into the `term|comparator|value|unit` cell as it was, and the export
    /// did not import ("a parameter is term|comparator|value|unit").
    @Test func csvExportOfATermWithABarImports() throws {
        let text = "#jurisdiction:US\n#instrument:T\n#citation:s\n#versionDate:2025-01-15\n3B001 | less than 2"
        let list = try ControlListImporter.importList(bytes: Array(text.utf8), path: "t.txt", format: .text)
        try #require(list.entries.first?.parameters.isEmpty == false)
        let csv = ControlListCSV.encode(list)
        let back = try ControlListImporter.importList(bytes: Array(csv.utf8), path: "t.csv", format: .csv)
        #expect(back.entries.map(\.code) == list.entries.map(\.code))
        #expect(
            back.entries.map { $0.parameters.map(\.description) }
                == list.entries.map { $0.parameters.map(\.description) })
    }

    /// The CSV reader takes the last three fields of a parameter as comparator, value and unit,
    /// so a term given explicitly may hold `|`.
    @Test func csvParameterTermMayHoldABar() throws {
        let csv = """
            # jurisdiction: US
            # scheme: us-eccn
            # instrument: T
            # citation: c
            # versionDate: 2025-01-15
            code,text,source,parameters
            3B001,Equipment with a feature size below 2 nm,CCL,a|b|<|2|nm

            """
        let list = try ControlListImporter.importList(bytes: Array(csv.utf8), path: "t.csv", format: .csv)
        let p = try #require(list.entries.first?.parameters.first)
        #expect(p.term == "a|b" && p.value == "2" && p.unit == "nm")
        let back = try ControlListImporter.importList(
            bytes: Array(ControlListCSV.encode(list).utf8), path: "u.csv", format: .csv)
        #expect(back.entries.first?.parameters == list.entries.first?.parameters)
    }

    /// FuzzEUAnnex: a `celex` with a line break went into the citation, which the CSV export
    /// wrote as a `# citation:` line as it was; the rest of it was read as the header row.
    @Test func csvExportOfACitationWithALineBreakImports() throws {
        let json =
            #"{"celex": "x\n3B001.a y", "valid_from": "2025-11-15", "entries": [{"entry_code": "3B001", "#
            + #""verbatim_text": "3B001 Equipment"}]}"#
        let list = try ControlListImporter.importList(bytes: Array(json.utf8), path: "eu.json", format: .euAnnex)
        let csv = ControlListCSV.encode(list)
        let back = try ControlListImporter.importList(bytes: Array(csv.utf8), path: "eu.csv", format: .csv)
        #expect(back.entries.map(\.code) == list.entries.map(\.code))
        #expect(
            list.citation.contains("\n") && back.citation == list.citation.split(separator: "\n").joined(separator: " ")
        )
    }

    /// FuzzListCSV: a comma followed by a combining mark (U+059E) is one Character, so the
    /// CSV export did not quote the field and the row read back with a field too many.
    @Test func csvFieldWithACommaBeforeACombiningMarkIsQuoted() throws {
        #expect(ControlListCSV.csvField("a,\u{59E}b") == "\"a,\u{59E}b\"")
        #expect(ControlListCSV.csvField("a\r\nb") == "\"a\r\nb\"")
        #expect(ControlListCSV.csvField("q\"\u{301}") == "\"q\"\"\u{301}\"")
        let csv = """
            # jurisdiction: US
            # scheme: us-eccn
            # instrument: T
            # citation: c
            # versionDate: 2025-01-15
            code,text,source
            3B001,"Equipment,\u{59E} as follows:",CCL

            """
        let list = try ControlListImporter.importList(bytes: Array(csv.utf8), path: "t.csv", format: .csv)
        let back = try ControlListImporter.importList(
            bytes: Array(ControlListCSV.encode(list).utf8), path: "u.csv", format: .csv)
        #expect(back.entries.map(\.text) == list.entries.map(\.text))
    }

    /// FuzzListJSON: an entry given `"parameters": []` whose text yields parameters was
    /// exported without the field, and read back with the parameters of its text.
    @Test func jsonExportKeepsAnExplicitlyEmptyParameterList() throws {
        let json = #"""
            {"jurisdiction": "US", "scheme": "us-eccn", "instrument": "x", "citation": "y", "versionDate": "2025-01-01",
             "entries": [{"code": "3A090", "text": "a 'total processing performance' of 4800 or more", \#
            "source": "s", "parameters": []}]}
            """#
        let list = try ControlListImporter.importList(bytes: Array(json.utf8), path: "l.json", format: .json)
        #expect(list.entries.first?.parameters == [])
        #expect(ParameterExtractor.extract(from: list.entries[0].text).isEmpty == false)
        let back = try ControlListImporter.importList(
            bytes: Array(ControlListJSON.encode(list).utf8), path: "m.json", format: .json)
        #expect(back.entries.first?.parameters == [])
    }
}
