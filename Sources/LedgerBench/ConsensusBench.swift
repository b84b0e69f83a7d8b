import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// The consensus benchmark (issue 3 §11): a ledger of `entries` entries, about 100 per
/// proposal (1 proposal + 99 positions), in one synthetic forum of 100 parties.
///
/// Figures: build time; the status of every proposal in one replay (target < 2 s); one
/// proposal's status from a ``ProposalIndex`` (target < 10 ms); peak memory of the replay
/// (VmHWM, reset before the replay; target < 1 GiB).
func consensusBenchmark(
    entries: Int, workdir: String? = nil, reuse: Bool = false, runs: Int = 3, progress: BenchProgress
) throws -> [BenchFigure] {
    let perProposal = 100
    let proposals = max(1, entries / perProposal)
    let work = try BenchWorkdir(workdir, prefix: "ledger-consensus-bench")
    defer { work.cleanUp() }
    let dir = work.path
    var buildFigure: [BenchFigure] = []
    if reuse, workdir != nil, access(dir + "/" + FileStore.entriesFile, F_OK) == 0 {
        progress.phase("consensus bench: reusing the ledger in \(dir)")
    } else {
        buildFigure = [
            try buildConsensusBenchLedger(
                dir: dir, proposals: proposals, perProposal: perProposal, progress: progress)
        ]
    }
    let size = try Ledger<NegotiationRules>(directory: dir).size
    progress.phase("consensus bench: replaying \(size) entries \(max(1, runs)) times, each from a fresh open")

    // Status of every proposal in one replay, from a fresh open, `runs` times (the figure is
    // the median); peak memory of the first replay.
    BenchSystem.resetPeakRSS()
    let rssBefore = BenchSystem.peakRSSMiB()
    var times = [Double]()
    var replayRSS = 0.0
    var last: (Ledger<NegotiationRules>, NegotiationRules, [ProposalStatus])?
    repeat {
        last = nil  // The previous run's state is freed before the clock starts.
        let t0 = BenchSystem.monotonicSeconds()
        let fresh = try Ledger<NegotiationRules>(directory: dir)
        let state = try fresh.parallelState()
        let stateSeconds = BenchSystem.monotonicSeconds() - t0
        let all = state.statuses()
        let seconds = BenchSystem.monotonicSeconds() - t0
        if times.isEmpty { replayRSS = BenchSystem.peakRSSMiB() }
        times.append(seconds)
        last = (fresh, state, all)
        progress.phase("replay \(format2(stateSeconds)) s, statuses \(format2(seconds - stateSeconds)) s")
    } while times.count < max(1, runs)
    let (fresh, state, all) = last!
    let sorted = times.sorted()
    let replaySeconds = sorted[sorted.count / 2]
    let open = all.count(where: { $0.state == .open })
    let blocked = all.count(where: { $0.state == .blocked })
    progress.phase(
        "replayed \(size) entries and computed \(all.count) statuses (\(open) open, \(blocked) blocked): "
            + "median \(format2(replaySeconds)) s of \(times.count) runs "
            + "(\(format2(sorted[0]))–\(format2(sorted[sorted.count - 1])) s)")
    progress.phase("consensus bench: the same replay decoding on one thread")

    // The same replay decoding on one thread (the core's `state(upTo:)`), for comparison.
    let t1 = BenchSystem.monotonicSeconds()
    let sequential = try fresh.state(upTo: fresh.size).statuses()
    let sequentialSeconds = BenchSystem.monotonicSeconds() - t1
    guard sequential.map(\.state) == all.map(\.state) else {
        throw LedgerError.refused("bench: the parallel and sequential replays disagree")
    }
    progress.phase("sequential replay: \(format2(sequentialSeconds)) s")

    // One proposal's status from the index: mean and worst over a sample.
    let index = ProposalIndex(state)
    let sample = stride(from: 0, to: proposals, by: max(1, proposals / 200)).map { "B-\($0)" }
    progress.phase("consensus bench: \(sample.count) proposals' statuses from the index")
    var worst = 0.0
    var total = 0.0
    for id in sample {
        let t = BenchSystem.monotonicSeconds()
        let s = try fresh.proposalStatus(id, index: index, at: state.lastTime)
        let dt = BenchSystem.monotonicSeconds() - t
        total += dt
        worst = max(worst, dt)
        guard s.state == state.status(of: id)!.state, s.proposal.positions.count == state.proposal(id)!.positions.count
        else {
            throw LedgerError.refused("bench: status of \(id) from the index disagrees with the full replay")
        }
    }
    let meanMs = total / Double(sample.count) * 1000
    return buildFigure + [
        BenchFigure(
            name: "consensus: status of all \(all.count) proposals", value: replaySeconds, unit: "s",
            target:
                "< 2 s for 1,000,000 entries (median of \(times.count) replays of \(size), "
                + "\(format2(sorted[0]))–\(format2(sorted[sorted.count - 1])) s; \(BenchSystem.cpuCount()) cores)",
            met: entries >= 1_000_000 ? replaySeconds < 2 : nil),
        BenchFigure(
            name: "consensus: status of all, decoding on 1 thread", value: sequentialSeconds, unit: "s",
            target: "(comparison: the core's sequential replay)"),
        BenchFigure(
            name: "consensus: one proposal's status (index, mean)", value: meanMs, unit: "ms", target: "< 10 ms",
            met: meanMs < 10),
        BenchFigure(
            name: "consensus: one proposal's status (index, worst)", value: worst * 1000, unit: "ms",
            target: "< 10 ms (\(sample.count) samples)",
            met: worst * 1000 < 10),
        BenchFigure(
            name: "consensus: peak memory of the replay", value: replayRSS, unit: "MiB",
            target: "< 1024 MiB (VmHWM; \(format2(rssBefore)) MiB after reset)", met: replayRSS < 1024),
    ]
}

