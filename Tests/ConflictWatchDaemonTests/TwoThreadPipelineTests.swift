import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import GRDB
import Logging
import Testing
@testable import ConflictWatchDaemon

/// The daemon with a reading thread (`TailReader`) against the daemon on one thread, on a log
/// whose routes the normalizer must learn (slugs past the `{var}` threshold) and with a retry
/// storm: the same model state, alerts, routes and checkpoints; and a crash after a flush
/// mid-way loses and repeats no line.
@Suite struct TwoThreadPipelineTests {
    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// 20 minutes of writes to orders (a 40-s storm of 409s from one client at minute 12) and
    /// reads of users by name; ~400 distinct names, so `/api/users/*` is learned as `{var}`
    /// part-way through; and a new team now and then, too few to be learned.
    static let traffic: String = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % n
        }
        var out = ""
        for s in 0..<1200 {
            let t = f.string(from: t0.addingTimeInterval(Double(s)))
            for _ in 0..<12 {
                let client = next(60) + 1
                switch next(3) {
                case 0:
                    out += "10.0.1.\(client) - - [\(t)] \"GET /api/users/u\(String(next(400), radix: 26)) HTTP/1.1\" 200 10 \"-\" \"x\"\n"
                default:
                    let status = next(40) == 0 ? 409 : 200
                    out += "10.0.0.\(client) - - [\(t)] \"PUT /api/orders/\(next(300)) HTTP/1.1\" \(status) 1 \"-\" \"x\"\n"
                }
            }
            // A team every 40 s, 30 in all: a position still counting towards `{var}` when the
            // log ends, long after the users' was learned.
            if s % 40 == 0 { out += "10.0.2.1 - - [\(t)] \"GET /api/teams/t\(s / 40)x HTTP/1.1\" 200 10 \"-\" \"x\"\n" }
            if (720..<760).contains(s) {
                for _ in 0..<6 { out += "127.0.0.66 - - [\(t)] \"PUT /api/orders/13 HTTP/1.1\" 409 1 \"-\" \"retry\"\n" }
            }
        }
        return out
    }()

    /// The log cut after its first third: the lines in the head, the head, the rest.
    static let firstThird: (lines: Int, head: String, rest: String) = {
        let lines = traffic.split(separator: "\n", omittingEmptySubsequences: false)
        let cut = lines.count / 3
        return (cut, lines[..<cut].joined(separator: "\n") + "\n", lines[cut...].joined(separator: "\n"))
    }()

    static var lineCount: UInt64 { UInt64(traffic.utf8.count(where: { $0 == UInt8(ascii: "\n") })) }

    struct Outcome: Equatable {
        var model: [UInt8]?
        var alerts: [Alert]
        var routes: [RouteRow]
        var checkpoints: [SourceCheckpoint]
        var lines: UInt64
    }

    func settings(_ dir: String, threads: Int) -> DaemonSettings {
        var s = DaemonSettings(sources: [.init(pattern: dir + "/access.log", format: .combined)], parameters: ModelParameters(), stateDirectory: dir)
        s.threads = threads
        s.fromStart = true
        return s
    }

    /// Steps the pipeline until every line of the log is counted (the reading thread gets there
    /// on its own time), flushing when `flushEvery` steps have passed; gives up after 60 s.
    func drive(_ pipeline: IngestPipeline, now: inout Double, flushEvery: Int?, stopAt: UInt64 = lineCount) throws {
        let deadline = Date().addingTimeInterval(60)
        var steps = 0
        while pipeline.counters.lines < stopAt, Date() < deadline {
            if pipeline.step(now: now) == 0 { usleep(1000) }
            now += 0.001
            steps += 1
            if let flushEvery, steps % flushEvery == 0 { try pipeline.flush(now: now) }
        }
    }

    func outcome(_ store: ConflictStore, lines: UInt64) throws -> Outcome {
        Outcome(model: try store.modelState(), alerts: try store.alerts(AlertFilter()), routes: try store.routes(),
                // Where each file was read to (the directories differ from run to run).
                checkpoints: try store.checkpoints().map { c in
                    var only = c
                    (only.source, only.path, only.device, only.inode, only.updated) = ("", "", 0, 0, "")
                    return only
                },
                lines: lines)
    }

    func withLog<T>(_ text: String = traffic, _ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-2t-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/access.log"))
        return try body(dir)
    }

    func run(threads: Int) throws -> Outcome {
        try withLog { dir in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let pipeline = IngestPipeline(settings: settings(dir, threads: threads), store: store, logger: logger)
            try pipeline.start(now: 0)
            var now = 0.0
            try drive(pipeline, now: &now, flushEvery: nil)
            pipeline.stopReading()
            try pipeline.flush(now: now + 1)
            return try outcome(store, lines: pipeline.counters.lines)
        }
    }

    @Test func sameStateAsOneThread() throws {
        let one = try run(threads: 1)
        let two = try run(threads: 2)
        #expect(one.lines == Self.lineCount)
        #expect(one.routes.contains { $0.route == "/api/users/{var}" }, "the normalizer learned: \(one.routes.map(\.route))")
        #expect(one.alerts.contains { $0.kind == .burst }, "the storm alerts")
        #expect(two.lines == one.lines)
        #expect(two.routes == one.routes)
        #expect(two.alerts == one.alerts)
        #expect(two.checkpoints == one.checkpoints)
        #expect(two.model != nil && two.model == one.model, "the model's snapshot")
    }

    /// A fleet agent: with a reading thread, the summaries are made of the blocks that thread
    /// encoded (most continuing a scope, which only the reading thread's encoder writes), with
    /// commits cutting them often; read back, they hold the same exchanges in the same order as
    /// the summaries of the daemon on one thread.
    @Test func aFleetAgentShipsTheSameExchangesOnTwoThreads() throws {
        // The log in eight appends, a commit after every step.
        let lines = Self.traffic.split(separator: "\n").map { $0 + "\n" }
        let parts = stride(from: 0, to: lines.count, by: lines.count / 8 + 1).map { lines[$0..<min($0 + lines.count / 8 + 1, lines.count)].joined() }
        func shipped(threads: Int) throws -> (records: [[String]], continuing: Int, summaries: Int) {
            try withLog(parts[0]) { dir in
                let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
                var s = settings(dir, threads: threads)
                s.fleet = try FleetSettings(urlText: "postgres://agent@127.0.0.1:1/fleet", agent: "web1", timeoutSeconds: nil)
                let pipeline = IngestPipeline(settings: s, store: store, logger: logger)
                // One batch a step, and a commit after each step accounting to its pass's end and
                // no further: a commit then often comes while the reading thread has already
                // encoded the next pass's blocks in the scope of the summary just cut, and the
                // next summary must start with a preamble of that scope (without one, this fails).
                pipeline.batchesPerStep = 1
                try pipeline.start(now: 0)
                var now = 0.0
                for (i, part) in parts.dropFirst().enumerated() {
                    if i % 2 == 0 { try drive(pipeline, now: &now, flushEvery: 1, stopAt: pipeline.counters.lines + 1) }
                    let log = try #require(FileHandle(forWritingAtPath: dir + "/access.log"))
                    log.seekToEndOfFile()
                    log.write(Data(part.utf8))
                    try log.close()
                    // Read as a pass of its own.
                    usleep(150_000)
                }
                try drive(pipeline, now: &now, flushEvery: 1)
                pipeline.stopReading()
                try pipeline.flush(now: now + 1)
                var records: [[String]] = [], continuing = 0
                let rows = try store.fleetOutbox(limit: 100_000, maxBytes: 1 << 30)
                for row in rows {
                    let bytes = row.summary.bytes
                    let r = try FleetSummaryRecords(bytes)
                    var x = ExchangeView()
                    for i in 0..<r.count {
                        r.read(i, into: &x)
                        records.append([x.client.lossyString, x.method.lossyString, x.path.lossyString, "\(x.status)", "\(x.time)"])
                    }
                    // Walk the block headers: count, length, flags.
                    var at = 16
                    while at + 9 <= bytes.count {
                        let length = Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
                        if bytes[at + 8] & 1 != 0 { continuing += 1 }
                        at += 9 + length
                    }
                    #expect(at == bytes.count)
                }
                return (records, continuing, rows.count)
            }
        }
        let one = try shipped(threads: 1)
        let two = try shipped(threads: 2)
        #expect(one.records.count == Int(Self.lineCount))
        #expect(two.records == one.records)
        #expect(one.continuing == 0, "one thread encodes each summary in a block of its own")
        #expect(two.summaries > 5 && two.continuing > two.summaries, "\(two.continuing) continuing blocks in \(two.summaries) summaries")
    }

    /// SPEC §8: a quiet source moves the model's clock on from the last exchange accounted —
    /// also when a commit accounted it (a commit accounts the rest of the reading pass it
    /// interrupts). A fleet agent's watermark rides on this clock: when it stood still after a
    /// large append, the fleet held that append's last second back for as long as the append
    /// spanned in traffic time.
    @Test func theIdleClockRunsFromWhatACommitAccounted() throws {
        try withLog { dir in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let pipeline = IngestPipeline(settings: settings(dir, threads: 2), store: store, logger: logger)
            // One batch per step, a commit after each step that took one: most of each pass is
            // accounted by the commits.
            pipeline.batchesPerStep = 1
            try pipeline.start(now: 0)
            var now = 0.0
            let deadline = Date().addingTimeInterval(60)
            while pipeline.counters.lines < Self.lineCount, Date() < deadline {
                if pipeline.step(now: now) == 0 { usleep(1000) } else { try pipeline.flush(now: now) }
                now += 0.001
            }
            try #require(pipeline.counters.lines == Self.lineCount)
            let last = pipeline.modelClock
            #expect(last == Int64(1_795_514_400 + 1199) * 1_000_000, "the last line's time")
            // 35 s of nothing (the default bucket is 10 s): the clock is 30 s on at least.
            #expect(pipeline.step(now: now + 35) == 0)
            #expect(pipeline.modelClock >= last + 30_000_000, "idle clock \(pipeline.modelClock - last) µs past the last line")
            pipeline.stopReading()
        }
    }

    /// A commit runs on a thread of its own: with another writer holding the store's database,
    /// `flushIfDue` hands its batch over and returns, and the pipeline goes on accounting (its
    /// lag counting from the lines in the commit still waiting); once the database is free the
    /// commit lands, and the end state is what one thread, committing as it goes, stores.
    /// (Committing on the pipeline's task, `flushIfDue` returned only once the other writer let go.)
    @Test func aCommitWaitingForTheDatabaseDoesNotStopAccounting() throws {
        let one = try run(threads: 1)
        let (cut, head, rest) = Self.firstThird
        let two = try withLog(head) { dir in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let status = LiveStatus()
            let pipeline = IngestPipeline(settings: settings(dir, threads: 2), store: store, logger: logger, status: StatusPublisher(status))
            try pipeline.start(now: 0)
            var now = 0.0
            try drive(pipeline, now: &now, flushEvery: nil, stopAt: UInt64(cut))
            // Another writer takes the database (the store waits up to 10 s for it), and lets go
            // after 1.5 s.
            let other = try DatabaseQueue(path: store.path)
            let locked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            let holder = Thread {
                try? other.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    locked.signal()
                    _ = release.wait(timeout: .now() + 1.5)
                    try db.execute(sql: "COMMIT")
                }
            }
            holder.start()
            locked.wait()
            let started = Date()
            now += 1
            try pipeline.flushIfDue(now: now)
            let handedOver = Date().timeIntervalSince(started)
            #expect(handedOver < 0.75, "flushIfDue waited \(handedOver) s for the other writer")
            pipeline.publishLag(now: now + 0.5)
            #expect(status.snapshot.lagSeconds >= 0.5, "the lines in the commit still waiting are not committed yet")
            // The rest of the log, accounted while the commit waits.
            let log = try #require(FileHandle(forWritingAtPath: dir + "/access.log"))
            try log.seekToEnd()
            try log.write(contentsOf: Data(rest.utf8))
            try log.close()
            let inFlight = pipeline.counters.lines
            let deadline = Date().addingTimeInterval(1)
            while pipeline.counters.lines == inFlight, Date() < deadline {
                if pipeline.step(now: now) == 0 { usleep(1000) }
            }
            #expect(pipeline.counters.lines > inFlight, "accounting went on during the commit")
            release.signal()
            try drive(pipeline, now: &now, flushEvery: nil)
            pipeline.stopReading()
            try pipeline.flush(now: now + 1)
            pipeline.publishLag(now: now + 1)
            #expect(status.snapshot.lagSeconds == 0)
            return try outcome(store, lines: pipeline.counters.lines)
        }
        #expect(two.lines == one.lines)
        #expect(two.routes == one.routes)
        #expect(two.alerts == one.alerts)
        #expect(two.checkpoints == one.checkpoints)
    }
    /// Two sources of different formats: each file's lines go through its own source's decoder
    /// (a JSON line decoded as combined is malformed), on one thread and with a reading thread
    /// (which notices the change of file by the file's serial).
    @Test(arguments: [1, 2]) func eachFileIsDecodedInItsSourcesFormat(threads: Int) throws {
        let combined = (0..<600).map { i in
            "10.0.0.\(i % 7) - - [24/Nov/2026:10:00:\(String(format: "%02d", i % 60)) +0000] \"PUT /api/orders/\(i % 9) HTTP/1.1\" 200 1 \"-\" \"x\"\n"
        }.joined()
        let json = (0..<500).map { i in
            #"{"time_local":"24/Nov/2026:10:00:"# + String(format: "%02d", i % 60)
                + #" +0000","remote_addr":"10.0.1.\#(i % 5)","request":"PATCH /api/carts/\#(i % 4) HTTP/1.1","status":409}"# + "\n"
        }.joined()
        let counts = try withLog(combined) { dir in
            try Data(json.utf8).write(to: URL(fileURLWithPath: dir + "/api.json"))
            var s = settings(dir, threads: threads)
            s.sources.append(.init(pattern: dir + "/api.json", format: .json))
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let pipeline = IngestPipeline(settings: s, store: store, logger: logger)
            try pipeline.start(now: 0)
            var now = 0.0
            try drive(pipeline, now: &now, flushEvery: nil, stopAt: 1100)
            pipeline.stopReading()
            try pipeline.flush(now: now + 1)
            return pipeline.counters
        }
        #expect(counts.lines == 1100)
        #expect(counts.malformed == 0, "\(counts.malformedReasons)")
        #expect(counts.exchanges == 1100)
    }


    /// The first third of the log with a commit after every step, then the rest appended and
    /// committed as soon as one batch of it is accounted, part-way through the reading thread's
    /// pass (the commit must wait for the pass's end or its checkpoint would lag the model), then the pipeline dropped (a kill -9 just after that
    /// commit); a new pipeline resumes from the store. Every line is then counted exactly once.
    @Test func crashAfterAFlushLosesAndRepeatsNothing() throws {
        let one = try run(threads: 1)
        let (cut, head, rest) = Self.firstThird
        let resumed = try withLog(head) { dir in
            var now = 0.0
            do {
                let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
                let first = IngestPipeline(settings: settings(dir, threads: 2), store: store, logger: logger)
                try first.start(now: now)
                try drive(first, now: &now, flushEvery: 1, stopAt: UInt64(cut))
                try first.flush(now: now)
                let log = try #require(FileHandle(forWritingAtPath: dir + "/access.log"))
                try log.seekToEnd()
                try log.write(contentsOf: Data(rest.utf8))
                try log.close()
                first.batchesPerStep = 1
                let deadline = Date().addingTimeInterval(30)
                while first.step(now: now) == 0, Date() < deadline { usleep(200) }
                #expect(first.counters.lines == UInt64(cut), "the step took one batch of the pass, not its end")
                try first.flush(now: now)
            }
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let committed = try #require(try store.checkpoints().first).line
            #expect(committed > Int64(cut))
            let second = IngestPipeline(settings: settings(dir, threads: 2), store: store, logger: logger)
            try second.start(now: now)
            try drive(second, now: &now, flushEvery: 5, stopAt: Self.lineCount - UInt64(committed))
            second.stopReading()
            try second.flush(now: now + 1)
            return try outcome(store, lines: 0)
        }
        #expect(resumed.routes.map(\.route) == one.routes.map(\.route))
        #expect(resumed.routes.map(\.requests) == one.routes.map(\.requests))
        #expect(resumed.routes.map(\.conflicts) == one.routes.map(\.conflicts))
        #expect(resumed.checkpoints == one.checkpoints)
    }
}
