import ControlLists
import Foundation
import LedgerTestSupport
import Testing

/// Test inputs that live outside the package.
enum TestData {
    /// The EU Annex I dataset (``TestPaths/euAnnexPath``).
    static let euAnnexPath = TestPaths.euAnnexPath

    /// Whether the tests that read the dataset run: it is there, or `LEDGER_REQUIRE_EU_ANNEX`
    /// is set (as `.ci/run` does), in which case a missing dataset fails them.
    static let euAnnexAvailable: Bool =
        FileManager.default.fileExists(atPath: euAnnexPath)
        || ProcessInfo.processInfo.environment["LEDGER_REQUIRE_EU_ANNEX"] != nil

    /// Why those tests are skipped when it is not.
    static let euAnnexMissing = Comment(
        rawValue: "the EU Annex I dataset is not at \(euAnnexPath) (it lives in ../shared/data beside "
            + "the repository, which a clone elsewhere lacks); set LEDGER_EU_ANNEX=/path/to/eu-annex-i-2025-11-15.json")

    nonisolated(unsafe) private static var cached: ControlList?

    /// The imported EU list (imported once per test process).
    static func euList() throws -> ControlList {
        if let c = cached { return c }
        let l = try ControlListImporter.importFile(euAnnexPath, format: .euAnnex)
        cached = l
        return l
    }
}

extension Trait where Self == ConditionTrait {
    /// For tests that read the EU Annex I dataset: skipped, saying why, when it is absent.
    static var needsEUAnnex: Self { .enabled(if: TestData.euAnnexAvailable, TestData.euAnnexMissing) }
}
