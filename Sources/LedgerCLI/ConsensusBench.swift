import ArgumentParser
import Consensus
import Dispatch
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
    entries: Int, workdir: String? = nil, reuse: Bool = false, runs: Int = 3,
    log: (String) -> Void = { printStderr($0 + "\n") }
) throws -> [BenchFigure] {
    let perProposal = 100
    let proposals = max(1, entries / perProposal)
    let work = try BenchWorkdir(workdir, prefix: "ledger-consensus-bench")
    defer { work.cleanUp() }
    let dir = work.path
    var buildFigure: [BenchFigure] = []
    if reuse, workdir != nil, access(dir + "/" + FileStore.entriesFile, F_OK) == 0 {
        log("consensus bench: reusing the ledger in \(dir)")
    } else {
        buildFigure = [
            try buildConsensusBenchLedger(dir: dir, proposals: proposals, perProposal: perProposal, log: log)
        ]
    }
    let size = try Ledger<NegotiationRules>(directory: dir).size

    // Status of every proposal in one replay, from a fresh open, `runs` times (the figure is
    // the median); peak memory of the first replay.
    resetPeakRSS()
    let rssBefore = benchPeakRSSMiB()
    var times = [Double]()
    var replayRSS = 0.0
    var last: (Ledger<NegotiationRules>, NegotiationRules, [ProposalStatus])?
    repeat {
        last = nil  // The previous run's state is freed before the clock starts.
        let t0 = benchSeconds()
        let fresh = try Ledger<NegotiationRules>(directory: dir)
        let state = try fresh.parallelState()
        let stateSeconds = benchSeconds() - t0
        let all = state.statuses()
        let seconds = benchSeconds() - t0
        if times.isEmpty { replayRSS = benchPeakRSSMiB() }
        times.append(seconds)
        last = (fresh, state, all)
        log("replay \(format2(stateSeconds)) s, statuses \(format2(seconds - stateSeconds)) s")
    } while times.count < max(1, runs)
    let (fresh, state, all) = last!
    let sorted = times.sorted()
    let replaySeconds = sorted[sorted.count / 2]
    let open = all.count(where: { $0.state == .open })
    let blocked = all.count(where: { $0.state == .blocked })
    log(
        "replayed \(size) entries and computed \(all.count) statuses (\(open) open, \(blocked) blocked): median \(format2(replaySeconds)) s of \(times.count) runs (\(format2(sorted[0]))–\(format2(sorted[sorted.count - 1])) s)"
    )

    // The same replay decoding on one thread (the core's `state(upTo:)`), for comparison.
    let t1 = benchSeconds()
    let sequential = try fresh.state(upTo: fresh.size).statuses()
    let sequentialSeconds = benchSeconds() - t1
    guard sequential.map(\.state) == all.map(\.state) else {
        throw LedgerError.refused("bench: the parallel and sequential replays disagree")
    }
    log("sequential replay: \(format2(sequentialSeconds)) s")

    // One proposal's status from the index: mean and worst over a sample.
    let index = ProposalIndex(state)
    let sample = stride(from: 0, to: proposals, by: max(1, proposals / 200)).map { "B-\($0)" }
    var worst = 0.0
    var total = 0.0
    for id in sample {
        let t = benchSeconds()
        let s = try fresh.proposalStatus(id, index: index, at: state.lastTime)
        let dt = benchSeconds() - t
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
                "< 2 s for 1,000,000 entries (median of \(times.count) replays of \(size), \(format2(sorted[0]))–\(format2(sorted[sorted.count - 1])) s; \(cpuCount()) cores)",
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

/// Builds the benchmark ledger in `dir`: a forum of 100 parties, `proposals` proposals and
/// `perProposal − 1` positions on each.
private func buildConsensusBenchLedger(dir: String, proposals: Int, perProposal: Int, log: (String) -> Void) throws
    -> BenchFigure
{
    let positionsPerProposal = perProposal - 1
    // A synthetic forum of 100 parties (the first 100 assigned ISO codes).
    let parties = Array(Codes.countries.filter { $0 != "EU" }.sorted().prefix(100))
    let forum = ForumCharter(
        id: "BENCH", name: "Benchmark forum", parties: parties, rule: .consensus, defaultDeadlineDays: 3_650,
        sources: ["synthetic (ledger bench --suite consensus)"])
    let start = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
    let clock: @Sendable () -> Timestamp = { start }
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
    let signers = keys

    log("consensus bench: \(proposals) proposals × \(perProposal) entries = \(proposals * perProposal) entries")
    let buildStart = benchSeconds()
    let batch = 10_000
    let progress = Progress("build")
    // 1. Proposals, in batches; remember each one's entry index and leaf hash.
    var revisions = [(UInt64, Digest)]()
    revisions.reserveCapacity(proposals)
    var k = 0
    while k < proposals {
        let n = min(batch, proposals - k)
        let first = k
        let signed = try signInParallel(n) { j throws(LedgerError) in
            let i = first + j
            let proposer = i % parties.count
            let body: JSONValue = [
                "id": .string("B-\(i)"), "forum": "BENCH", "party": .string(parties[proposer]),
                "title": .string("Benchmark measure \(i)"),
                "measureType": "licence-requirement", "items": [["scheme": "wassenaar", "code": "3B001.f.1"]],
                "destinations": ["CN"], "rationale": "benchmark", "effectiveDate": "2027-01-01",
            ]
            return try Statement.make(kind: "proposal", body: body, key: signers[proposer], time: start)
        }
        for a in try ledger.append(signed) { revisions.append((a.index, a.leafHash)) }
        k += n
        progress.update(Int64(k), Int64(proposals * perProposal))
    }
    // 2. Positions: proposal-major, in batches of `batch` statements. Every 4th proposal gets an
    // objection from the 4th party; the last position repeats the first party (a replacement).
    let totalPositions = proposals * positionsPerProposal
    var done = 0
    while done < totalPositions {
        let n = min(batch, totalPositions - done)
        let base = done
        let revs = revisions
        let signed = try signInParallel(n) { j throws(LedgerError) in
            let g = base + j
            let i = g / positionsPerProposal
            let slot = g % positionsPerProposal
            let party = slot == positionsPerProposal - 1 ? 0 : slot
            let objects = i % 4 == 0 && party == 3
            var body: [String: JSONValue] = [
                "proposal": .string("B-\(i)"), "revision": .integer(Int64(revs[i].0)),
                "revisionHash": .string(revs[i].1.base64),
                "party": .string(parties[party]),
                "stance": objects ? "object" : (slot % 3 == 0 ? "no-objection" : "support"),
            ]
            if objects { body["reason"] = "benchmark objection" }
            return try Statement.make(kind: "position", body: .object(body), key: signers[party], time: start)
        }
        _ = try ledger.append(signed)
        done += n
        progress.update(Int64(proposals + done), Int64(proposals * perProposal))
    }
    progress.finish()
    let buildSeconds = benchSeconds() - buildStart
    let size = ledger.size
    log("built \(size) entries in \(format2(buildSeconds)) s")
    return BenchFigure(
        name: "consensus: build (sign + append)", value: Double(size) / buildSeconds, unit: "entries/s",
        target: "(informative)")

}

/// Signs `n` statements on all cores; `make(j)` builds statement `j`.
private func signInParallel(_ n: Int, _ make: @Sendable (Int) throws(LedgerError) -> SignedStatement) throws
    -> [SignedStatement]
{
    var out = [Result<SignedStatement, LedgerError>?](repeating: nil, count: n)
    out.withUnsafeMutableBufferPointer { buf in
        nonisolated(unsafe) let b = buf
        let workers = min(cpuCount(), max(1, n / 64))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var j = w
            while j < n {
                b[j] = Result { () throws(LedgerError) in try make(j) }
                j += workers
            }
        }
    }
    return try out.map { try $0!.get() }
}

private func benchSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// VmHWM of this process, in MiB.
private func benchPeakRSSMiB() -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(cString: line)
        if s.hasPrefix("VmHWM:") {
            return (Double(s.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
    }
    return 0
}

/// Resets VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs).
private func resetPeakRSS() {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", f)
    fclose(f)
}

extension LedgerCommand {
    /// Runs ``consensusBenchmark(entries:workdir:reuse:runs:log:)`` on its own (hidden; `ledger bench
    /// --suite consensus` is the documented entry point).
    struct BenchConsensus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-consensus", abstract: "Run the consensus benchmark alone.", shouldDisplay: false)

        @Option(help: "Entries in the benchmark ledger.") var entries = 1_000_000
        @Option(
            help: "Working directory, kept afterwards; it must not hold a ledger unless --reuse (default: a new directory under /tmp, removed afterwards)."
        ) var workdir: String?
        @Flag(help: "Reuse the ledger already in --workdir instead of building one.") var reuse = false
        @Option(help: "Replays to time; the figure is their median.") var runs = 3
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let figures = try consensusBenchmark(
                    entries: entries, workdir: workdir, reuse: reuse, runs: runs,
                    log: { if !output.json { printStderr($0 + "\n") } })
                if output.json {
                    printJSON(.object(["cores": .integer(Int64(cpuCount())), "figures": .array(figures.map(\.json))]))
                } else {
                    for f in figures {
                        let met = f.met.map { $0 ? "  met" : "  NOT MET" } ?? ""
                        out(
                            ConsensusCLI.pad(f.name, 50) + ConsensusCLI.pad(format2(f.value) + " " + f.unit, 20)
                                + f.target + met)
                    }
                }
            }
        }
    }
}
