#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses lines written with a user's nginx `log_format` (see `NginxLogFormat`).
public struct NginxFormatParser {
    public let format: NginxLogFormat
    private let literals: [UnsafeRawBufferPointer]
    private let storage: LiteralStorage
    private var times = TimestampParser()

    public init(format: NginxLogFormat) {
        self.format = format
        // Literals are copied once into one block so matching compares raw memory.
        var total = 0
        for e in format.elements { if case .literal(let l) = e { total += l.count } }
        let storage = LiteralStorage(byteCount: total)
        self.storage = storage
        var lits: [UnsafeRawBufferPointer] = []
        var at = 0
        for e in format.elements {
            if case .literal(let l) = e {
                l.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(rebasing: storage.bytes[at..<(at + l.count)]).copyMemory(from: src)
                }
                lits.append(UnsafeRawBufferPointer(rebasing: storage.bytes[at..<(at + l.count)]))
                at += l.count
            } else {
                lits.append(.empty)
            }
        }
        literals = lits
    }

    public mutating func parse(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView) -> ParseOutcome {
        x.reset()
        let n = line.count
        var pos = 0
        var request = UnsafeRawBufferPointer.empty
        var method = UnsafeRawBufferPointer.empty
        var target = UnsafeRawBufferPointer.empty
        var args: UnsafeRawBufferPointer? = nil
        var haveTime = false
        var haveStatus = false
        let elements = format.elements
        var idx = 0
        while idx < elements.count {
            switch elements[idx] {
            case .literal:
                let lit = literals[idx]
                guard pos + lit.count <= n, line.slice(pos, pos + lit.count).equals(lit) else {
                    return .malformed(.formatMismatch)
                }
                pos += lit.count
            case .variable(let variable, let quoted):
                var end: Int
                if idx + 1 < elements.count {
                    let next = literals[idx + 1]
                    if quoted, next.count > 0, next[0] == ASCII.quote {
                        guard let q = CombinedLogParser.closingQuote(line, from: pos) else {
                            return .malformed(.unterminatedQuote)
                        }
                        end = q
                    } else {
                        guard let e = Self.find(next, in: line, from: pos) else { return .malformed(.formatMismatch) }
                        end = e
                    }
                } else {
                    end = n
                }
                let v = line.slice(pos, end)
                let absent = v.count == 0 || v.isDash
                switch variable {
                case .remoteAddr: x.client = v
                case .timeLocal:
                    guard let t = times.parseCLF(v) else { return .malformed(.badTime) }
                    x.time = t
                    haveTime = true
                case .timeISO8601:
                    guard let t = TimestampParser.parseISO8601(v) else { return .malformed(.badTime) }
                    x.time = t
                    haveTime = true
                case .msec:
                    guard let t = TimestampParser.parseEpoch(v) else { return .malformed(.badTime) }
                    x.time = t
                    haveTime = true
                case .request: request = v
                case .requestMethod: if !absent { method = v }
                case .requestURI: if !absent { target = v }
                case .uri: if !absent, target.count == 0 { target = v }
                case .args: if !absent { args = v }
                case .status:
                    if v.isDash {
                        x.status = -1
                    } else {
                        guard v.count == 3, let s = v.parseDecimal() else { return .malformed(.badStatus) }
                        x.status = Int32(s)
                    }
                    haveStatus = true
                case .bodyBytesSent, .bytesSent:
                    if !absent {
                        guard let b = v.parseDecimal() else { return .malformed(.badBytes) }
                        if variable == .bodyBytesSent || x.bytes < 0 { x.bytes = b }
                    }
                case .requestTime: if !absent { x.latencyMicros = DecimalSeconds.micros(v) ?? -1 }
                case .userAgent: if !absent { x.userAgent = v }
                case .host: if !absent { x.host = v }
                case .requestID: if !absent { x.requestID = v }
                case .other: break
                }
                pos = end
            }
            idx += 1
        }
        guard pos == n else { return .malformed(.formatMismatch) }
        guard haveTime else { return .malformed(.badTime) }
        guard haveStatus else { return .malformed(.badStatus) }
        if method.count > 0 {
            x.method = method
            if target.count > 0 {
                x.setTarget(target)
            } else if request.count > 0 {
                x.setRequestLine(request)
                x.method = method
            }
        } else {
            x.setRequestLine(request)
        }
        if let args, x.query == nil { x.query = args }
        return .exchange
    }

    @inline(__always)
    static func find(_ needle: UnsafeRawBufferPointer, in hay: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard needle.count > 0 else { return from }
        var i = from
        while let j = hay.firstIndex(of: needle[0], from: i) {
            if j + needle.count > hay.count { return nil }
            if needle.count == 1 || memcmp(hay.baseAddress! + j, needle.baseAddress!, needle.count) == 0 { return j }
            i = j + 1
        }
        return nil
    }
}

/// Owns the bytes of a compiled format's literals for as long as a parser copy refers to them.
final class LiteralStorage {
    let bytes: UnsafeMutableRawBufferPointer
    init(byteCount: Int) { bytes = .allocate(byteCount: max(byteCount, 1), alignment: 1) }
    deinit { bytes.deallocate() }
}
