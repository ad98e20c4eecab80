#!/usr/bin/env python3
"""A tiny order service with real optimistic locking, for the nginx model test.

Python 3 standard library only; listens on 127.0.0.1 only.

    python3 VersionedBackend.py --port-file PORTFILE --counters COUNTERS.json [--orders N]

Resources:
  GET    /api/orders/{id}   the order as JSON, with `ETag: "<version>"`.
  PUT    /api/orders/{id}   replace; PATCH /api/orders/{id} update. The write is checked against
                            the current version: `If-Match: "<v>"` (a stale one -> 412) or, without
                            If-Match, a JSON body carrying `"version": v` (a stale one -> 409).
                            A current version -> 200 and version + 1. Neither -> 428.
  DELETE /api/orders/{id}   same checks as PUT; the order is then gone (404 afterwards).
  POST   /api/orders        create; `Idempotency-Key` already used -> 409, else 201.
  anything else             404.

The check and the update happen under one lock, so two writers racing on the same version get
exactly one 200 and one conflict, as in a real database with a version column.

Counters (per route template: requests, writes, statuses) are written atomically to COUNTERS as
JSON when the process gets SIGTERM or SIGINT, then it exits 0. The port it bound (port 0 -> a
free one) is written to PORTFILE once it accepts connections.
"""

import argparse
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDER_PATH = re.compile(r"^/api/orders/([0-9]+)$")
WRITE_METHODS = {"PUT", "PATCH", "POST", "DELETE"}


class Store:
    def __init__(self, orders):
        self.lock = threading.Lock()
        self.orders = {i: {"id": i, "version": 1, "status": "open", "total": 100 + i} for i in range(1, orders + 1)}
        self.next_id = orders + 1
        self.idempotency_keys = {}
        # route -> {"requests": n, "writes": n, "statuses": {"200": n, ...}}
        self.counters = {}

    def count(self, route, method, status):
        with self.lock:
            c = self.counters.setdefault(route, {"requests": 0, "writes": 0, "statuses": {}})
            c["requests"] += 1
            if method in WRITE_METHODS:
                c["writes"] += 1
            key = str(status)
            c["statuses"][key] = c["statuses"].get(key, 0) + 1

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.counters))


def parse_version(text):
    if text is None:
        return None
    text = text.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        return int(text)
    except ValueError:
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment: no Nagle / delayed-ACK stall of ~40 ms per response.
    disable_nagle_algorithm = True
    wbufsize = -1
    server_version = "VersionedBackend/1.0"
    store = None  # set in main

    def log_message(self, format, *args):  # quiet: nginx keeps the log
        pass

    def reply(self, route, status, body=None, etag=None):
        data = b"" if body is None else json.dumps(body).encode()
        # Counted before the response leaves, so every response nginx logs is already counted.
        self.store.count(route, self.command, status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if etag is not None:
            self.send_header("ETag", '"%d"' % etag)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if not raw:
            return {}
        try:
            value = json.loads(raw)
            return value if isinstance(value, dict) else {}
        except ValueError:
            return {}

    def handle_any(self):
        path = self.path.split("?", 1)[0]
        body = self.read_body() if self.command in ("PUT", "PATCH", "POST", "DELETE") else {}
        store = self.store
        if path == "/api/orders":
            route = "/api/orders"
            if self.command != "POST":
                return self.reply(route, 405, {"error": "method not allowed"})
            key = self.headers.get("Idempotency-Key")
            with store.lock:
                if key is not None and key in store.idempotency_keys:
                    existing = store.idempotency_keys[key]
                    conflict = True
                else:
                    oid = store.next_id
                    store.next_id += 1
                    order = {"id": oid, "version": 1, "status": "open", "total": body.get("total", 0)}
                    store.orders[oid] = order
                    if key is not None:
                        store.idempotency_keys[key] = oid
                    conflict = False
            if conflict:
                return self.reply(route, 409, {"error": "duplicate idempotency key", "id": existing})
            return self.reply(route, 201, order, etag=1)

        match = ORDER_PATH.match(path)
        if match is None:
            return self.reply("other", 404, {"error": "not found"})
        route = "/api/orders/{id}"
        oid = int(match.group(1))
        if self.command in ("GET", "HEAD"):
            with store.lock:
                order = store.orders.get(oid)
                order = dict(order) if order is not None else None
            if order is None:
                return self.reply(route, 404, {"error": "no such order"})
            return self.reply(route, 200, order, etag=order["version"])
        if self.command not in ("PUT", "PATCH", "DELETE"):
            return self.reply(route, 405, {"error": "method not allowed"})

        if_match = self.headers.get("If-Match")
        wanted = parse_version(if_match)
        via_header = if_match is not None
        if not via_header:
            wanted = body.get("version") if isinstance(body.get("version"), int) else None
        with store.lock:
            order = store.orders.get(oid)
            if order is None:
                status, result = 404, {"error": "no such order"}
            elif wanted is None:
                status, result = 428, {"error": "send If-Match or a version"}
            elif wanted != order["version"]:
                # A stale precondition header is 412; a stale version in the body is 409.
                status = 412 if via_header else 409
                result = {"error": "stale version", "current": order["version"]}
            else:
                if self.command == "DELETE":
                    del store.orders[oid]
                    status, result = 200, {"deleted": oid}
                else:
                    for k, v in body.items():
                        if k not in ("id", "version"):
                            order[k] = v
                    order["version"] += 1
                    status, result = 200, dict(order)
        etag = result.get("version") if status == 200 else None
        return self.reply(route, status, result, etag=etag)

    do_GET = do_HEAD = do_PUT = do_PATCH = do_POST = do_DELETE = handle_any


def write_atomically(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--counters", required=True)
    ap.add_argument("--orders", type=int, default=100)
    ap.add_argument("--max-seconds", type=float, default=600, help="exit on its own after this long")
    args = ap.parse_args()

    Handler.store = Store(args.orders)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128

    stopping = threading.Event()

    def stop(*_):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent may start us with these signals blocked (the mask is inherited through spawn).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    # Never outlive a test that forgot us.
    timer = threading.Timer(args.max_seconds, stop)
    timer.daemon = True
    timer.start()

    write_atomically(args.port_file, {"port": server.server_address[1], "pid": os.getpid()})
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        write_atomically(args.counters, Handler.store.snapshot())
    return 0


if __name__ == "__main__":
    sys.exit(main())
