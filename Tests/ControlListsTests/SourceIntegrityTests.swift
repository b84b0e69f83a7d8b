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
}
