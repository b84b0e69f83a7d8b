import ControlCodes
import LedgerCore

/// A typed link between an item in one scheme and an item in another:
/// `eu 4A506 equivalent us-eccn 4A906`.
///
/// The type reads from ``from`` to ``to``: `narrower` means `from` covers less than `to`.
public struct Correlation: Sendable, Hashable {
    /// How the scopes of two correlated items relate.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Same scope.
        case equivalent
        /// `from` covers less than `to`.
        case narrower
        /// `from` covers more than `to`.
        case broader
        /// The scopes share some items; neither contains the other.
        case overlaps
        /// `from` replaces `to`.
        case supersedes
        /// `from` is replaced by `to` (the inverse of `supersedes`, used in lookups).
        case supersededBy = "superseded-by"

        /// The kind read from `to` to `from`.
        public var inverse: Kind {
            switch self {
            case .equivalent: return .equivalent
            case .narrower: return .broader
            case .broader: return .narrower
            case .overlaps: return .overlaps
            case .supersedes: return .supersededBy
            case .supersededBy: return .supersedes
            }
        }
    }

    public var from: ItemCode
    public var to: ItemCode
    public var kind: Kind
    /// Where the correlation comes from (instruments, or the curator's reasoning).
    public var source: String
    public var note: String?

    public init(from: ItemCode, to: ItemCode, kind: Kind, source: String, note: String? = nil) {
        self.from = from
        self.to = to
        self.kind = kind
        self.source = source
        self.note = note
    }

    /// The same correlation read the other way.
    public var inverted: Correlation { Correlation(from: to, to: from, kind: kind.inverse, source: source, note: note) }
}

/// Correlations indexed by code, both ways. A correlation between two codes also applies
/// to their paragraphs when both schemes share a grammar: `4A506 ↔ 4A906` maps
/// `4A506.a.1` to `4A906.a.1`.
public struct CorrelationTable: Sendable {
    public private(set) var correlations: [Correlation] = []
    private var byCode: [ItemCode: [Correlation]] = [:]

    public init(_ correlations: [Correlation] = []) {
        for c in correlations { add(c) }
    }

    public mutating func add(_ c: Correlation) {
        correlations.append(c)
        byCode[c.from, default: []].append(c)
        let inv = c.inverted
        byCode[inv.from, default: []].append(inv)
    }

    public mutating func merge(_ other: CorrelationTable) {
        for c in other.correlations { add(c) }
    }

    /// The correlations that start exactly at `code`.
    public func direct(_ code: ItemCode) -> [Correlation] { byCode[code] ?? [] }

    /// Whether any correlation starts at `code`.
    public func hasCorrelations(_ code: ItemCode) -> Bool { byCode[code] != nil }

    /// Every item `code` correlates with: through a correlation on `code` itself or on an
    /// ancestor (carrying the paragraph path across when the grammars match), with the kind
    /// read from `code` and the correlation that gave it.
    public func related(_ code: ItemCode) -> [(code: ItemCode, kind: Correlation.Kind, via: Correlation)] {
        var out: [(ItemCode, Correlation.Kind, Correlation)] = []
        var a: ItemCode? = code
        while let anc = a {
            if let cs = byCode[anc] {
                for c in cs {
                    if anc == code {
                        out.append((c.to, c.kind, c))
                    } else if c.to.scheme.grammar == code.scheme.grammar,
                        let mapped = code.replacingPrefix(anc, with: c.to)
                    {
                        out.append((mapped, c.kind, c))
                    }
                }
            }
            a = anc.parent
        }
        return out.map { (code: $0.0, kind: $0.1, via: $0.2) }
    }

    /// Reads a correlation file, `minilateral-correlations/v1` (specs/control-list-format.md).
    public static func read(bytes: [UInt8], path: String) throws(ControlListError) -> CorrelationTable {
        let root = try ControlListImporter.parseJSON(bytes, path: path)
        guard let items = root["correlations"]?.arrayValue else {
            throw .missingField("\(path):1: no \"correlations\" array")
        }
        let lines = ControlListImporter.lines(of: "\"from\"", in: bytes)
        var t = CorrelationTable()
        for (i, v) in items.enumerated() {
            let at = "\(path):\(i < lines.count ? lines[i] : 1): "
            do throws(ControlListError) {
                func code(_ k: String) throws(ControlListError) -> ItemCode {
                    guard let s = v[k]?["scheme"]?.stringValue, let c = v[k]?["code"]?.stringValue else {
                        throw .missingField("\"\(k)\" must be {\"scheme\": s, \"code\": s}")
                    }
                    return try ItemCode(normalizing: c, scheme: try CodeScheme(parsing: s))
                }
                let from = try code("from")
                let to = try code("to")
                guard let k = v["type"]?.stringValue, let kind = Correlation.Kind(rawValue: k), kind != .supersededBy
                else {
                    throw .malformed("\"type\" must be one of equivalent, narrower, broader, overlaps, supersedes")
                }
                guard let source = v["source"]?.stringValue, !source.isEmpty else {
                    throw .missingField("every correlation must cite its \"source\"")
                }
                t.add(Correlation(from: from, to: to, kind: kind, source: source, note: v["note"]?.stringValue))
            } catch {
                throw error.prefixed(at)
            }
        }
        return t
    }
}

extension ItemCode {
    /// The code with `prefix` (an ancestor or itself) replaced by `newPrefix`.
    public func replacingPrefix(_ prefix: ItemCode, with newPrefix: ItemCode) -> ItemCode? {
        guard prefix.contains(self),
            newPrefix.scheme.grammar == scheme.grammar || segments.count == prefix.segments.count
        else {
            return nil
        }
        if segments.count == prefix.segments.count { return newPrefix }
        let segs = newPrefix.segments + segments.dropFirst(prefix.segments.count)
        return ItemCode(
            scheme: newPrefix.scheme,
            text: ItemCode.render(segs, scheme: newPrefix.scheme, rootLength: newPrefix.rootLength),
            segments: segs, rootLength: newPrefix.rootLength)
    }
}
