/// A technical threshold: `term comparator value unit`, as a control-list entry states it
/// ("a beam energy of 20 keV or more" → `beam energy ≥ 20 keV`) or a proposal's `parameters`
/// give it (`wavelength < 193 nm`).
///
/// ``value`` and ``unit`` keep the figure as the text states it; ``baseValue`` and
/// ``baseUnit`` hold it in the SI base unit (20 keV → 20000 eV, 600 μW → 0.0006 W,
/// 4,2 K stays 4.2 K, 685 °C → 958.15 K) so thresholds compare across lists.
public struct Parameter: Sendable, Hashable, CustomStringConvertible {
    /// How a threshold bounds the item.
    public enum Comparator: String, Sendable, Hashable, CaseIterable {
        case lessThan = "<"
        case lessOrEqual = "<="
        case equal = "="
        case greaterOrEqual = ">="
        case greaterThan = ">"
        /// "better than": the direction depends on the term (for example accuracy); never guessed.
        case betterThan = "better-than"

        /// The symbol analysts read: `<`, `≤`, `=`, `≥`, `>`, `better than`.
        public var symbol: String {
            switch self {
            case .lessThan: return "<"
            case .lessOrEqual: return "≤"
            case .equal: return "="
            case .greaterOrEqual: return "≥"
            case .greaterThan: return ">"
            case .betterThan: return "better than"
            }
        }

        /// Reads `<`, `<=`, `≤`, `=`, `>=`, `≥`, `>`, `better-than`.
        public init?(symbol: String) {
            switch symbol {
            case "<": self = .lessThan
            case "<=", "≤": self = .lessOrEqual
            case "=", "==": self = .equal
            case ">=", "≥": self = .greaterOrEqual
            case ">": self = .greaterThan
            case "better-than", "better than": self = .betterThan
            default: return nil
            }
        }
    }

    /// What the threshold measures, as the text names it ("beam energy").
    public var term: String
    public var comparator: Comparator
    /// The figure as written, as a decimal string with a point ("2.5", "0.0001").
    public var value: String
    /// The unit as written ("keV"), or empty for a count or a ratio.
    public var unit: String
    /// ``value`` in ``baseUnit``.
    public var baseValue: Double
    /// The SI base unit ("eV", "m", "K", "W"), the unit itself when unknown, or "" for counts.
    public var baseUnit: String
    /// Set when the extractor was unsure (unknown unit, restored exponent, no term); the
    /// text says why. Such parameters are kept, never silently dropped.
    public var unparsedReason: String?

    public init(term: String, comparator: Comparator, value: String, unit: String, unparsedReason: String? = nil) {
        self.term = term
        self.comparator = comparator
        self.value = value
        self.unit = unit
        let v = Double(value) ?? .nan
        if let u = Units.table[unit] {
            baseValue = v * u.factor + u.offset
            baseUnit = u.base
            self.unparsedReason = unparsedReason
        } else {
            baseValue = v
            baseUnit = unit
            self.unparsedReason = unparsedReason ?? (unit.isEmpty ? nil : "unknown unit \"\(unit)\"")
        }
        if v.isNaN { self.unparsedReason = "value \"\(value)\" is not a number" }
    }

    /// Whether the extractor was sure of this parameter.
    public var isParsed: Bool { unparsedReason == nil }

    /// The term normalized for matching: lower case, quotes and extra spaces removed.
    public var termKey: String { Parameter.normalizeTerm(term) }

    /// `beam energy ≥ 20 keV`.
    public var description: String {
        "\(term) \(comparator.symbol) \(value)\(unit.isEmpty ? "" : " " + unit)"
    }

    /// `≥ 20 keV`.
    public var threshold: String { "\(comparator.symbol) \(value)\(unit.isEmpty ? "" : " " + unit)" }

    /// Whether two parameters state the same threshold (same comparator, same value in base units).
    public func sameThreshold(as other: Parameter) -> Bool {
        comparator == other.comparator && baseUnit == other.baseUnit
            && abs(baseValue - other.baseValue) <= 1e-12 * max(1, abs(baseValue))
    }

