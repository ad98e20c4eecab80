#!/usr/bin/env python3
"""A tiny service with real optimistic locking, for the nginx model tests.

Python 3 standard library only; listens on 127.0.0.1 only.

    python3 VersionedBackend.py --port-file PORTFILE --counters COUNTERS.json [--orders N]
    python3 VersionedBackend.py --api ledger ...
    python3 VersionedBackend.py --api documents [--documents N] [--contracts N] [--locked-every K] ...

One API per process (`--api`, default `orders`), so a test can put two unrelated services behind
one nginx.

orders:
  GET    /api/orders/{id}   the order as JSON, with `ETag: "<version>"`.
  PUT    /api/orders/{id}   replace; PATCH /api/orders/{id} update. The write is checked against
                            the current version: `If-Match: "<v>"` (a stale one -> 412) or, without
                            If-Match, a JSON body carrying `"version": v` (a stale one -> 409).
                            A current version -> 200 and version + 1. Neither -> 428.
  DELETE /api/orders/{id}   same checks as PUT; the order is then gone (404 afterwards).
  POST   /api/orders        create; `Idempotency-Key` already used -> 409, else 201.
  anything else             404.

ledger (accounts are made on first use, for any UUID):
  GET    /v2/accounts/{uuid}/ledger   the balance, with `ETag: "<version>"`.
  PUT    /v2/accounts/{uuid}/ledger   `If-Match` required: stale -> 412, missing -> 428.

documents:
  GET    /api/documents/{id}, /api/contracts/{id}   the document as JSON, with its version.
  PATCH  /api/documents/{id}    a JSON "version" required: stale -> 409, missing -> 428.
  PATCH  /api/contracts/{id}    the same checks, but a contract whose id is a multiple of
                                --locked-every is signed: every write to it is refused with 409
                                (a lock, not a race: nothing a retry or a fresher version fixes).

Admin, sent to the backend's own port (nginx does not proxy /admin/), not counted:
  POST   /admin/fault   {"route": TEMPLATE, "rate": r}: from now on a write to that route answers
                        409 with probability r before any version check, as a bad deploy would;
                        rate 0 ends it. Answers 204.

The check and the update happen under one lock, so two writers racing on the same version get
exactly one 200 and one conflict, as in a real database with a version column.

Counters (per route template: requests, writes, statuses) are written atomically to COUNTERS as
JSON when the process gets SIGTERM or SIGINT, then it exits 0. The port it bound (port 0 -> a
free one) is written to PORTFILE once it accepts connections.
"""

import argparse
import json
import os
import random
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDER_PATH = re.compile(r"^/api/orders/([0-9]+)$")
LEDGER_PATH = re.compile(r"^/v2/accounts/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/ledger$")
DOCUMENT_PATH = re.compile(r"^/api/(documents|contracts)/([0-9]+)$")
WRITE_METHODS = {"PUT", "PATCH", "POST", "DELETE"}


