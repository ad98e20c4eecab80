import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway nginx in the foreground (`daemon off`), everything under one temporary prefix:
/// config, pid file, error log, temp paths. Listens on 127.0.0.1 (and [::1] when asked) on a
/// free port; a port lost to a race is retried with another.
final class NginxServer {
    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    let port: UInt16
    let listensOnIPv6: Bool
    let prefix: TemporaryDirectory
    private let process: Process

    var errorLogPath: String { prefix.file("error.log") }

    private init(port: UInt16, listensOnIPv6: Bool, prefix: TemporaryDirectory, process: Process) {
        self.port = port
        self.listensOnIPv6 = listensOnIPv6
        self.prefix = prefix
        self.process = process
    }

    /// The directives every test config needs at the top level and inside `http {}`: pid file,
    /// error log and all temp paths in the prefix, so nginx never touches /var.
    static func baseDirectives(prefix: TemporaryDirectory) -> (main: String, http: String) {
        var main = """
            worker_processes 1;
            pid \(prefix.file("nginx.pid"));
            error_log \(prefix.file("error.log")) info;
            events { worker_connections 128; }

            """
        // As root nginx would run its worker as `nobody`, which cannot enter the 0700 temp dir.
        if geteuid() == 0 { main = "user root;\n" + main }
        let http = """
                client_body_temp_path \(prefix.file("client_body_temp"));
                proxy_temp_path \(prefix.file("proxy_temp"));
                fastcgi_temp_path \(prefix.file("fastcgi_temp"));
                uwsgi_temp_path \(prefix.file("uwsgi_temp"));
                scgi_temp_path \(prefix.file("scgi_temp"));
                default_type text/plain;

            """
        return (main, http)
    }

    /// Writes `configuration(port, ipv6)` to PREFIX/nginx.conf and starts nginx with it, retrying
    /// with a new port when the chosen one was taken meanwhile.
    static func start(
        binary: String, prefix: TemporaryDirectory, ipv6: Bool,
        configuration: (UInt16, Bool) -> String
    ) throws -> NginxServer {
        var lastError = "no attempt made"
        for attempt in 1...5 {
            guard let port = LoopbackSocket.freePort(alsoIPv6: ipv6) else {
                throw StartError(description: "no free loopback port found")
            }
            let confPath = prefix.file("nginx.conf")
            try configuration(port, ipv6).write(toFile: confPath, atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: prefix.file("nginx.stdout"), contents: nil)
            _ = FileManager.default.createFile(atPath: prefix.file("nginx.stderr"), contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "-p", prefix.path + "/", "-c", confPath, "-e", prefix.file("error.log"),
                "-g", "daemon off;",
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: prefix.file("nginx.stdout")))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: prefix.file("nginx.stderr")))
            try process.run()

            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if !process.isRunning { break }
                let v4 = LoopbackSocket.canConnect(ipv6: false, port: port)
                let v6 = !ipv6 || LoopbackSocket.canConnect(ipv6: true, port: port)
                if v4 && v6 {
                    return NginxServer(port: port, listensOnIPv6: ipv6, prefix: prefix, process: process)
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            let diagnostics = Self.tail(prefix.file("error.log")) + " " + Self.tail(prefix.file("nginx.stderr"))
            lastError = "attempt \(attempt) on port \(port): nginx did not come up: \(diagnostics)"
            if !diagnostics.contains("in use") { break }
        }
        throw StartError(description: lastError)
    }

    /// Graceful stop (SIGQUIT: finish requests, flush and close logs). Falls back to SIGKILL after
    /// `timeout`; returns whether the graceful stop worked.
    @discardableResult
    func stop(timeout: TimeInterval = 15) -> Bool {
        guard process.isRunning else { return process.terminationStatus == 0 }
        kill(process.processIdentifier, SIGQUIT)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        process.waitUntilExit()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// The last lines of the error log, for failure messages.
    var errorLogTail: String { Self.tail(errorLogPath) }

    private static func tail(_ path: String, lines: Int = 6) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}
