extension LedgerError {
    /// The rule that refused a statement of kind `kind`, as the refusal names it: the rules
    /// start their messages with the kind or one of its fields (`kind.field: why`, as
    /// ``BodyReader/fail(_:_:)`` writes them; `kind <id>: why` names the kind), for example
    /// `secretariat.register.forum` for "secretariat.register.forum: no charter for forum
    /// \"G8\"". Nil when the message names no rule of that kind (the core's checks: signature,
    /// replay, time, signer).
    package func rule(ofKind kind: String) -> String? {
        guard !kind.isEmpty, let colon = message.utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let prefix = message.utf8[..<colon]
        let k = kind.utf8
        guard prefix.starts(with: k) else { return nil }
        let rest = prefix.dropFirst(k.count)
        guard let first = rest.first else { return kind }
        if first == UInt8(ascii: " ") { return kind }
        guard first == UInt8(ascii: "."), rest.count > 1,
            rest.allSatisfy({ LedgerError.isRuleNameByte($0) })
        else { return nil }
        return String(decoding: prefix, as: UTF8.self)
    }

    private static func isRuleNameByte(_ b: UInt8) -> Bool {
        (0x61...0x7a).contains(b) || (0x41...0x5a).contains(b) || (0x30...0x39).contains(b) || b == 0x2e || b == 0x2d
            || b == 0x5f
    }
}
