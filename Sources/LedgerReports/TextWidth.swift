/// Terminal column widths, so that tables align when titles hold East Asian wide characters.
///
/// A grapheme cluster takes two columns when its first scalar is East Asian Wide or Fullwidth
/// (Unicode Standard Annex #11; the ranges below are the W/F blocks that occur in text) or it
/// asks for emoji presentation (U+FE0F); combining marks and format characters take none;
/// everything else takes one. This is what terminals using `wcwidth` show.
package enum TextWidth {
    /// Wide and fullwidth scalar ranges (UAX #11, East_Asian_Width W and F).
    private static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo initial consonants
        0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693,
        0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE,
        0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA,
        0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728, 0x274C...0x274C,
        0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797, 0x27B0...0x27B0,
        0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
        0x3400...0x4DBF,  // CJK Unified Ideographs Extension A
        0x4E00...0x9FFF,  // CJK Unified Ideographs
        0xA000...0xA4CF,  // Yi
        0xA960...0xA97F,  // Hangul Jamo Extended-A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK compatibility ideographs
        0xFE10...0xFE19, 0xFE30...0xFE6F,  // vertical forms, CJK compatibility forms, small forms
        0xFF00...0xFF60, 0xFFE0...0xFFE6,  // fullwidth forms
        0x16FE0...0x18CFF, 0x1B000...0x1B2FF,  // Tangut, Kana supplement and extensions
        0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A,
        0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB,
        0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF,  // emoji with default emoji presentation
        0x20000...0x2FFFD, 0x30000...0x3FFFD,  // CJK extensions B–H, compatibility supplement
    ]

    /// Columns one scalar takes on its own.
    package static func columns(of s: Unicode.Scalar) -> Int {
        let v = s.value
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v < 0x1100 { return 1 }
        var lo = 0
        var hi = wide.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if wide[mid].upperBound < v {
                lo = mid + 1
            } else if wide[mid].lowerBound > v {
                hi = mid - 1
            } else {
                return 2
            }
        }
        return 1
    }

    /// Columns one grapheme cluster takes.
    package static func columns(of c: Character) -> Int {
        var first: Int?
        for s in c.unicodeScalars {
            if s.value == 0xFE0F { return 2 }
            let w = columns(of: s)
            if first == nil, w > 0 { first = w }
        }
        return first ?? 0
    }

    /// Columns `s` takes.
    package static func columns(of s: String) -> Int { s.reduce(0) { $0 + columns(of: $1) } }

    /// `s` cut to at most `width` columns, ending in `…` when cut.
    package static func truncate(_ s: String, to width: Int) -> String {
        guard columns(of: s) > width else { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = columns(of: c)
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// `s` padded with spaces to `width` columns (cut with `…` when longer).
    package static func pad(_ s: String, to width: Int) -> String {
        let t = truncate(s, to: width)
        return t + String(repeating: " ", count: max(0, width - columns(of: t)))
    }

    /// `s` right-aligned in `width` columns.
    package static func padLeft(_ s: String, to width: Int) -> String {
        let t = truncate(s, to: width)
        return String(repeating: " ", count: max(0, width - columns(of: t))) + t
    }

    /// `s` made safe to print on a terminal: control characters (C0, C1, DEL) and the
    /// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which could
    /// disguise or reorder what the reader sees, become U+FFFD. Text from signed statements
    /// is untrusted: an ANSI escape in a title must not reach the terminal.
    package static func printable(_ s: String) -> String {
        var needs = false
        for u in s.unicodeScalars where isUnsafe(u) {
            needs = true
            break
        }
        guard needs else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars { out.append(isUnsafe(u) ? "\u{FFFD}" : u) }
        return String(out)
    }

    private static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
