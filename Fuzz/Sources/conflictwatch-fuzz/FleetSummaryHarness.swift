import ConflictWatchCore

/// Fleet summaries, which an aggregator reads from PostgreSQL (any agent, any release, any
/// bytes a broken or hostile writer put there). Byte 0 picks what the rest is.
/// Even: a summary's bytes — refused, or read record by record, every view within them.
/// Odd: a sequence of exchanges for the writer — per record a control byte (0xFF: take the
/// summary so far and start the next; 0xFE: the records after it go into a block encoded apart,
/// as the daemon's reading thread encodes them, until 0xFD or another control byte hands the
/// block to the writer; 0xFC: the encoder starts a new scope), a time step (signed 32-bit),
/// status and latency, then a client (length byte), a method (length byte) and a path (16-bit
/// length) — each summary read back must give exactly what was written, in order, with its
/// clock, whatever mix of blocks, scopes and preambles made it.
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
        var encoder = FleetBlockEncoder()
        var block = FleetSummaryBlock()
        var inBlock = false
        var blockRecords: [Written] = []
        var pending: [Written] = []
        var time: Int64 = 1_780_000_000_000_000
        var clock: Int64 = 0
        func withView(_ w: Written, _ body: (ExchangeView) -> Void) {
            w.client.withUnsafeBytes { c in
                w.method.withUnsafeBytes { m in
                    w.path.withUnsafeBytes { p in
                        var x = ExchangeView()
                        x.time = w.time
                        x.status = w.status
                        x.latencyMicros = w.latency
                        x.client = c
                        x.method = m
                        x.path = p
                        body(x)
                    }
                }
            }
        }
        // The block to the writer, as the daemon's accounting does: whole when it can, else
        // each exchange encoded by the writer.
        func handBlock() {
            guard inBlock else { return }
            inBlock = false
            encoder.end(&block)
            if writer.canAbsorb(block) {
                writer.absorb(block)
            } else {
                for w in blockRecords { withView(w) { writer.append($0) } }
            }
            blockRecords.removeAll()
        }
        func check() {
            handBlock()
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
            switch input.byte() {
            case 0xFF: check()
            case 0xFE:
                handBlock()
                encoder.begin(&block)
                inBlock = true
            case 0xFD: handBlock()
            case 0xFC:
                handBlock()
                encoder.startScope()
            default: break
            }
            time &+= Int64(Int32(bitPattern: input.uint32()))
            let status = Int32(input.uint16()) - 1
            let latency = Int64(input.uint32()) - 1
            let client = input.take(Int(input.byte())), method = input.take(Int(input.byte())), path = input.take(input.uint16())
            let w = Written(time: time, status: status, latency: latency, client: Array(client), method: Array(method), path: Array(path))
            if inBlock {
                withView(w) { encoder.append($0, to: &block) }
                blockRecords.append(w)
            } else {
                withView(w) { writer.append($0) }
            }
            pending.append(w)
        }
        check()
    }
}
