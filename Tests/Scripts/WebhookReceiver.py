#!/usr/bin/env python3
"""A webhook receiver for the daemon's tests: answers the first --fail POSTs with 503, then 200
(404 on --reject-path; never, for a body containing --hang-match), and appends every POST
(path, event headers, arrival time, body) as one JSON line to --out. Listens on --port
(default 0: any free port; a restarted receiver can take the port its predecessor had) and
writes the port to --port-file once listening."""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
parser.add_argument("--port-file", required=True)
parser.add_argument("--fail", type=int, default=0)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--reject-path", default=None)
parser.add_argument("--hang-match", default=None, help="POSTs whose body contains this are read and never answered")
args = parser.parse_args()
lock = threading.Lock()
remaining = [args.fail]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if args.hang_match is not None and args.hang_match.encode() in body:
            with lock, open(args.out, "a") as f:
                f.write(json.dumps({"answered": None, "path": self.path, "time": time.time(), "body": json.loads(body)}) + "\n")
            time.sleep(3600)
            return
        with lock:
            failing = remaining[0] > 0
            if failing:
                remaining[0] -= 1
            status = 503 if failing else 200
            if args.reject_path is not None and self.path == args.reject_path:
                status = 404
            with open(args.out, "a") as f:
                f.write(json.dumps({
                    "answered": status,
                    "time": time.time(),
                    "path": self.path,
                    "event_header": self.headers.get("X-Conflictwatch-Event"),
                    "event_id_header": self.headers.get("X-Conflictwatch-Event-Id"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": json.loads(body),
                }) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


ThreadingHTTPServer.allow_reuse_address = True
server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
