import Consensus
import LedgerCore
import LedgerReports

/// The dashboard's pictures, drawn on the server as inline SVG: each has a `<title>`, an
/// `aria-label` that says what it shows, a text label on every bar (colour is never the only
/// cue) and the same figures in a table beside it, for readers who cannot see it.
enum DashboardCharts {
    /// The states counted in the state chart, in stacking order, with their colour class.
    static let states: [ProposalLifecycle.State] = [.open, .blocked, .adopted, .withdrawn, .superseded, .lapsed]

    /// One sample of the state chart: the number of proposals in each state at `time`.
    struct StateSample: Sendable {
        var time: Timestamp
        var counts: [ProposalLifecycle.State: Int]
        var total: Int { counts.values.reduce(0, +) }
    }

    /// The proposals by state at up to `maxSamples` evenly spaced instants from the first
    /// tabling to `now`, replaying entries `0..<count` (the published prefix, read one at a
    /// time with `entry`) once.
    static func stateSamples(
        count: Int64, entry: (Int64) throws(LedgerError) -> Entry, now: Timestamp, maxSamples: Int = 12
    ) throws(LedgerError) -> [StateSample] {
        var rules = NegotiationRules()
        var samples = [StateSample]()
        var times: [Timestamp] = []
        var next = 0
        func sample(until limit: Timestamp?) {
            while next < times.count, limit.map({ times[next] < $0 }) ?? true {
                var counts = [ProposalLifecycle.State: Int]()
                for st in rules.statuses(at: times[next]) { counts[st.state, default: 0] += 1 }
                samples.append(StateSample(time: times[next], counts: counts))
                next += 1
            }
        }
        for i in 0..<count {
            let e = try entry(i)
            if times.isEmpty, e.statement.kind == "proposal" {
                let span = max(0, now.secondsSinceEpoch - e.time.secondsSinceEpoch)
                let n = max(1, maxSamples - 1)
                times = (0...n).map {
                    Timestamp(secondsSinceEpoch: e.time.secondsSinceEpoch + span * Int64($0) / Int64(n))
                }
                .reduce(into: []) { if $0.last != $1 { $0.append($1) } }
            }
            sample(until: e.time)
            try rules.apply(e, leafHash: e.leafHash)
        }
        sample(until: nil)
        return samples
    }

    /// Days between two instants, to one decimal.
    static func days(_ from: Timestamp, _ to: Timestamp) -> Double {
        (Double(to.secondsSinceEpoch - from.secondsSinceEpoch) / 86_400 * 10).rounded() / 10
    }

    /// One forum's time to decision: the days from tabling to the first recorded decision.
    struct DecisionTimes: Sendable {
        var forum: String
        var days: [Double]
        var mean: Double { days.isEmpty ? 0 : (days.reduce(0, +) / Double(days.count) * 10).rounded() / 10 }
    }

    /// Time to decision per forum, over the proposals with a recorded decision.
    static func decisionTimes(_ state: NegotiationRules) -> [DecisionTimes] {
        state.forumOrder.map { forum in
            let days = state.proposals.filter { $0.forum == forum }.compactMap { p in
                p.decisions.first.map { Self.days(p.revisions[0].time, $0.time) }
            }
            return DecisionTimes(forum: forum, days: days)
        }
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() ? String(Int(d)) : String(d)
    }

