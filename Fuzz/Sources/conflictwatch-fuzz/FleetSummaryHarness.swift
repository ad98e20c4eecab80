import ConflictWatchCore

/// Fleet summaries, which an aggregator reads from PostgreSQL (any agent, any release, any
/// bytes a broken or hostile writer put there). Byte 0 picks what the rest is.
/// Even: a summary's bytes — refused, or read record by record, every view within them.
/// Odd: a sequence of exchanges for the writer — per record a control byte (0xFF: take the
/// summary so far and start the next), a time step (signed 32-bit), status and latency, then a
/// client (length byte), a method (length byte) and a path (16-bit length) — each summary read
/// back must give exactly what was written, in order, with its clock.
enum FleetSummaryHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let mode = data.first else { return }
        let rest = UnsafeRawBufferPointer(rebasing: data[1...])
        if mode & 1 == 0 { read(rest) } else { roundTrip(rest) }
    }

    static func read(_ bytes: UnsafeRawBufferPointer) {
        guard let r = try? FleetSummaryRecords(bytes) else { return }
        var x = ExchangeView()
        for i in 0..<r.count {
            r.read(i, into: &x)
            ViewReader.read(x)
            precondition(r.time(i) == x.time, "a record's time differs between time(i) and read(i)")
        }
    }

    struct Written: Equatable {
        var time: Int64, status: Int32, latency: Int64
        var client: [UInt8], method: [UInt8], path: [UInt8]
    }

    static func roundTrip(_ bytes: UnsafeRawBufferPointer) {
        var input = FuzzInput(bytes)
        var writer = FleetSummaryWriter()
        var pending: [Written] = []
        var time: Int64 = 1_780_000_000_000_000
        var clock: Int64 = 0
        func check() {
            clock += 1
            let summary = writer.take(clock: clock)
            let records: FleetSummaryRecords
            do {
                records = try FleetSummaryRecords(summary.bytes)
            } catch {
                preconditionFailure("the writer's own summary was refused: \(error)")
            }
            precondition(records.count == pending.count && records.clock == clock && summary.count == pending.count,
                         "record count or clock changed on the way")
            var x = ExchangeView()
            for i in 0..<records.count {
                records.read(i, into: &x)
                let got = Written(time: x.time, status: x.status, latency: x.latencyMicros,
                                  client: Array(x.client), method: Array(x.method), path: Array(x.path))
                precondition(got == pending[i], "record \(i) read back differs from what was written")
            }
            pending.removeAll()
        }
        while !input.isAtEnd {
            if input.byte() == 0xFF { check() }
            time &+= Int64(Int32(bitPattern: input.uint32()))
            let status = Int32(input.uint16()) - 1
            let latency = Int64(input.uint32()) - 1
            let client = input.take(Int(input.byte())), method = input.take(Int(input.byte())), path = input.take(input.uint16())
            var x = ExchangeView()
            x.time = time
            x.status = status
            x.latencyMicros = latency
            x.client = client
            x.method = method
            x.path = path
            writer.append(x)
            pending.append(Written(time: time, status: status, latency: latency, client: Array(client), method: Array(method), path: Array(path)))
        }
        check()
    }
}
