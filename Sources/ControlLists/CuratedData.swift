import ControlCodes

/// The small, cited lists and correlation tables shipped with the module (in `Data/`, compiled
/// into the binary as ``EmbeddedCuratedData`` by scripts/embed-assets.sh, so that a `ledger`
/// copied alone finds them).
///
/// Every entry cites its instrument in `source`; see each file's `citation` and
/// specs/control-list-format.md. The subsets are deliberately small: they hold only what
/// the curator could state with confidence, at the level of detail stated.
public enum CuratedData {
    /// A shipped list.
    public enum ListName: String, Sendable, CaseIterable {
        /// US Commerce Control List subset (15 CFR Part 774, Supp. 1): 3A090, 4A090, 3B001,
        /// 3B903, 3B904, 3A904, 4A906, 3B993.
        case usCCLSubset = "us-ccl-subset"
        /// Japan, Export Trade Control Order Appended Table 1 row 7, including the 2023
        /// semiconductor-manufacturing-equipment additions (effective 23 Jul 2023).
        case japanRow7 = "jp-etco-row7-subset"
        /// The Netherlands' 2023 national measure on advanced semiconductor manufacturing equipment.
        case netherlands2023 = "nl-2023-advanced-semiconductor-equipment"
    }

    /// The shipped correlation tables.
    public static let correlationFiles = ["correlations-eu-us", "correlations-jp-wassenaar", "correlations-nl-eu"]

    /// The bytes of a shipped data file, `Data/<name>.json`, and the path that names it in errors.
    static func file(_ name: String) throws(ControlListError) -> (bytes: [UInt8], path: String) {
        guard let text = EmbeddedCuratedData.files[name] else {
            throw .notFound("curated data file \(name).json is not shipped")
        }
        return (Array(text.utf8), "Data/\(name).json")
    }

    /// Loads a shipped list.
    public static func list(_ name: ListName) throws(ControlListError) -> ControlList {
        let file = try file(name.rawValue)
        return try ControlListImporter.importList(bytes: file.bytes, path: file.path, format: .json)
    }

    /// All shipped correlation tables, merged.
    public static func correlations() throws(ControlListError) -> CorrelationTable {
        var t = CorrelationTable()
        for f in correlationFiles {
            let file = try file(f)
            t.merge(try CorrelationTable.read(bytes: file.bytes, path: file.path))
        }
        return t
    }
}
