import Consensus
import LedgerCore
import LedgerCrypto
import Testing

/// One row of the decision-rule table.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let name: String
    let rule: DecisionRule
    let stances: [String: Stance]
    /// Seconds from the deadline (negative: before it).
    let secondsFromDeadline: Int64
    let expected: DecisionRule.Outcome
    var testDescription: String { name }
}

let parties4 = ["AU", "IN", "JP", "US"]
let deadline = Timestamp(rfc3339: "2027-03-01T12:00:00Z")!

let ruleCases: [RuleCase] = [
    // consensus
    RuleCase(
        name: "consensus: nobody has spoken", rule: .consensus, stances: [:], secondsFromDeadline: -10,
        expected: .pending),
    RuleCase(
        name: "consensus: all support", rule: .consensus,
        stances: ["AU": .support, "IN": .support, "JP": .support, "US": .support],
        secondsFromDeadline: -10, expected: .satisfied),
    RuleCase(
        name: "consensus: mixed non-blocking stances", rule: .consensus,
        stances: ["AU": .support, "IN": .abstain, "JP": .noObjection, "US": .recuse], secondsFromDeadline: -10,
        expected: .satisfied),
    RuleCase(
        name: "consensus: one silent party", rule: .consensus,
        stances: ["AU": .support, "IN": .support, "JP": .support],
        secondsFromDeadline: -10, expected: .pending),
    RuleCase(
        name: "consensus: a reserve is pending", rule: .consensus,
        stances: ["AU": .support, "IN": .reserve, "JP": .support, "US": .support], secondsFromDeadline: -10,
        expected: .pending),
    RuleCase(
        name: "consensus: one objection blocks", rule: .consensus,
        stances: ["AU": .support, "IN": .object, "JP": .support, "US": .support], secondsFromDeadline: -10,
        expected: .blocked),
    RuleCase(
        name: "consensus: an objection by a non-party does not count", rule: .consensus,
        stances: ["AU": .support, "IN": .support, "JP": .support, "US": .support, "CN": .object],
        secondsFromDeadline: -10,
        expected: .satisfied),
    RuleCase(
        name: "consensus: the deadline alone does not adopt", rule: .consensus, stances: ["AU": .support],
        secondsFromDeadline: 0,
        expected: .pending),
    // silence procedure, at the boundary
    RuleCase(
        name: "silence: one second before the deadline", rule: .consensusSilence, stances: [:], secondsFromDeadline: -1,
        expected: .pending),
    RuleCase(
        name: "silence: exactly at the deadline", rule: .consensusSilence, stances: [:], secondsFromDeadline: 0,
        expected: .satisfied),
    RuleCase(
        name: "silence: after the deadline", rule: .consensusSilence, stances: ["IN": .reserve], secondsFromDeadline: 1,
        expected: .satisfied),
    RuleCase(
        name: "silence: an objection breaks silence", rule: .consensusSilence, stances: ["JP": .object],
        secondsFromDeadline: 0,
        expected: .blocked),
    RuleCase(
        name: "silence: support before the deadline is still pending", rule: .consensusSilence,
        stances: ["AU": .support, "IN": .support, "JP": .support, "US": .support], secondsFromDeadline: -1,
        expected: .pending),
    // unanimity
    RuleCase(
        name: "unanimity: all support", rule: .unanimity,
        stances: ["AU": .support, "IN": .support, "JP": .support, "US": .support],
        secondsFromDeadline: -10, expected: .satisfied),
    RuleCase(
        name: "unanimity: a no-objection is not support", rule: .unanimity,
        stances: ["AU": .support, "IN": .noObjection, "JP": .support, "US": .support], secondsFromDeadline: -10,
        expected: .pending),
    RuleCase(
        name: "unanimity: an abstention is not support", rule: .unanimity,
        stances: ["AU": .support, "IN": .abstain, "JP": .support, "US": .support], secondsFromDeadline: -10,
        expected: .pending),
    RuleCase(
        name: "unanimity: an objection blocks", rule: .unanimity, stances: ["AU": .object], secondsFromDeadline: -10,
        expected: .blocked),
    // threshold
    RuleCase(
        name: "threshold 2-of-{JP,US,AU}: two support", rule: .threshold(k: 2, parties: ["JP", "US", "AU"]),
        stances: ["JP": .support, "US": .support, "IN": .object], secondsFromDeadline: -10, expected: .satisfied),
    RuleCase(
        name: "threshold 2-of-{JP,US,AU}: one support", rule: .threshold(k: 2, parties: ["JP", "US", "AU"]),
        stances: ["JP": .support, "US": .abstain], secondsFromDeadline: -10, expected: .pending),
    RuleCase(
        name: "threshold 2-of-{JP,US,AU}: two objections make it unreachable",
        rule: .threshold(k: 2, parties: ["JP", "US", "AU"]),
        stances: ["JP": .support, "US": .object, "AU": .object], secondsFromDeadline: -10, expected: .blocked),
    RuleCase(
        name: "threshold 3-of-all: three of four support", rule: .threshold(k: 3, parties: []),
        stances: ["JP": .support, "US": .support, "AU": .support, "IN": .object], secondsFromDeadline: -10,
        expected: .satisfied),
    RuleCase(
        name: "threshold 3-of-all: two objections block", rule: .threshold(k: 3, parties: []),
        stances: ["JP": .support, "US": .object, "IN": .object], secondsFromDeadline: -10, expected: .blocked),
    // AND / OR
    RuleCase(
        name: "all(consensus, 1-of-{US}): consensus without US support",
        rule: .all([.consensus, .threshold(k: 1, parties: ["US"])]),
        stances: ["AU": .support, "IN": .support, "JP": .support, "US": .noObjection], secondsFromDeadline: -10,
        expected: .pending),
    RuleCase(
        name: "all(consensus, 1-of-{US}): both met", rule: .all([.consensus, .threshold(k: 1, parties: ["US"])]),
        stances: ["AU": .support, "IN": .support, "JP": .support, "US": .support], secondsFromDeadline: -10,
        expected: .satisfied),
    RuleCase(
        name: "all(…): any blocked sub-rule blocks", rule: .all([.threshold(k: 1, parties: ["US"]), .consensus]),
        stances: ["US": .support, "IN": .object], secondsFromDeadline: -10, expected: .blocked),
    RuleCase(
        name: "any(consensus, silence): silence met at the deadline", rule: .any([.consensus, .consensusSilence]),
        stances: ["AU": .support], secondsFromDeadline: 0, expected: .satisfied),
    RuleCase(
        name: "any(consensus, silence): before the deadline", rule: .any([.consensus, .consensusSilence]),
        stances: ["AU": .support], secondsFromDeadline: -1, expected: .pending),
    RuleCase(
        name: "any(consensus, silence): objection blocks both", rule: .any([.consensus, .consensusSilence]),
        stances: ["AU": .object], secondsFromDeadline: 0, expected: .blocked),
    RuleCase(
        name: "any(unanimity, 2-of-{JP,US}): one path blocked, other met",
        rule: .any([.unanimity, .threshold(k: 2, parties: ["JP", "US"])]),
        stances: ["AU": .object, "JP": .support, "US": .support], secondsFromDeadline: -10, expected: .satisfied),
    RuleCase(
        name: "any(unanimity, 2-of-{JP,US}): one path blocked, other pending",
        rule: .any([.unanimity, .threshold(k: 2, parties: ["JP", "US"])]), stances: ["AU": .object, "JP": .support],
        secondsFromDeadline: -10, expected: .pending),
]