class Store:
    def __init__(self, orders, documents=0, contracts=0, locked_every=0, seed=1):
        self.lock = threading.Lock()
        self.orders = {i: {"id": i, "version": 1, "status": "open", "total": 100 + i} for i in range(1, orders + 1)}
        self.next_id = orders + 1
        self.idempotency_keys = {}
        self.accounts = {}
        self.documents = {i: {"id": i, "version": 1, "title": "doc %d" % i} for i in range(1, documents + 1)}
        self.contracts = {i: {"id": i, "version": 1, "signed": locked_every > 0 and i % locked_every == 0}
                          for i in range(1, contracts + 1)}
        # route template -> probability that a write is refused regardless of its version
        self.faults = {}
        self.fault_rng = random.Random(seed)
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
    api = "orders"

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
        if path.startswith("/admin/"):
            return self.handle_admin(path)
        body = self.read_body() if self.command in ("PUT", "PATCH", "POST", "DELETE") else {}
        return API_HANDLERS[self.api](self, path, body)

    def handle_orders(self, path, body):
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
        return self.versioned("/api/orders/{id}", store.orders, int(match.group(1)), body,
                              ("PUT", "PATCH", "DELETE"), header=True, in_body=True)

    def handle_ledger(self, path, body):
        match = LEDGER_PATH.match(path)
        if match is None:
            return self.reply("other", 404, {"error": "not found"})
        account = match.group(1)
        with self.store.lock:
            self.store.accounts.setdefault(account, {"account": account, "version": 1, "balance": 0})
        return self.versioned("/v2/accounts/{uuid}/ledger", self.store.accounts, account, body,
                              ("PUT",), header=True, in_body=False)

    def handle_documents(self, path, body):
        match = DOCUMENT_PATH.match(path)
        if match is None:
            return self.reply("other", 404, {"error": "not found"})
        kind, key = match.group(1), int(match.group(2))
        table = self.store.documents if kind == "documents" else self.store.contracts
        return self.versioned("/api/%s/{id}" % kind, table, key, body,
                              ("PATCH",), header=False, in_body=True)

    def handle_admin(self, path):
        body = self.read_body()
        if path != "/admin/fault" or self.command != "POST" or not isinstance(body.get("route"), str):
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        rate = float(body.get("rate") or 0)
        with self.store.lock:
            if rate > 0:
                self.store.faults[body["route"]] = rate
            else:
                self.store.faults.pop(body["route"], None)
        self.send_response(204)
        self.end_headers()

    def versioned(self, route, table, key, body, write_methods, header, in_body):
        """GET returns the record with its version as ETag; a write must name the current version
        (If-Match when `header`, a JSON "version" when `in_body`). The check and the update happen
        under the store's lock."""
        store = self.store
        if self.command in ("GET", "HEAD"):
            with store.lock:
                record = table.get(key)
                record = dict(record) if record is not None else None
            if record is None:
                return self.reply(route, 404, {"error": "not found"})
            return self.reply(route, 200, record, etag=record["version"])
        if self.command not in write_methods:
            return self.reply(route, 405, {"error": "method not allowed"})

        if_match = self.headers.get("If-Match") if header else None
        wanted = parse_version(if_match)
        via_header = if_match is not None
        if not via_header and in_body:
            wanted = body.get("version") if isinstance(body.get("version"), int) else None
        with store.lock:
            record = table.get(key)
            fault = store.faults.get(route, 0)
            if record is None:
                status, result = 404, {"error": "not found"}
            elif wanted is None:
                status, result = 428, {"error": "send %s" % ("If-Match" if not in_body else
                                                             "a version" if not header else "If-Match or a version")}
            elif fault > 0 and store.fault_rng.random() < fault:
                status, result = 409, {"error": "conflict", "current": record["version"]}
            elif record.get("signed"):
                status, result = 409, {"error": "signed: locked for writing", "current": record["version"]}
            elif wanted != record["version"]:
                # A stale precondition header is 412; a stale version in the body is 409.
                status = 412 if via_header else 409
                result = {"error": "stale version", "current": record["version"]}
            else:
                if self.command == "DELETE":
                    del table[key]
                    status, result = 200, {"deleted": key}
                else:
                    for k, v in body.items():
                        if k not in ("id", "version", "account", "signed"):
                            record[k] = v
                    record["version"] += 1
                    status, result = 200, dict(record)
        etag = result.get("version") if status == 200 else None
        return self.reply(route, status, result, etag=etag)

    do_GET = do_HEAD = do_PUT = do_PATCH = do_POST = do_DELETE = handle_any


API_HANDLERS = {"orders": Handler.handle_orders, "ledger": Handler.handle_ledger, "documents": Handler.handle_documents}


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
    ap.add_argument("--api", choices=sorted(API_HANDLERS), default="orders")
    ap.add_argument("--orders", type=int, default=100)
    ap.add_argument("--documents", type=int, default=60)
    ap.add_argument("--contracts", type=int, default=36)
    ap.add_argument("--locked-every", type=int, default=18, help="contracts whose id is a multiple of this are signed")
    ap.add_argument("--seed", type=int, default=1, help="seeds the injected faults")
    ap.add_argument("--max-seconds", type=float, default=600, help="exit on its own after this long")
    args = ap.parse_args()

    Handler.store = Store(args.orders, args.documents, args.contracts, args.locked_every, args.seed)
    Handler.api = args.api
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
