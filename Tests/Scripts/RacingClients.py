#!/usr/bin/env python3
"""Racing API clients for the nginx model test: steady optimistic-locking traffic from several
loopback addresses, then one injected retry storm.

Python 3 standard library only; talks to 127.0.0.1 only; bounded in time and in requests.

    python3 RacingClients.py --port PORT --timeline OUT.json
        [--warmup 24] [--burst 30] [--quiet 10] [--clients 8] [--orders 100]
        [--storm-client 127.0.0.66] [--storm-order 13] [--storm-rate 25] [--seed 7]
        [--bucket 2 --storm-start-phase 1.0 --storm-end-phase 0.6]

Phases (wall clock, from the start):
  0 .. warmup                 steady traffic only: clients 127.0.0.2 ... 127.0.0.(1+clients), each
                              in a loop: read an order (Zipf-ish choice), think 20-100 ms, write it
                              back with the version it read (If-Match for even clients, a JSON
                              "version" for odd ones), pause 100-300 ms; now and then a create with
                              an idempotency key, sometimes a retried (duplicate) one. Writes that
                              lose a race get 412 / 409 from the backend: conflicts come from real
                              overlap, a few per 2 s.
  warmup .. warmup+burst      (with --bucket: the storm starts storm-start-phase seconds into the
                              first epoch-aligned bucket after the warm-up and ends
                              storm-end-phase seconds into a bucket, so whatever the clock, the
                              first and the last storm buckets are partial in the same way)
                              the same, plus the storm: the storm client reads the storm order once,
                              writes it once with that version, then keeps replaying the same write
                              with the now stale If-Match at storm-rate per second (a retry storm:
                              every replay is a 412).
  .. +quiet                   steady traffic only again.

The timeline (wall-clock phase times as epoch seconds, per-client request and status counts,
transport errors) is written to OUT.json. Exit status 0, or 1 when requests failed at the
transport level (the summary says which).
"""

import argparse
import http.client
import json
import math
import os
import random
import sys
import threading
import time

MAX_REQUESTS_PER_CLIENT = 20000


class Client:
    """One keep-alive connection to nginx from a fixed source address, with counters."""

    def __init__(self, ip, port):
        self.ip = ip
        self.port = port
        self.conn = None
        self.requests = 0
        self.statuses = {}
        self.errors = []

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(self.ip, 0))

    def request(self, method, path, body=None, headers=None):
        """Sends one request; returns (status, etag, parsed body) or None after a transport error."""
        if self.requests >= MAX_REQUESTS_PER_CLIENT:
            raise RuntimeError("request budget exhausted")
        headers = dict(headers or {})
        headers.setdefault("User-Agent", "racing-client/1.0 (%s)" % self.ip)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self._connect()
            try:
                self.requests += 1
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                status = response.status
                etag = response.getheader("ETag")
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                return status, etag, parsed
            except (http.client.HTTPException, OSError) as error:
                # A keep-alive connection closed under us: reconnect and send once more.
                self.errors.append("%s %s attempt %d: %r" % (method, path, attempt, error))
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
        return None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def version_of(etag):
    if not etag:
        return None
    try:
        return int(etag.strip().lstrip("W/").strip('"'))
    except ValueError:
        return None


def zipf_picker(rng, n, exponent):
    """A draw of 1...n where rank k has weight 1/k^exponent: a few popular objects, a long tail."""
    cumulative = []
    total = 0.0
    for k in range(1, n + 1):
        total += 1.0 / (k ** exponent)
        cumulative.append(total)
    ids = list(range(1, n + 1))
    return lambda: rng.choices(ids, cum_weights=cumulative)[0]


def steady_client(index, ip, args, deadline, stop_on_error, out):
    rng = random.Random(args.seed * 1000 + index)
    client = Client(ip, args.port)
    pick = zipf_picker(rng, args.orders, args.zipf)
    use_if_match = index % 2 == 0
    last_key = None
    creates = 0
    try:
        while time.time() < deadline and not stop_on_error.is_set():
            oid = pick()
            got = client.request("GET", "/api/orders/%d" % oid)
            if got is None:
                continue
            status, etag, _ = got
            version = version_of(etag)
            if status == 200 and version is not None:
                time.sleep(rng.uniform(0.02, 0.10))  # think: the edit window
                method = rng.choice(("PUT", "PATCH"))
                change = {"status": rng.choice(("open", "paid", "packed", "shipped")), "total": rng.randint(1, 999)}
                if use_if_match:
                    client.request(method, "/api/orders/%d" % oid, body=change, headers={"If-Match": '"%d"' % version})
                else:
                    change["version"] = version
                    client.request(method, "/api/orders/%d" % oid, body=change)
            if rng.random() < 0.05:
                if last_key is not None and rng.random() < 0.1:
                    key = last_key  # a client retrying a create it already made: 409
                else:
                    creates += 1
                    key = "%s-%d" % (ip, creates)
                client.request("POST", "/api/orders", body={"total": rng.randint(1, 999)}, headers={"Idempotency-Key": key})
                last_key = key
            time.sleep(rng.uniform(0.10, 0.30))
    except Exception as error:  # budget exhausted or a bug: stop this client, report it
        client.errors.append("client stopped: %r" % (error,))
    finally:
        client.close()
        out[ip] = client


