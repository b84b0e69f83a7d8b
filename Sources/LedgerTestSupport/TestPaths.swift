import Foundation

/// Paths that the test targets and `ledger-bench` share: the package root, the dataset beside
/// it, the built executables and fresh temporary directories.
package enum TestPaths {
    /// The root of the package this file was built from (<root>/Sources/LedgerTestSupport/
    /// TestPaths.swift). Only test tooling knows it: no product carries the build machine's path.
    package static let packageRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// Annex I of Regulation (EU) 2021/821, consolidated 15 Nov 2025. © European Union, reuse
    /// permitted with acknowledgement (Commission Decision 2011/833/EU). Read in place, never
    /// copied: `LEDGER_EU_ANNEX` when set, else `../shared/data/eu-annex-i-2025-11-15.json`
    /// relative to the package root (where the project's CI keeps it).
    package static var euAnnexPath: String {
        if let p = ProcessInfo.processInfo.environment["LEDGER_EU_ANNEX"], !p.isEmpty { return p }
        return packageRoot + "/../shared/data/eu-annex-i-2025-11-15.json"
    }

    /// The built executable `name` of this package (`ledger`, `ledger-bench`): beside the
    /// running test bundle or up to three folders above it, else in `.build/debug`.
    package static func builtExecutable(_ name: String) -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot + "/.build/debug/" + name
    }

    /// A fresh temporary directory path (not created), tagged for whoever finds it left over.
    package static func temporaryPath(_ tag: String) -> String {
        NSTemporaryDirectory() + "mll-\(tag)-\(UUID().uuidString)"
    }
}
