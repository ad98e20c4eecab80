import ConflictWatchCore

/// The background processes' clients (bookings, workflow workers, the counter fleet) and the booking rush.
extension SimulationEngine {
    /// Next booking attempt after `t`, by thinning a Poisson process at the highest rate.
    mutating func scheduleBooking(after t0: Int64) {
        let top = max(BookingCalendar.rateAtStart, BookingCalendar.rateAtEnd)
        var t = t0
        while true {
            t += max(1, micros(trendRng.exponential(mean: 1 / top)))
            if t >= end { return }
            if trendRng.unit() * top < calendar.rate(at: Double(t - start) / 1e6) {
                queue.push(.bookingArrival, at: t)
                return
            }
        }
    }

    /// The client looks at the slots and picks the one it wants; it books it after a while.
    mutating func bookingView(client: Int, attempt: Int, at t: Int64, _ out: (SimulatedRequest) -> Void) {
        emit(t, client, "GET", "/api/slots", 200, .ok, route: nil, out)
        let slot = calendar.pick(&trendRng)
        let delay = micros(min(60, trendRng.logNormal(median: 4, sigma: 0.6)))
        queue.push(.bookingPost(client: client, slot: slot, attempt: attempt), at: t + delay)
    }

    /// `POST /api/bookings`: 201, or 409 when the slot was taken meanwhile or before.
    mutating func bookingPost(client: Int, slot: Int, attempt: Int, at t: Int64, _ out: (SimulatedRequest) -> Void) {
        let booked = calendar.book(slot)
        emit(t, client, "POST", "/api/bookings", booked ? 201 : 409, booked ? .ok : .slotTaken, route: nil, out)
        bookings.append((t, !booked))
        if !booked, attempt < BookingCalendar.maxAttempts, trendRng.chance(BookingCalendar.retryProbability) {
            queue.push(.bookingView(client: client, attempt: attempt + 1), at: t + micros(trendRng.uniform(2, 6)))
        }
    }

    /// One rusher's POST for one of the released slots; it stops once it has one, the others
    /// go on until the rush is over.
    mutating func rushPost(_ i: Int, _ k: Int, at t: Int64, _ out: (SimulatedRequest) -> Void) {
        guard case .bookingRush(let b) = plan[i], !runtime[i].booked[k] else { return }
        let rush = plan[..<i].filter { if case .bookingRush = $0 { true } else { false } }.count
        let slots = calendar.released(rush)
        let booked = calendar.book(slots.lowerBound + eventRng.below(slots.count))
        let client = runtime[i].clients[k]
        emit(t, client, "POST", "/api/bookings", booked ? 201 : 409, booked ? .ok : .slotTaken, route: nil, out)
        runtime[i].note(t, conflict: !booked)
        runtime[i].booked[k] = booked
        let next = t + micros(eventRng.uniform(b.interval.lowerBound, b.interval.upperBound))
        if !booked, next < start + micros(b.start + b.seconds) { queue.push(.rushPost(event: i, rusher: k), at: next) }
    }

    /// A worker's next task: a workflow worker takes one of the oldest open items and moves it
    /// on; a counter program increments a counter (read, think, write).
    mutating func workerTask(_ w: Int, at t: Int64) {
        let (client, route) = workers[w]
        let resource: Int
        if route == .workflows {
            guard let item = board.pick(&trendRng) else { return }
            resource = item
        } else {
            resource = catalog.pick(route, &trendRng)
        }
        queue.push(.read(.init(route: route, resource: resource, client: client, version: 0, habit: route.habit, worker: w)), at: t)
    }
}
