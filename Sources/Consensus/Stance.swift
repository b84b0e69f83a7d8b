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

    /// Whether the stance still leaves the party's position open (``reserve``).
    public var isPending: Bool { self == .reserve }
    /// Whether the stance must carry a reason.
    public var requiresReason: Bool { self == .object || self == .reserve }
}