@Test(arguments: ruleCases)
func decisionRuleEvaluates(_ c: RuleCase) {
    let got = c.rule.evaluate(
        stances: c.stances, parties: parties4, now: deadline.adding(seconds: c.secondsFromDeadline), deadline: deadline)
    #expect(got == c.expected)
}

@Test(arguments: [
    DecisionRule.consensus, .consensusSilence, .unanimity, .threshold(k: 2, parties: ["JP", "US"]),
    .threshold(k: 1, parties: []),
    .all([.consensus, .threshold(k: 1, parties: ["US"])]),
    .any([.unanimity, .all([.consensusSilence, .threshold(k: 3, parties: [])])]),
])
func decisionRuleJSONRoundTrips(_ rule: DecisionRule) throws {
    #expect(try DecisionRule(json: rule.json, field: "rule") == rule)
}

@Test(
    arguments: [
        (JSONValue.string("majority"), "rule: must be"),
        (["threshold": ["k": 0, "of": ["JP"]]], "k: must be between"),
        (["threshold": ["k": 3, "of": ["JP", "US"]]], "k: must be between"),
        (["threshold": ["k": 1, "of": ["XX"]]], "\"XX\" is not an ISO 3166-1"),
        (["all": []], "non-empty array"),
        (["none": ["consensus"]], "unknown rule \"none\""),
    ] as [(JSONValue, String)])
