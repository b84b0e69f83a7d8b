import ArgumentParser
import LedgerCore

/// Argument-parser usage errors in the one voice of the CLI (specs/cli.md, "Errors"):
/// `ledger: error: <where>: <what>` on one line, then a `hint:` line with the nearest
/// subcommand or option when the name was mistyped, and where to read more.
enum UsageErrors {
    /// The subcommand path named by `arguments` (without the program name), and the command.
    static func command(for arguments: [String]) -> (path: [String], type: any ParsableCommand.Type) {
        var type: any ParsableCommand.Type = LedgerCommand.self
        var path: [String] = []
        for a in arguments where !a.hasPrefix("-") {
            guard let sub = type.configuration.subcommands.first(where: { name(of: $0) == a }) else { break }
            type = sub
            path.append(a)
        }
        // `ledger checkpoint DIR …` runs the default subcommand, whose options are the ones meant.
        while let d = type.configuration.defaultSubcommand { type = d }
        return (path, type)
    }

    static func name(of type: any ParsableCommand.Type) -> String {
        type.configuration.commandName ?? kebab(String(describing: type))
    }

    /// ArgumentParser's default command name: the type name in kebab case.
    static func kebab(_ s: String) -> String {
        var out = ""
        for (i, c) in s.enumerated() {
            if c.isUppercase, i > 0 { out.append("-") }
            out.append(Character(c.lowercased()))
        }
        return out
    }

    /// The long and short option names a command's help lists.
    static func options(of type: any ParsableCommand.Type, path: [String]) -> [String] {
        let help = LedgerCommand.helpMessage(for: type, columns: 1000)
        var names: [String] = []
        for raw in help.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "[" || $0 == "]" }) {
            let t = raw.split(separator: "=").first.map(String.init) ?? ""
            guard t.hasPrefix("-"), t.count > 1, t.dropFirst().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { continue }
            if !names.contains(t) { names.append(t) }
        }
        return names
    }

    /// The two lines to print for a usage error.
    static func lines(for error: any Error, arguments: [String]) -> (error: String, hint: String) {
        let (path, type) = command(for: arguments)
        let whereText = path.isEmpty ? "" : path.joined(separator: " ") + ": "
        let helpRef = "see 'ledger \(path.isEmpty ? "" : path.joined(separator: " ") + " ")--help'"
        var message = LedgerCommand.message(for: error)
        if let nl = message.firstIndex(of: "\n") { message = String(message[..<nl]) }
        // "Unexpected argument 'propse'" at a command with subcommands: an unknown command.
        let unexpected =
            quoted(in: message, after: "Unexpected argument")
            ?? firstQuoted(in: message, ifContains: "unexpected arguments")
        if let bad = unexpected, !type.configuration.subcommands.isEmpty,
            !bad.hasPrefix("-")
        {
            let names = type.configuration.subcommands.map(name(of:))
            let hint = Suggestions.closest(to: bad, among: names).map { "did you mean '\($0)'? " } ?? ""
            return ("\(whereText)unknown command '\(bad)'", "hint: \(hint)\(helpRef)")
        }
        // A mistyped option explains more than the "missing argument" the parser may report
        // first (`propose --kye k.key` lacks --key only because --kye is unknown).
        let known = options(of: type, path: path)
        if type.configuration.subcommands.isEmpty,
            let bad = arguments.prefix(while: { $0 != "--" }).first(where: {
                $0.hasPrefix("--") && $0.count > 2 && !known.contains(String($0.split(separator: "=")[0]))
            })
        {
            let flag = String(bad.split(separator: "=")[0])
            let hint = Suggestions.closest(to: flag, among: known).map { "did you mean '\($0)'? " } ?? ""
            return ("\(whereText)unknown option '\(flag)'", "hint: \(hint)\(helpRef)")
        }
        if let bad = quoted(in: message, after: "Unknown option") {
            let flag = bad.split(separator: "=").first.map(String.init) ?? bad
            let hint =
                Suggestions.closest(to: flag, among: options(of: type, path: path)).map { "did you mean '\($0)'? " }
                ?? ""
            return ("\(whereText)unknown option '\(bad)'", "hint: \(hint)\(helpRef)")
        }
        let usage = LedgerCommand.usageString(for: type).split(separator: "\n").first.map(String.init) ?? ""
        return (whereText + lowerFirst(message), "hint: usage: \(usage.trimmingSpaces()); \(helpRef)")
    }

    static func quoted(in message: String, after prefix: String) -> String? {
        guard message.hasPrefix(prefix), let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.lastIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }

    static func firstQuoted(in message: String, ifContains marker: String) -> String? {
        guard message.contains(marker), let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }

    static func lowerFirst(_ s: String) -> String {
        guard let f = s.first, f.isUppercase, s.dropFirst().first?.isLowercase ?? true else { return s }
        return f.lowercased() + s.dropFirst()
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
