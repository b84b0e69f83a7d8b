import ControlCodes
import LedgerCrypto
import Testing

@testable import ControlLists

/// A list says where it came from (the dataset's hash beside the file's) and its explicit
/// parameters must still be what its text says (issue 11 §4).
@Suite struct SourceIntegrityTests {
    static func json(text: String, value: String, extraTop: String = "") -> [UInt8] {
        Array(
            """
            {"format": "minilateral-control-list/v1", "jurisdiction": "EU", "scheme": "eu",
             "instrument": "Test", "citation": "test", "versionDate": "2025-11-15",\(extraTop)
             "entries": [
              {"code": "3B001", "text": "Equipment:", "status": "active", "source": "test"},
              {"code": "3B001.f.2", "text": "\(text)", "status": "active", "source": "test",
               "parameters": [{"term": "features", "comparator": "<=", "value": "\(value)", "unit": "nm"}]}
             ]}
            """.utf8)
    }

    @Test func staleExplicitParametersAreRefusedNamingTheLine() throws {
        let ok = Self.json(
            text: "Imprint lithography equipment capable of producing features of 45 nm or less;", value: "45")
        #expect(try ControlListImporter.importList(bytes: ok, path: "l.json", format: .json).entries.count == 2)
        // The text was edited to 40 nm and the parameter left at 45.
        let stale = Self.json(
            text: "Imprint lithography equipment capable of producing features of 40 nm or less;", value: "45")
        let e = #expect(throws: ControlListError.self) {
            try ControlListImporter.importList(bytes: stale, path: "l.json", format: .json)
        }
        let m = e?.message ?? ""
        #expect(
            m.hasPrefix("l.json:5: 3B001.f.2: parameter \"features ≤ 45 nm\" is not in the text (the text states 40)"),
            "\(m)")
        // CSV with an explicit parameters column says the same; with the column empty the
        // parameters are re-derived from the edited text, so nothing is stale.
        let head =
            "# jurisdiction: EU\n# scheme: eu\n# instrument: Test\n# citation: test\n# versionDate: 2025-11-15\n"
            + "code,status,heading,text,source,notes,seeAlso,parameters\n3B001,active,,Equipment:,test,,,\n"
        let csv = head + "3B001.f.2,active,,features of 40 nm or less;,test,,,features|<=|45|nm\n"
        let ce = #expect(throws: ControlListError.self) {
            try ControlListImporter.importList(bytes: Array(csv.utf8), path: "l.csv", format: .csv)
        }
        #expect(
            ce?.message.hasPrefix("l.csv:8: 3B001.f.2: parameter \"features ≤ 45 nm\" is not in the text") == true,
            "\(ce?.message ?? "")")
        let derived = head + "3B001.f.2,active,,features of 40 nm or less;,test,,,\n"
        let l = try ControlListImporter.importList(bytes: Array(derived.utf8), path: "l.csv", format: .csv)
        #expect(l.entry("3B001.f.2")?.parameters.map(\.value) == ["40"])
    }

    @Test func decimalCommasAndTrailingPunctuationCount() {
        let p = Parameter(term: "uniformity", comparator: .lessThan, value: "2.5", unit: "%")
        #expect(ParameterCheck.disagreement([p], text: "a layer uniform to less than ± 2,5 % across 75 mm;") == nil)
        #expect(ParameterCheck.disagreement([p], text: "uniform to less than 2.5.") == nil)
        #expect(ParameterCheck.disagreement([p], text: "uniform to less than 3 %") != nil)
    }

    /// `Double` reads "+45", "45e0", "4.5E1" and "0x2D" as 45: spelled so, a stale parameter
    /// must not slip past the check. An exponent is checked as the text writes it ("10-4").
    @Test func aParameterSpelledOtherwiseIsStillChecked() throws {
        let stale = "Imprint lithography equipment capable of producing features of 40 nm or less;"
        for value in ["+45", "45e0", "4.5E1", "0x2D", "inf"] {
            #expect(throws: ControlListError.self, "\(value)") {
                try ControlListImporter.importList(
                    bytes: Self.json(text: stale, value: value), path: "l.json", format: .json)
            }
        }
        let p = Parameter(term: "C-NOT error", comparator: .lessOrEqual, value: "1e-4", unit: "")
        #expect(ParameterCheck.disagreement([p], text: "a 'C-NOT error' of less than or equal to 10-4;") == nil)
        #expect(ParameterCheck.disagreement([p], text: "a 'C-NOT error' of less than or equal to 10-3;") != nil)
        let q = Parameter(term: "C-NOT error", comparator: .lessOrEqual, value: "2.5e-3", unit: "")
        #expect(ParameterCheck.disagreement([q], text: "an error of 2,5 × 10-3 or less") == nil)
        #expect(ParameterCheck.disagreement([q], text: "an error of 3 × 10-3 or less") != nil)
    }

    @Test func theDatasetHashSurvivesOurFormats() throws {
        let dataset = Self.json(text: "features of 45 nm or less;", value: "45")
        let a = try ControlListImporter.importList(bytes: dataset, path: "d.json", format: .json)
        #expect(a.datasetSHA256 == a.sourceSHA256)
        #expect(a.sourceSHA256 == SHA256.hash(dataset).hex)
        for encoded in [ControlListJSON.encode(a), ControlListCSV.encode(a)] {
            let format: ControlListImporter.Format = encoded.hasPrefix("{") ? .json : .csv
            let b = try ControlListImporter.importList(bytes: Array(encoded.utf8), path: "w", format: format)
            #expect(b.sourceSHA256 == SHA256.hash(Array(encoded.utf8)).hex)
            #expect(b.datasetSHA256 == a.sourceSHA256, "\(format)")
        }
        let bad = Self.json(text: "features of 45 nm or less;", value: "45", extraTop: " \"datasetSHA256\": \"F4CE\",")
        #expect(throws: ControlListError.self) {
            try ControlListImporter.importList(bytes: bad, path: "b.json", format: .json)
        }
    }

    /// The whole EU Annex (© European Union, Regulation (EU) 2021/821 Annex I, consolidated
    /// 15 Nov 2025; reuse per Commission Decision 2011/833/EU) written in our JSON and CSV
    /// imports again: every explicit parameter the writer keeps is one the text states, flattened
    /// powers ("10,15 × 106") and negative thresholds ("-160 dBm") included.
    @Test(.needsEUAnnex) func theEUAnnexRoundTripsThroughOurFormats() throws {
        let eu = try TestData.euList()
        for (text, format) in [
            (ControlListJSON.encode(eu), ControlListImporter.Format.json), (ControlListCSV.encode(eu), .csv),
        ] {
            let back = try ControlListImporter.importList(bytes: Array(text.utf8), path: "eu.\(format)", format: format)
            #expect(back.entries.count == eu.entries.count)
            #expect(back.entries.map(\.code) == eu.entries.map(\.code), "\(format)")
        }
    }

    @Test func flattenedPowersAndNegativeThresholdsAreStated() {
        let modulus = Parameter(term: "specific modulus", comparator: .greaterThan, value: "10.15e6", unit: "m")
        #expect(ParameterCheck.disagreement([modulus], text: "a specific modulus exceeding 10,15 × 106 m;") == nil)
        #expect(ParameterCheck.disagreement([modulus], text: "a specific modulus exceeding 10,15 × 107 m;") != nil)
        let noise = Parameter(term: "DANL", comparator: .lessThan, value: "-160", unit: "dBm")
        #expect(ParameterCheck.disagreement([noise], text: "DANL less (better) than -160 dBm") == nil)
        #expect(ParameterCheck.disagreement([noise], text: "DANL less (better) than -150 dBm") != nil)
        let plus = Parameter(term: "features", comparator: .lessOrEqual, value: "+45", unit: "nm")
        #expect(ParameterCheck.disagreement([plus], text: "features of 45 nm or less") != nil)
    }
}
