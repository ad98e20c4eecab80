import Foundation

/// Sends `SentRequest`s to a local server with the curl command-line tool, from the request's
/// own source address (`--interface 127.0.0.x`; all of 127/8 is loopback on Linux).
struct CurlClient: Sendable {
    let curl: String
    let port: UInt16

    /// Sends the request and returns the HTTP status curl saw.
    func send(_ request: SentRequest) throws -> Int {
        var args = ["--silent", "--show-error", "--globoff", "--max-time", "10",
                    "--output", "/dev/null", "--write-out", "%{http_code}"]
        switch request.method {
        case "HEAD":
            args.append("--head")
        case "GET":
            break
        default:
            args += ["--request", request.method]
        }
        if ["POST", "PUT", "PATCH"].contains(request.method) {
            args += ["--header", "Content-Type: application/json", "--data-binary", #"{"v":1}"#]
        }
        if let ua = request.userAgent {
            args += ["--user-agent", ua]
        } else {
            args += ["--header", "User-Agent:"]   // removes the header
        }
        let host: String
        if request.isIPv6 {
            host = "[\(request.client)]"
        } else {
            host = "127.0.0.1"
            if request.client != "127.0.0.1" {
                args += ["--interface", request.client]
            }
        }
        args.append("http://\(host):\(port)\(request.target)")
        let result = try ProcessRunner.run(curl, args, timeout: 20)
        guard result.succeeded, let code = Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ProcessRunner.LaunchError(description: "curl \(request): \(result.summary)")
        }
        return code
    }
}
