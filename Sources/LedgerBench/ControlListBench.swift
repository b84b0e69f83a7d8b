import ControlCodes
import ControlLists
import LedgerCore
import LedgerTestSupport

/// The control-list benchmark (issue 4 §8): EU Annex I import, a 10,000-entry version diff
/// and conflict detection over 100,000 measures, each with a scaling series n, 2n, 4n.
///
/// The EU dataset is ``TestPaths/euAnnexPath``: `LEDGER_EU_ANNEX`, else
/// `../shared/data/eu-annex-i-2025-11-15.json` beside the package root. Annex I of Regulation
/// (EU) 2021/821, consolidated 15 Nov 2025, © European Union, reuse permitted with
/// acknowledgement (Commission Decision 2011/833/EU).
func controlListBenchmark(progress: BenchProgress) throws -> [BenchFigure] {
    var figures: [BenchFigure] = []

    /// Best of `runs` wall-clock times of `body`, in milliseconds.
    func time(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let t0 = BenchSystem.monotonicSeconds()
            try body()
            best = min(best, (BenchSystem.monotonicSeconds() - t0) * 1000)
        }
        return best
    }

    // 1. Import the full EU Annex I.
    let path = TestPaths.euAnnexPath
    progress.phase("lists bench: importing the EU Annex I (\(path)), in full and in parts")
    if let bytes = try? LedgerFiles.read(path) {
        var list: ControlList?
        let ms = try time { list = try ControlListImporter.importList(bytes: bytes, path: path, format: .euAnnex) }
        var lines: [String] = []
        for e in list!.entries {
            lines.append("\(e.code.text) \(e.text.split(separator: "\n").joined(separator: " "))")
            for n in e.notes { lines.append("\(e.code.text) \(n.text.split(separator: "\n").joined(separator: " "))") }
        }
        var series: [(Int, Double)] = []
        for f in [0.25, 0.5, 1.0] {
            let input = SyntheticWorkload.textFormat(lines: lines, fraction: f)
            var count = 0
            let t = try time {
                count = try ControlListImporter.importList(bytes: input, path: "bench.txt", format: .text).entries.count
            }
            series.append((count, t))
        }
        figures.append(
            BenchFigure(
                name: "lists: import EU Annex I (\(list!.entries.count) paragraphs, \(bytes.count / 1024) KiB)",
                value: ms, unit: "ms",
                target: "< 300 ms", met: ms < 300, series: series))
    } else {
        BenchOutput.warning("lists benchmark: \(path) not found; set LEDGER_EU_ANNEX")
    }

    // 2. Diff two 10,000-entry lists.
    progress.phase("lists bench: diffing synthetic lists of 2,500, 5,000 and 10,000 entries")
    var diffSeries: [(Int, Double)] = []
    var diff10k = 0.0
    var changes = 0
    for n in [2_500, 5_000, 10_000] {
        let a = try SyntheticWorkload.list(entries: n)
        let b = try SyntheticWorkload.revise(a)
        let t = time { changes = ListDiff(old: a, new: b).changes.count }
        diffSeries.append((n, t))
        if n == 10_000 { diff10k = t }
    }
    figures.append(
        BenchFigure(
            name: "lists: diff two 10,000-entry lists (\(changes) changes)", value: diff10k, unit: "ms",
            target: "< 200 ms",
            met: diff10k < 200, series: diffSeries))

    // 3. Conflict detection over 100,000 measures.
    progress.phase("lists bench: conflict detection over 25,000, 50,000 and 100,000 measures")
    let detector = ConflictDetector(correlations: (try? CuratedData.correlations()) ?? CorrelationTable())
    var detectSeries: [(Int, Double)] = []
    var detect100k = 0.0
    var found = 0
    for n in [25_000, 50_000, 100_000] {
        let ms = SyntheticWorkload.measures(n)
        let t = time(n == 100_000 ? 2 : 3) { found = detector.findings(in: ms).count }
        detectSeries.append((n, t))
        if n == 100_000 { detect100k = t }
    }
    let growth = detectSeries[2].1 / max(detectSeries[0].1, 1e-9)
    figures.append(
        BenchFigure(
            name: "lists: conflict detection over 100,000 measures "
                + "(\(found) findings; 4n/n time ratio \(format2(growth)))",
            value: detect100k, unit: "ms", target: "< 2000 ms, near-linear (4n/n ≈ 4)",
            met: detect100k < 2000 && growth < 6,
            series: detectSeries))
    return figures
}