func decisionRuleRejectsMalformedJSON(_ json: JSONValue, _ fragment: String) {
    #expect {
        try DecisionRule(json: json, field: "rule")
    } throws: { e in
        (e as? LedgerError)?.message.contains(fragment) ?? false
    }
}

@Test func decisionRuleRejectsDeepNesting() {
    var json: JSONValue = "consensus"
    for _ in 0..<DecisionRule.maxDepth { json = ["all": [json]] }
    #expect(throws: LedgerError.invalidBody("")) { try DecisionRule(json: json, field: "rule") }
}

/// A charter's rule must fit in a leaf of JSON depth 16 (issue 10): the rule is at level 4, so
/// its own nesting is at most 13 levels. Before this check, `ledger forum charter` appended a
/// rule nested 8 deep (JSON depth 17 in the leaf) that `ledger verify` then refused.
@Test func charterRuleMustFitInALeaf() throws {
    func rule(depth: Int, innermost: JSONValue) -> JSONValue {
        var r = innermost
        for _ in 1..<depth { r = ["all": [r]] }
        return r
    }
    func charter(_ rule: JSONValue) -> JSONValue {
        [
            "id": "DEEP", "name": "Deep", "parties": ["JP", "US"], "rule": rule, "defaultDeadlineDays": 30,
            "sources": ["x"],
        ]
    }
    let threshold: JSONValue = ["threshold": ["k": 1, "of": ["JP"]]]
    // Accepted: depth 7 with a string innermost (12 levels), depth 6 with a threshold (13 levels).
    for ok in [rule(depth: 7, innermost: "consensus"), rule(depth: 6, innermost: threshold)] {
        let c = try ForumCharter(json: charter(ok))
        // Its leaf parses: the deepest accepted charter is exactly 16 levels deep in its entry.
        let key = try NoteSignerKey.generate(name: "op.example")
        let st = try Statement.make(
            kind: "forum.charter", body: c.json, key: key, time: Timestamp(secondsSinceEpoch: 0))
        let leaf = Entry(index: 1, prev: .zero, time: Timestamp(secondsSinceEpoch: 0), signed: st).canonicalBytes
        _ = try Entry(leaf: leaf)
    }
    // Refused: depth 8 (14 levels) and depth 7 with a threshold (14 levels), though within
    // DecisionRule.maxDepth; their leaves would nest 17 deep.
    for bad in [rule(depth: 8, innermost: "consensus"), rule(depth: 7, innermost: threshold)] {
        #expect(throws: LedgerError.invalidBody("")) { try ForumCharter(json: charter(bad)) }
        let key = try NoteSignerKey.generate(name: "op.example")
        let st = try Statement.make(
            kind: "forum.charter", body: charter(bad), key: key, time: Timestamp(secondsSinceEpoch: 0))
        let leaf = Entry(index: 1, prev: .zero, time: Timestamp(secondsSinceEpoch: 0), signed: st).canonicalBytes
        #expect(throws: LedgerError.malformed("")) { try Entry(leaf: leaf) }
    }
}

/// A threshold over all parties (no `of`) larger than the party list could never be met: the
/// charter is refused (issue 10 §5), alone or nested, and the largest that fits is accepted.
@Test func charterThresholdOverAllPartiesMustFit() throws {
    func charter(_ rule: JSONValue) -> JSONValue {
        ["id": "K", "name": "K", "parties": ["JP", "US"], "rule": rule, "defaultDeadlineDays": 30, "sources": ["x"]]
    }
    _ = try ForumCharter(json: charter(["threshold": ["k": 2]]))
    for bad: JSONValue in [
        ["threshold": ["k": 3]], ["threshold": ["k": 3, "of": []]],
        ["any": ["consensus", ["threshold": ["k": 5]]]],
    ] {
        #expect(throws: LedgerError.invalidBody("")) { try ForumCharter(json: charter(bad)) }
    }
}
