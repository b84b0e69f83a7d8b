/// A numbering scheme for controlled items.
///
/// The raw values are the item schemes of a proposal (`wassenaar`, `eu`, `us-eccn`, `jp`,
/// `hs`; ``proposalSchemes``), plus `national` for the item numbers of a national measure,
/// which control lists use and proposals do not.
public enum CodeScheme: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The Wassenaar Arrangement List of Dual-Use Goods and Technologies: `3B001.f.1.b`.
    case wassenaar
    /// Annex I of Regulation (EU) 2021/821, including the 5xx series: `3B501.a.4`.
    case eu
    /// US Export Control Classification Numbers, including the 9xx series, `.z`
    /// paragraphs and `EAR99`: `3A090.a`, `4A906`.
    case usECCN = "us-eccn"
    /// Japan's Export Trade Control Order, Appended Table 1: row, then items: `7`, `7(17)`,
    /// `7(17)(ru)`, `3-2(1)`.
    case jp
    /// Harmonized System headings and subheadings: `8486`, `8486.20`.
    case hs
    /// The item numbers of a national measure, dot-separated (`NL.2`, `NL.2.a`).
    case national

    /// The grammar family a scheme's codes follow.
    public enum Grammar: Sendable { case dotted, japan, hs, national }

    public var grammar: Grammar {
        switch self {
        case .wassenaar, .eu, .usECCN: return .dotted
        case .jp: return .japan
        case .hs: return .hs
        case .national: return .national
        }
    }

    /// The schemes a proposal's items may use (specs/consensus.md), in that order.
    public static let proposalSchemes: [CodeScheme] = [.wassenaar, .eu, .usECCN, .jp, .hs]

    /// Reads a scheme name; accepts the aliases `wa`, `us`, `us-ccl`, `ccl`, `eccn`, `jp-etco`, `etco`.
    public init(parsing name: String) throws(ControlListError) {
        switch name.lowercased() {
        case "wassenaar", "wa": self = .wassenaar
        case "eu": self = .eu
        case "us-eccn", "us", "us-ccl", "ccl", "eccn": self = .usECCN
        case "jp", "jp-etco", "etco": self = .jp
        case "hs": self = .hs
        case "national": self = .national
        default:
            let names = CodeScheme.allCases.map(\.rawValue).joined(separator: ", ")
            throw .unknownScheme("unknown code scheme \"\(name)\"; expected one of \(names)")
        }
    }

    /// The scheme a jurisdiction's own list uses: `WA` → wassenaar, `EU` → eu, `US` → us-eccn,
    /// `JP` → jp, any other country → national.
    public static func defaultScheme(forJurisdiction j: String) -> CodeScheme {
        switch j {
        case "WA": return .wassenaar
        case "EU": return .eu
        case "US": return .usECCN
        case "JP": return .jp
        default: return .national
        }
    }

    public static func < (a: CodeScheme, b: CodeScheme) -> Bool {
        a.order < b.order
    }

    package var order: Int { CodeScheme.allCases.firstIndex(of: self)! }
}
