// swift-tools-version:6.0
// Fuzz harnesses (libFuzzer), one executable per parser. A package of its own, so that
// `swift build` and `swift test` of the root package are unaffected. Build and run them
// with `scripts/fuzz.sh` (see specs/fuzzing.md); they need `-sanitize=fuzzer`.
import PackageDescription

/// A path dependency's identity is its directory's name: that of the checkout (`main`, a
/// worktree's name, a CI directory), so it is derived from this file's path.
let root = String(#filePath.split(separator: "/").dropLast(2).last!)

let ledgerCore = Target.Dependency.product(name: "LedgerCore", package: root)
let consensus = Target.Dependency.product(name: "Consensus", package: root)
let controlLists = Target.Dependency.product(name: "ControlLists", package: root)
let controlCodes = Target.Dependency.product(name: "ControlCodes", package: root)

/// Harness name and the libraries it reaches.
let harnesses: [(String, [Target.Dependency])] = [
    ("FuzzJSON", [ledgerCore]),
    ("FuzzEntry", [ledgerCore, consensus]),
    ("FuzzNote", [ledgerCore]),
    ("FuzzTlogProof", [ledgerCore]),
    ("FuzzProofJSON", [ledgerCore]),
    ("FuzzKeys", [ledgerCore]),
    ("FuzzProposalYAML", ["FuzzCommon"]),
    ("FuzzProposalJSON", ["FuzzCommon", ledgerCore]),
    ("FuzzListCSV", ["FuzzCommon", controlLists]),
    ("FuzzListJSON", ["FuzzCommon", controlLists]),
    ("FuzzListText", ["FuzzCommon", controlLists]),
    ("FuzzEUAnnex", ["FuzzCommon", controlLists]),
]

let package = Package(
    name: "MinilateralLedgerFuzz",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .target(name: "FuzzDriver"),
        .target(
            name: "FuzzCommon",
            dependencies: [ledgerCore, consensus, controlCodes, controlLists, .product(name: "Yams", package: "Yams")]
        ),
    ]
        + harnesses.map { name, deps in
            .executableTarget(name: name, dependencies: ["FuzzDriver"] + deps)
        }
)