    /// Proposals by state over time: a stacked bar per sample.
    static func stateChart(_ samples: [StateSample]) -> String {
        let title = "Proposals by state over time"
        guard !samples.isEmpty else { return "<p class=\"meta\">No proposal has been tabled yet.</p>\n" }
        let (barWidth, gap, height, top, bottom, left) = (34, 14, 180, 10, 40, 34)
        let maxTotal = max(1, samples.map(\.total).max() ?? 1)
        let width = left + samples.count * (barWidth + gap) + 10
        let summary =
            title + ": "
            + samples.map { s in "\(s.time.rfc3339.prefix(10)) \(s.total) proposals" }
            .joined(separator: ", ")
        var svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height + top + bottom)\" "
        svg += "width=\"\(width)\" height=\"\(height + top + bottom)\" aria-label=\"\(HTML.escape(summary))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        svg += "<line class=\"axis\" x1=\"\(left - 4)\" y1=\"\(top + height)\" x2=\"\(width)\" y2=\"\(top + height)\"/>"
        svg += "<text class=\"tick\" x=\"\(left - 8)\" y=\"\(top + 8)\" text-anchor=\"end\">\(maxTotal)</text>"
        svg += "<text class=\"tick\" x=\"\(left - 8)\" y=\"\(top + height)\" text-anchor=\"end\">0</text>"
        for (i, s) in samples.enumerated() {
            let x = left + i * (barWidth + gap)
            var y = top + height
            for state in states {
                let n = s.counts[state] ?? 0
                guard n > 0 else { continue }
                let h = n * height / maxTotal
                y -= h
                svg +=
                    "<rect class=\"st-\(state.rawValue)\" x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(h)\">"
                svg += "<title>\(s.time.rfc3339.prefix(10)): \(n) \(state.rawValue)</title></rect>"
                if h >= 12 {
                    svg += "<text class=\"bar-label\" x=\"\(x + barWidth / 2)\" y=\"\(y + h / 2 + 4)\" "
                    svg += "text-anchor=\"middle\">\(n)</text>"
                }
            }
            let day = s.time.rfc3339.prefix(10)
            svg += "<text class=\"tick\" x=\"\(x + barWidth / 2)\" y=\"\(top + height + 14)\" text-anchor=\"middle\">"
            svg += "\(day.dropFirst(5))</text>"
        }
        svg += "</svg>"
        var legend = "<p class=\"chart-legend\">"
        for state in states {
            legend += "<span class=\"swatch st-\(state.rawValue)\"></span> \(state.rawValue) "
        }
        legend += "</p>"
        var table = "<table class=\"chart-data\"><caption>\(HTML.escape(title)) (the chart's figures)</caption>"
        table += "<thead><tr><th>Date</th>" + states.map { "<th class=\"num\">\($0.rawValue)</th>" }.joined()
        table += "<th class=\"num\">total</th></tr></thead><tbody>"
        for s in samples {
            table += "<tr><td>\(s.time.rfc3339.prefix(10))</td>"
            table += states.map { "<td class=\"num\">\(s.counts[$0] ?? 0)</td>" }.joined()
            table += "<td class=\"num\">\(s.total)</td></tr>"
        }
        table += "</tbody></table>"
        return "<figure>" + svg + legend + "<details><summary>The figures</summary>" + table
            + "</details></figure>\n"
    }

    /// Time to decision per forum: a horizontal bar per forum (the mean), labelled with its
    /// figures.
    static func decisionChart(_ rows: [DecisionTimes]) -> String {
        let title = "Time to decision per forum (mean days from tabling to the first decision)"
        let (rowHeight, left, barMax) = (26, 70, 360)
        let maxDays = max(1, rows.map(\.mean).max() ?? 1)
        let height = rows.count * rowHeight + 10
        let width = left + barMax + 150
        let summary =
            title + ": "
            + rows.map { "\($0.forum) \(number($0.mean)) days over \($0.days.count) decisions" }
            .joined(separator: ", ")
        var svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" "
        svg += "height=\"\(height)\" aria-label=\"\(HTML.escape(summary))\"><title>\(HTML.escape(title))</title>"
        for (i, r) in rows.enumerated() {
            let y = 5 + i * rowHeight
            let w = r.days.isEmpty ? 0 : max(2, Int(r.mean / maxDays * Double(barMax)))
            svg +=
                "<text class=\"tick\" x=\"\(left - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(HTML.escape(r.forum))</text>"
            svg +=
                "<rect class=\"decision-bar\" x=\"\(left)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"\(rowHeight - 8)\">"
            svg += "<title>\(HTML.escape(r.forum)): \(number(r.mean)) days</title></rect>"
            let label =
                r.days.isEmpty
                ? "no decision yet" : "\(number(r.mean)) days (\(ReportWords.count(r.days.count, "decision")))"
            svg += "<text class=\"tick\" x=\"\(left + w + 6)\" y=\"\(y + 16)\">\(label)</text>"
        }
        svg += "</svg>"
        var table = "<table class=\"chart-data\"><caption>\(HTML.escape(title)) (the chart's figures)</caption>"
        table += "<thead><tr><th>Forum</th><th class=\"num\">decisions</th><th class=\"num\">mean days</th>"
        table += "<th>each (days)</th></tr></thead><tbody>"
        for r in rows {
            table += "<tr><td>\(HTML.escape(r.forum))</td><td class=\"num\">\(r.days.count)</td>"
            table += "<td class=\"num\">\(r.days.isEmpty ? "—" : number(r.mean))</td>"
            table += "<td>\(r.days.map(number).joined(separator: ", "))</td></tr>"
        }
        table += "</tbody></table>"
        return "<figure>" + svg + "<details><summary>The figures</summary>" + table + "</details></figure>\n"
    }
}