    /// Whether the two can be compared: same term and the same dimension.
    public func isComparable(with other: Parameter) -> Bool {
        termKey == other.termKey && baseUnit == other.baseUnit
    }

    package static func normalizeTerm(_ s: String) -> String {
        var out = ""
        var lastSpace = true
        for ch in s.lowercased() {
            if ch == "'" || ch == "\"" || ch == "‘" || ch == "’" || ch == "“" || ch == "”" { continue }
            if ch == " " || ch == "\t" || ch == "\n" {
                if !lastSpace { out.append(" ") }
                lastSpace = true
            } else {
                out.append(ch)
                lastSpace = false
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }
}

/// Units the extractor recognizes, with their SI base unit.
package enum Units {
    package struct Unit: Sendable {
        package let base: String
        package let factor: Double
        package let offset: Double
    }

    package static let table: [String: Unit] = {
        var t: [String: Unit] = [:]
        func add(_ names: [String], _ base: String, _ factor: Double, _ offset: Double = 0) {
            for n in names { t[n] = Unit(base: base, factor: factor, offset: offset) }
        }
        add(["pm"], "m", 1e-12)
        add(["nm"], "m", 1e-9)
        add(["µm", "μm", "um", "micrometre", "micrometres", "micron", "microns"], "m", 1e-6)
        add(["mm"], "m", 1e-3)
        add(["cm"], "m", 1e-2)
        add(["m", "metre", "metres"], "m", 1)
        add(["km"], "m", 1e3)
        add(["eV"], "eV", 1)
        add(["keV"], "eV", 1e3)
        add(["MeV"], "eV", 1e6)
        add(["GeV"], "eV", 1e9)
        add(["J"], "J", 1)
        add(["mJ"], "J", 1e-3)
        add(["µJ", "μJ"], "J", 1e-6)
        add(["kJ"], "J", 1e3)
        add(["A"], "A", 1)
        add(["mA"], "A", 1e-3)
        add(["µA", "μA"], "A", 1e-6)
        add(["kA"], "A", 1e3)
        add(["K"], "K", 1)
        add(["mK"], "K", 1e-3)
        add(["°C", "ºC"], "K", 1, 273.15)
        add(["Hz"], "Hz", 1)
        add(["kHz"], "Hz", 1e3)
        add(["MHz"], "Hz", 1e6)
        add(["GHz"], "Hz", 1e9)
        add(["THz"], "Hz", 1e12)
        add(["W"], "W", 1)
        add(["mW"], "W", 1e-3)
        add(["µW", "μW"], "W", 1e-6)
        add(["kW"], "W", 1e3)
        add(["MW"], "W", 1e6)
        add(["GW"], "W", 1e9)
        add(["V"], "V", 1)
        add(["mV"], "V", 1e-3)
        add(["kV"], "V", 1e3)
        add(["MV"], "V", 1e6)
        add(["s", "second", "seconds"], "s", 1)
        add(["ms"], "s", 1e-3)
        add(["µs", "μs"], "s", 1e-6)
        add(["ns"], "s", 1e-9)
        add(["ps"], "s", 1e-12)
        add(["fs"], "s", 1e-15)
        add(["hour", "hours", "h"], "s", 3600)
        add(["minute", "minutes", "min"], "s", 60)
        add(["Pa"], "Pa", 1)
        add(["kPa"], "Pa", 1e3)
        add(["MPa"], "Pa", 1e6)
        add(["GPa"], "Pa", 1e9)
        add(["%", "percent"], "%", 1)
        add(["Gy"], "Gy", 1)
        add(["dB"], "dB", 1)
        add(["dBm"], "dBm", 1)
        add(["g"], "kg", 1e-3)
        add(["kg"], "kg", 1)
        add(["g/cm3", "g/cm³"], "kg/m3", 1000)
        add(["kg/m3", "kg/m³"], "kg/m3", 1)
        add(["pixels", "pixel"], "pixel", 1)
        add(["mm/s"], "m/s", 1e-3)
        add(["m/s"], "m/s", 1)
        add(["km/h"], "m/s", 1 / 3.6)
        add(["TPP"], "TPP", 1)
        return t
    }()
}
