/// An nginx `log_format` string compiled for matching: literal text and variables in order.
/// Each variable's value runs up to the next literal (or the end of the line); a variable
/// inside double quotes may contain backslash-escaped quotes.
public struct NginxLogFormat: Sendable, Equatable {
    public enum Variable: Sendable, Equatable {
        case remoteAddr, timeLocal, timeISO8601, msec, request, requestMethod, requestURI, uri, args
        case status, bodyBytesSent, bytesSent, requestTime, userAgent, host, requestID
        /// A variable conflictwatch does not use; its value is skipped.
        case other(String)

        init(name: String) {
            switch name {
            case "remote_addr", "realip_remote_addr", "binary_remote_addr": self = .remoteAddr
            case "time_local": self = .timeLocal
            case "time_iso8601": self = .timeISO8601
            case "msec": self = .msec
            case "request": self = .request
            case "request_method": self = .requestMethod
            case "request_uri": self = .requestURI
            case "uri", "document_uri": self = .uri
            case "args", "query_string": self = .args
            case "status": self = .status
            case "body_bytes_sent": self = .bodyBytesSent
            case "bytes_sent": self = .bytesSent
            case "request_time": self = .requestTime
            case "http_user_agent": self = .userAgent
            case "host", "http_host": self = .host
            case "request_id", "http_x_request_id": self = .requestID
            default: self = .other(name)
            }
        }
    }

    public enum Element: Sendable, Equatable {
        case literal([UInt8])
        case variable(Variable, quoted: Bool)
    }

    public struct CompileError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public let elements: [Element]
    public let source: String

    /// Compiles `format`; the error says what to change.
    public init(_ format: String) throws(CompileError) {
        let bytes = Array(format.utf8)
        var elements: [Element] = []
        var literal: [UInt8] = []
        var i = 0
        func isNameByte(_ b: UInt8) -> Bool { ASCII.isDigit(b) || ASCII.isAlpha(b) || b == ASCII.underscore }
        while i < bytes.count {
            let b = bytes[i]
            guard b == ASCII.dollar, i + 1 < bytes.count else {
                literal.append(b)
                i += 1
                continue
            }
            var nameStart = i + 1
            var nameEnd: Int
            if bytes[nameStart] == ASCII.openBrace {
                nameStart += 1
                nameEnd = nameStart
                while nameEnd < bytes.count, bytes[nameEnd] != ASCII.closeBrace { nameEnd += 1 }
                guard nameEnd < bytes.count else {
                    throw CompileError(description: "log_format: '${' at byte \(i) has no closing '}'")
                }
                i = nameEnd + 1
            } else {
                nameEnd = nameStart
                while nameEnd < bytes.count, isNameByte(bytes[nameEnd]) { nameEnd += 1 }
                i = nameEnd
            }
            guard nameEnd > nameStart else {
                literal.append(b)
                i = nameStart
                continue
            }
            if let last = elements.last, case .variable = last, literal.isEmpty {
                throw CompileError(description:
                    "log_format: two variables with nothing between them ('$\(String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self))' follows another) cannot be split; put a separator between them")
            }
            let quoted = literal.last == ASCII.quote
            if !literal.isEmpty { elements.append(.literal(literal)); literal = [] }
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
            elements.append(.variable(Variable(name: name), quoted: quoted))
        }
        if !literal.isEmpty { elements.append(.literal(literal)) }
        let vars = elements.compactMap { e -> Variable? in if case .variable(let v, _) = e { return v } else { return nil } }
        guard vars.contains(.timeLocal) || vars.contains(.timeISO8601) || vars.contains(.msec) else {
            throw CompileError(description:
                "log_format has no time variable: add $time_local, $time_iso8601 or $msec so conflictwatch can place each request in time")
        }
        guard vars.contains(.request) || vars.contains(.requestMethod) else {
            throw CompileError(description: "log_format has neither $request nor $request_method: conflictwatch needs the method to find writes")
        }
        guard vars.contains(.status) else {
            throw CompileError(description: "log_format has no $status: conflictwatch needs it to see conflicts")
        }
        self.elements = elements
        self.source = format
    }

    /// nginx's predefined `combined` format.
    public static let combinedSource =
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#
}