/// The synthetic forum of the consensus benchmark and the load test: 100 parties (the first
/// 100 assigned ISO codes) of forum `BENCH`, each with its own delegation key, in a ledger
/// whose operator key is `op`.
struct BenchForum {
    let ledger: Ledger<NegotiationRules>
    let op: NoteSignerKey
    let parties: [String]
    let keys: [NoteSignerKey]
    /// Each tabled proposal's entry index and leaf hash, in order (proposal `i` is `B-i`).
    private(set) var revisions: [(UInt64, Digest)] = []

    /// Creates the ledger in `dir` with the forum's charter, secretariat and delegations.
    init(dir: String, clock: @escaping @Sendable () -> Timestamp) throws {
        let parties = Array(Codes.countries.filter { $0 != "EU" }.sorted().prefix(100))
        let forum = ForumCharter(
            id: "BENCH", name: "Benchmark forum", parties: parties, rule: .consensus, defaultDeadlineDays: 3_650,
            sources: ["synthetic (ledger-bench bench --suite consensus)"])
        let start = clock()
        let op = try NoteSignerKey.generate(name: "bench.example/consensus")
        let sec = try NoteSignerKey.generate(name: "bench-secretariat")
        let ledger = try Ledger<NegotiationRules>.create(directory: dir, operatorKey: op, clock: clock)
        _ = try ledger.append([
            try Statement.make(kind: "forum.charter", body: forum.json, key: op, time: start),
            try Statement.make(
                kind: "secretariat.register", body: ["forum": "BENCH", "vkey": .string(sec.verifierKey.description)],
                key: op, time: start),
        ])
        var keys = [NoteSignerKey]()
        var regs = [SignedStatement]()
        for p in parties {
            let k = try NoteSignerKey.generate(name: "bench-\(p)")
            keys.append(k)
            regs.append(
                try Statement.make(
                    kind: "delegation.register",
                    body: ["forum": "BENCH", "party": .string(p), "vkey": .string(k.verifierKey.description)],
                    key: sec, time: start))
        }
        _ = try ledger.append(regs)
        self.ledger = ledger
        self.op = op
        self.parties = parties
        self.keys = keys
    }

    /// Tables `count` more proposals (`B-<i>`), signed in parallel and appended in batches.
    mutating func table(_ count: Int, time: Timestamp, progress: (Int) -> Void = { _ in }) throws {
        let batch = 10_000
        var k = 0
        while k < count {
            let n = min(batch, count - k)
            let first = revisions.count
            let (parties, keys) = (self.parties, self.keys)
            let signed = try signInParallel(n) { j throws(LedgerError) in
                let i = first + j
                let proposer = i % parties.count
                let body: JSONValue = [
                    "id": .string("B-\(i)"), "forum": "BENCH", "party": .string(parties[proposer]),
                    "title": .string("Benchmark measure \(i)"),
                    "measureType": "licence-requirement", "items": [["scheme": "wassenaar", "code": "3B001.f.1"]],
                    "destinations": ["CN"], "rationale": "benchmark", "effectiveDate": "2027-01-01",
                ]
                return try Statement.make(kind: "proposal", body: body, key: keys[proposer], time: time)
            }
            for a in try ledger.append(signed) { revisions.append((a.index, a.leafHash)) }
            k += n
            progress(k)
        }
    }

