#!/usr/bin/env python3
"""Appends access-log lines to a file at a steady rate for the daemon rotation test.

Behaves like nginx towards rotation: after the file is renamed away it keeps writing the old
descriptor for --reopen-delay seconds, then reopens the path (as nginx does on USR1). Each
batch of writes holds an exclusive flock on --lock, so the test can pause the writer during a
copytruncate (copy + truncate) as logrotate's copytruncate window would be. Prints the number
of lines written when done.
"""
import argparse, fcntl, os, sys, time

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--path", required=True)
    p.add_argument("--lock", required=True)
    p.add_argument("--lines", type=int, required=True)
    p.add_argument("--rate", type=int, default=3000, help="lines per second")
    p.add_argument("--reopen-delay", type=float, default=0.2)
    a = p.parse_args()

    lock = open(a.lock, "a")
    fd = os.open(a.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    rotated_at = None
    written = 0
    batch = max(1, a.rate // 100)
    start = time.monotonic()
    while written < a.lines:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            chunk = []
            for _ in range(min(batch, a.lines - written)):
                n = written + len(chunk)
                t = time.gmtime()
                stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", t)
                status = 409 if n % 10 == 0 else 200
                chunk.append(f'127.0.0.{n % 50 + 1} - - [{stamp}] "PUT /api/orders/{n % 997} HTTP/1.1" {status} 17 "-" "writer/1"\n')
            os.write(fd, "".join(chunk).encode())
            written += len(chunk)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
        # Noticing the rename the way a server eventually does: the path no longer names our file.
        try:
            same = os.stat(a.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            if rotated_at is None:
                rotated_at = time.monotonic()
            elif time.monotonic() - rotated_at >= a.reopen_delay:
                os.close(fd)
                fd = os.open(a.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                rotated_at = None
        due = start + written / a.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    os.close(fd)
    print(written)

if __name__ == "__main__":
    sys.exit(main())
