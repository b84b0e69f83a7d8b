import ControlCodes
import Foundation

/// The small, cited lists and correlation tables shipped with the module (in `Data/`).
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

    /// The path of a shipped data file, `Data/<name>.json`.
    public static func path(_ name: String) throws(ControlListError) -> String {
        guard
            let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Data")
                ?? Bundle.module.url(forResource: name, withExtension: "json")
        else { throw .notFound("curated data file \(name).json is not in the ControlLists bundle") }
        return url.path
    }

    /// Loads a shipped list.
    public static func list(_ name: ListName) throws(ControlListError) -> ControlList {
        try ControlListImporter.importFile(try path(name.rawValue), format: .json)
    }

    /// All shipped correlation tables, merged.
    public static func correlations() throws(ControlListError) -> CorrelationTable {
        var t = CorrelationTable()
        for f in correlationFiles {
            let p = try path(f)
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: p))) } catch { throw .io("\(p): \(error)") }
            t.merge(try CorrelationTable.read(bytes: bytes, path: p))
        }
        return t
    }
}
