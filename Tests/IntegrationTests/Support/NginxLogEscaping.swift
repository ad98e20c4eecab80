/// How nginx writes a variable into an access log line without `escape=`: `"`, `\`, control
/// bytes, DEL and every byte >= 0x80 become `\xHH` (upper-case hex); everything else is kept.
/// (ngx_http_log_escape; `escape=json` instead writes a JSON string body.)
enum NginxLogEscaping {
    private static let hex = Array("0123456789ABCDEF")

    static func escaped(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte >= 0x7F {
                out += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
