import ControlLists

/// Test inputs that live outside the package.
enum TestData {
    /// `../shared/data/eu-annex-i-2025-11-15.json` relative to the package root: Annex I of
    /// Regulation (EU) 2021/821, consolidated 15 Nov 2025. © European Union, reuse permitted
    /// with acknowledgement (Commission Decision 2011/833/EU). Read in place, never copied.
    static let euAnnexPath: String = {
        // #filePath is <root>/Tests/ControlListsTests/TestData.swift.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/../shared/data/eu-annex-i-2025-11-15.json"
    }()

    nonisolated(unsafe) private static var cached: ControlList?

    /// The imported EU list (imported once per test process).
    static func euList() throws -> ControlList {
        if let c = cached { return c }
        let l = try ControlListImporter.importFile(euAnnexPath, format: .euAnnex)
        cached = l
        return l
    }
}
