/// A party's position on one revision of a proposal, modelled on IETF ballot positions.
public enum Stance: String, Sendable, Hashable, CaseIterable {
    case support
    case noObjection = "no-objection"
    /// Blocking; a reason is required.
    case object
    case abstain
    /// A scrutiny or study reserve: counts as pending; a reason is required.
    case reserve
    case recuse

    /// The stance whose raw value is `utf8`, or nil.
    public init?(utf8: UnsafeBufferPointer<UInt8>) {
        for s in Stance.allCases {
            var raw = s.rawValue
            let same = raw.withUTF8 { r in
                r.count == utf8.count && (r.isEmpty || memcmp(r.baseAddress!, utf8.baseAddress!, r.count) == 0)
            }
            if same {
                self = s
                return
            }
        }
        return nil
    }

    /// Whether the stance still leaves the party's position open (``reserve``).
    public var isPending: Bool { self == .reserve }
    /// Whether the stance must carry a reason.
    public var requiresReason: Bool { self == .object || self == .reserve }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
