/// Prefixes that container runtimes put in front of a program's own log line:
/// CRI (`2025-12-31T17:37:40.493035218+01:00 stdout F `) and docker compose (`caddy  | `).
/// `auto` strips them when the line does not parse as it is.
enum ContainerPrefix {
    static func strip(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let n = line.count
        guard n > 4 else { return nil }
        // CRI: TIMESTAMP SP (stdout|stderr) SP (F|P) SP
        if ASCII.isDigit(line[0]), let sp = line.firstIndex(of: ASCII.space, from: 0), sp >= 19, sp < 40,
           TimestampParser.parseISO8601(line.slice(0, sp)) != nil {
            let rest = line.slice(sp + 1, n)
            if rest.count > 9, rest.hasPrefix("stdout ") || rest.hasPrefix("stderr "),
               rest[7] == 0x46 || rest[7] == 0x50, rest[8] == ASCII.space {
                return rest.slice(9, rest.count)
            }
        }
        // compose: NAME SPACES "| "
        var i = 0
        while i < n, i < 64, ASCII.isDigit(line[i]) || ASCII.isAlpha(line[i]) || line[i] == ASCII.dash
            || line[i] == ASCII.underscore || line[i] == ASCII.dot { i += 1 }
        guard i > 0, i < n, line[i] == ASCII.space else { return nil }
        while i < n, line[i] == ASCII.space { i += 1 }
        guard i + 1 < n, line[i] == ASCII.pipe, line[i + 1] == ASCII.space else { return nil }
        return line.slice(i + 2, n)
    }
}