def replay(client, path, body, headers, rate, going_on, budget):
    """The same stale write, replayed `rate` times a second while `going_on()`, at most `budget` times."""
    interval = 1.0 / rate
    next_at = time.time()
    sent = 0
    while going_on() and sent < budget:
        client.request("PUT", path, body=body, headers=headers)
        sent += 1
        next_at += interval
        pause = next_at - time.time()
        if pause > 0:
            time.sleep(pause)


def storm_client(args, start_at, end_at, out):
    client = Client(args.storm_client, args.port)
    path = "/api/orders/%d" % args.storm_order
    budget = int(args.storm_rate * args.burst) + 10
    try:
        delay = start_at - time.time()
        if delay > 0:
            time.sleep(delay)
        got = client.request("GET", path)
        version = version_of(got[1]) if got is not None else None
        if version is None:
            version = 1
        body = {"status": "cancelled", "total": 0}
        headers = {"If-Match": '"%d"' % version}
        replay(client, path, body, headers, args.storm_rate, lambda: time.time() < end_at, budget)
    except Exception as error:
        client.errors.append("storm stopped: %r" % (error,))
    finally:
        client.close()
        out[args.storm_client] = client


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--timeline", required=True)
    ap.add_argument("--warmup", type=float, default=24)
    ap.add_argument("--burst", type=float, default=30)
    ap.add_argument("--quiet", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--orders", type=int, default=100)
    ap.add_argument("--zipf", type=float, default=1.0)
    ap.add_argument("--storm-client", default="127.0.0.66")
    ap.add_argument("--storm-order", type=int, default=13)
    ap.add_argument("--storm-rate", type=float, default=25)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bucket", type=float, default=0, help="align the storm to epoch buckets of this many seconds")
    ap.add_argument("--storm-start-phase", type=float, default=1.0)
    ap.add_argument("--storm-end-phase", type=float, default=0.6)
    args = ap.parse_args()
    if not 1 <= args.clients <= 8:
        ap.error("--clients must be 1..8 (127.0.0.2 ... 127.0.0.9)")
    if not 0 < args.storm_rate <= 200 or args.burst > 120 or args.warmup > 300 or args.quiet > 120:
        ap.error("storm rate or phases out of bounds")

    start = time.time()
    storm_start = start + args.warmup
    storm_end = storm_start + args.burst
    if args.bucket > 0:
        if not (0 <= args.storm_start_phase < args.bucket and 0 <= args.storm_end_phase < args.bucket):
            ap.error("storm phases must be within one bucket")
        storm_start = math.ceil(storm_start / args.bucket) * args.bucket + args.storm_start_phase
        storm_end = math.floor((storm_start + args.burst) / args.bucket) * args.bucket + args.storm_end_phase
    end = storm_end + args.quiet
    results = {}
    stop_on_error = threading.Event()
    threads = []
    for i in range(args.clients):
        ip = "127.0.0.%d" % (2 + i)
        threads.append(threading.Thread(target=steady_client, args=(i, ip, args, end, stop_on_error, results), daemon=True))
    threads.append(threading.Thread(target=storm_client, args=(args, storm_start, storm_end, results), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, end - time.time() + 30))

    clients = {}
    errors = []
    for ip, c in sorted(results.items()):
        clients[ip] = {"requests": c.requests, "statuses": c.statuses}
        errors += ["%s: %s" % (ip, e) for e in c.errors]
    timeline = {
        "start": start,
        "storm_start": storm_start,
        "storm_end": storm_end,
        "end": time.time(),
        "clients": clients,
        "errors": errors,
        "unfinished_threads": sum(1 for t in threads if t.is_alive()),
    }
    tmp = args.timeline + ".tmp"
    with open(tmp, "w") as f:
        json.dump(timeline, f, indent=1, sort_keys=True)
    os.replace(tmp, args.timeline)
    total = sum(c["requests"] for c in clients.values())
    print("racing clients: %d requests from %d clients in %.1f s, %d transport errors"
          % (total, len(clients), timeline["end"] - start, len(errors)))
    for e in errors[:10]:
        print("  " + e, file=sys.stderr)
    return 1 if errors or timeline["unfinished_threads"] else 0


if __name__ == "__main__":
    sys.exit(main())
