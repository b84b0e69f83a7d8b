/// The formats a report prints in (specs/cli.md, "Reports").
package enum ReportFormat: String, Sendable, CaseIterable {
    case table, json, markdown, csv, html
}

/// One table of a report: the form every report format is rendered from.
package struct ReportTable: Sendable {
    package enum Alignment: Sendable { case left, right }

    package struct Column: Sendable {
        package var name: String
        package var alignment: Alignment
        /// The widest the column is drawn in `table` format without `--wide` (nil: no limit).
        package var maxWidth: Int?

        package init(_ name: String, _ alignment: Alignment = .left, maxWidth: Int? = nil) {
            self.name = name
            self.alignment = alignment
            self.maxWidth = maxWidth
        }
    }

    /// One cell: its text, and a class the HTML report colours it by (a stance, a severity).
    package struct Cell: Sendable, ExpressibleByStringLiteral {
        package var text: String
        package var style: String?

        package init(_ text: String, style: String? = nil) {
            self.text = text
            self.style = style
        }

        package init(stringLiteral value: String) { self.init(value) }
    }

    package var columns: [Column]
    package var rows: [[Cell]]

    package init(columns: [Column], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }

    // MARK: table

    /// How a terminal marks a cell of a given style: the escape sequences to put around its
    /// text, or nil to leave it plain. The CLI decides whether there is one (only on a terminal).
    package typealias Marking = @Sendable (_ style: String) -> (open: String, close: String)?

    /// Aligned plain text: columns sized by terminal width (East Asian wide characters take
    /// two columns), cells cut with `…` at a column's `maxWidth` unless `wide`, control
    /// characters replaced (see ``TextWidth/printable(_:)``), no trailing spaces.
    ///
    /// With `marking`, a styled cell's text (not its padding) is put between the sequences the
    /// marking gives for its style; widths are counted without them.
    package func text(wide: Bool = false, marking: Marking? = nil) -> [String] {
        let cells = rows.map { $0.map { TextWidth.printable(flattened($0.text)) } }
        var widths = columns.map { TextWidth.columns(of: $0.name) }
        for row in cells {
            for (i, c) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], TextWidth.columns(of: c))
            }
        }
        if !wide {
            for (i, col) in columns.enumerated() {
                if let m = col.maxWidth { widths[i] = min(widths[i], max(m, TextWidth.columns(of: col.name))) }
            }
        }
        func line(_ texts: [String], styles: [String?]) -> String {
            var parts = [String]()
            for (i, col) in columns.enumerated() {
                let t = i < texts.count ? texts[i] : ""
                var cell =
                    col.alignment == .right
                    ? TextWidth.padLeft(t, to: widths[i]) : TextWidth.pad(t, to: widths[i])
                if let marking, i < styles.count, let style = styles[i], let (open, close) = marking(style) {
                    cell = Self.marked(cell, open: open, close: close)
                }
                parts.append(cell)
            }
            var s = parts.joined(separator: "  ")
            while s.last == " " { s.removeLast() }
            return s
        }
        return [line(columns.map(\.name), styles: [])]
            + zip(cells, rows).map { line($0, styles: marking == nil ? [] : $1.map(\.style)) }
    }

    /// `padded` with its text, between its leading and trailing spaces, put between `open` and `close`.
    private static func marked(_ padded: String, open: String, close: String) -> String {
        guard let first = padded.firstIndex(where: { $0 != " " }) else { return padded }
        let last = padded.lastIndex(where: { $0 != " " })!
        return padded[..<first] + open + padded[first...last] + close + padded[padded.index(after: last)...]
    }

    // MARK: markdown

    /// A GitHub-flavoured Markdown pipe table; `|` and backslashes are escaped, line breaks
    /// become spaces.
    package func markdown() -> [String] {
        func row(_ texts: [String]) -> String {
            "| " + texts.map { Self.markdownEscaped(flattened($0)) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + columns.map { $0.alignment == .right ? " ---: |" : " --- |" }.joined()
        return [row(columns.map(\.name)), rule] + rows.map { row($0.map(\.text)) }
    }

    /// `s` as one line of Markdown text: line breaks become spaces, other control characters
    /// and bidirectional overrides U+FFFD (``TextWidth/printable(_:)``), and the characters
    /// Markdown gives a meaning are escaped. The escape works on Unicode scalars, not
    /// characters: a `|` or `[` followed by a combining mark is one character in Swift, but
    /// a Markdown parser sees the `|` or `[` byte and would split the cell or open a link.
    package static func markdownEscaped(_ s: String) -> String {
        let line = s.contains(where: \.isNewline) ? String(s.map { $0.isNewline ? " " : $0 }) : s
        var out = String.UnicodeScalarView()
        for u in TextWidth.printable(line).unicodeScalars {
            switch u {
            case "|", "\\", "<", ">", "*", "_", "`", "[", "]":
                out.append("\\")
                out.append(u)
            default: out.append(u)
            }
        }
        return String(out)
    }

    // MARK: csv

    /// RFC 4180 CSV, CRLF line ends, a header row. Fields holding a comma, a quote, a line
    /// break or leading/trailing space are quoted; a field that a spreadsheet would take as a
    /// formula (starting `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'` (OWASP's
    /// CSV-injection advice: titles come from other delegations).
    package func csv() -> String {
        var out = ""
        for r in [columns.map(\.name)] + rows.map({ $0.map(\.text) }) {
            out += r.map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return out
    }

    package static func csvField(_ s: String) -> String {
        var s = s
        if let f = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f) { s = "'" + s }
        let needsQuotes =
            s.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || s.hasPrefix(" ") || s.hasSuffix(" ")
        guard needsQuotes else { return s }
        return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }

    // MARK: html

    /// An HTML `<table>`; each cell's style becomes its class.
    package func html(caption: String? = nil, className: String? = nil) -> String {
        var h = "<table" + (className.map { " class=\"\(HTML.escape($0))\"" } ?? "") + ">\n"
        if let caption { h += "<caption>\(HTML.escape(caption))</caption>\n" }
        h += "<thead><tr>"
        for c in columns {
            h += c.alignment == .right ? "<th class=\"num\">" : "<th>"
            h += HTML.escape(c.name) + "</th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        for r in rows {
            h += "<tr>"
            for (i, cell) in r.enumerated() {
                var classes = [String]()
                if i < columns.count, columns[i].alignment == .right { classes.append("num") }
                if let s = cell.style { classes.append(s) }
                h += classes.isEmpty ? "<td>" : "<td class=\"\(HTML.escape(classes.joined(separator: " ")))\">"
                h += HTML.escape(cell.text) + "</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody>\n</table>\n"
    }

    private func flattened(_ s: String) -> String {
        guard s.contains(where: { $0.isNewline }) else { return s }
        return String(s.map { $0.isNewline ? " " : $0 })
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    package func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