    /// Position `g` of `perProposal` on each proposal, proposal-major: party `slot` on proposal
    /// `g / perProposal`. Every 4th proposal gets an objection from the 4th party; with
    /// `replacing`, the last slot repeats the first party (a replacement).
    func position(_ g: Int, perProposal: Int, replacing: Bool, time: Timestamp) throws(LedgerError)
        -> SignedStatement
    {
        let i = g / perProposal
        let slot = g % perProposal
        let party = replacing && slot == perProposal - 1 ? 0 : slot
        let objects = i % 4 == 0 && party == 3
        var body: [String: JSONValue] = [
            "proposal": .string("B-\(i)"), "revision": .integer(Int64(revisions[i].0)),
            "revisionHash": .string(revisions[i].1.base64),
            "party": .string(parties[party]),
            "stance": objects ? "object" : (slot % 3 == 0 ? "no-objection" : "support"),
        ]
        if objects { body["reason"] = "benchmark objection" }
        return try Statement.make(kind: "position", body: .object(body), key: keys[party], time: time)
    }
}

/// Builds the benchmark ledger in `dir`: a forum of 100 parties, `proposals` proposals and
/// `perProposal − 1` positions on each.
private func buildConsensusBenchLedger(
    dir: String, proposals: Int, perProposal: Int, progress: BenchProgress
) throws -> BenchFigure {
    let positionsPerProposal = perProposal - 1
    let start = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
    var forum = try BenchForum(dir: dir, clock: { start })
    progress.phase(
        "consensus bench: building \(proposals) proposals × \(perProposal) entries = "
            + "\(proposals * perProposal) entries")
    let buildStart = BenchSystem.monotonicSeconds()
    // 1. Proposals, in batches; remember each one's entry index and leaf hash.
    try forum.table(proposals, time: start) {
        progress.step("build", done: Int64($0), of: Int64(proposals * perProposal))
    }
    // 2. Positions: proposal-major, in batches of `batch` statements.
    let batch = 10_000
    let totalPositions = proposals * positionsPerProposal
    var done = 0
    while done < totalPositions {
        let n = min(batch, totalPositions - done)
        let base = done
        let f = forum
        let signed = try signInParallel(n) { j throws(LedgerError) in
            try f.position(base + j, perProposal: positionsPerProposal, replacing: true, time: start)
        }
        _ = try forum.ledger.append(signed)
        done += n
        progress.step("build", done: Int64(proposals + done), of: Int64(proposals * perProposal))
    }
    let buildSeconds = BenchSystem.monotonicSeconds() - buildStart
    let size = forum.ledger.size
    progress.phase("built \(size) entries in \(format2(buildSeconds)) s")
    return BenchFigure(
        name: "consensus: build (sign + append)", value: Double(size) / buildSeconds, unit: "entries/s",
        target: "(informative)")
}

/// Signs `n` statements on all cores; `make(j)` builds statement `j`.
func signInParallel(_ n: Int, _ make: @Sendable (Int) throws(LedgerError) -> SignedStatement) throws
    -> [SignedStatement]
{
    let workers = min(BenchSystem.cpuCount(), max(1, n / 64))
    return try Parallel.map(n, workers: workers) { j in Result { () throws(LedgerError) in try make(j) } }
        .map { try $0.get() }
}

extension LedgerBenchCommand {
    /// Runs ``consensusBenchmark(entries:workdir:reuse:runs:progress:)`` on its own, with the
    /// options `bench --suite consensus` lacks: a kept `--workdir`, `--reuse` and `--runs`.
    struct BenchConsensus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-consensus", abstract: "Run the consensus benchmark alone.")

        @Option(help: "Entries in the benchmark ledger.") var entries = 1_000_000
        @Option(
            help: """
                Working directory, kept afterwards; it must not hold a ledger unless --reuse (default: a new \
                directory under /tmp, removed afterwards).
                """
        ) var workdir: String?
        @Flag(help: "Reuse the ledger already in --workdir instead of building one.") var reuse = false
        @Option(help: "Replays to time; the figure is their median.") var runs = 3
        @OptionGroup var output: BenchOutputOptions

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                let progress = BenchProgress()
                let figures = try consensusBenchmark(
                    entries: entries, workdir: workdir, reuse: reuse, runs: runs, progress: progress)
                progress.closeLine()
                if output.json {
                    BenchOutput.printJSON(figures)
                    return
                }
                BenchOutput.stdout(
                    figures.map {
                        $0.name.fitted(to: 50) + (format2($0.value) + " " + $0.unit).fitted(to: 20) + $0.target
                            + $0.metSuffix + "\n"
                    }.joined())
            }
        }
    }
}
