import ControlLists
import Foundation
import Testing

/// Test inputs that live outside the package.
enum TestData {
    /// Annex I of Regulation (EU) 2021/821, consolidated 15 Nov 2025. © European Union, reuse
    /// permitted with acknowledgement (Commission Decision 2011/833/EU). Read in place, never
    /// copied: `LEDGER_EU_ANNEX` when set, else `../shared/data/eu-annex-i-2025-11-15.json`
    /// relative to the package root (where the project's CI keeps it).
    static let euAnnexPath: String = {
        if let p = ProcessInfo.processInfo.environment["LEDGER_EU_ANNEX"], !p.isEmpty { return p }
        // #filePath is <root>/Tests/ControlListsTests/TestData.swift.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/../shared/data/eu-annex-i-2025-11-15.json"
    }()

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
