#!/usr/bin/env python3
"""Appends files to others in step with the wall clock, for the fleet bench's steady phase.

    feed_log.py SECONDS SOURCE TARGET [SOURCE TARGET ...]

Every 20 ms each TARGET gets the whole lines of its SOURCE up to the share of SECONDS gone by,
so all of them are appended evenly over SECONDS: a log of N lines dealt over the sources arrives
at N / SECONDS lines/s in all, as live traffic does, instead of in one append. Prints the bytes
written, the seconds it took and its own CPU seconds on stderr; a tick it could not keep up with
is made up at the next (the bytes due are never dropped).
"""
import mmap
import os
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or len(sys.argv) % 2 != 0:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    seconds = float(sys.argv[1])
    if not seconds > 0:
        print("feed_log.py: SECONDS must be > 0", file=sys.stderr)
        return 2
    pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
    sources, targets = [], []
    for src, dst in pairs:
        with open(src, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            sources.append(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b"")
        targets.append(os.open(dst, os.O_WRONLY | os.O_APPEND))
    sizes = [len(s) for s in sources]
    written = [0] * len(sources)
    tick = 0.02
    start = time.monotonic()
    while True:
        share = min(1.0, (time.monotonic() - start) / seconds)
        for i, src in enumerate(sources):
            due = int(sizes[i] * share)
            if due <= written[i]:
                continue
            # Whole lines only: up to the end of the line the share falls in.
            end = sizes[i] if due >= sizes[i] else src.find(b"\n", due - 1) + 1 or sizes[i]
            view = memoryview(src)[written[i]:end]
            while view:
                n = os.write(targets[i], view)
                view = view[n:]
            written[i] = end
        if all(w >= s for w, s in zip(written, sizes)):
            break
        time.sleep(max(0.0, tick - (time.monotonic() - start) % tick))
    for fd in targets:
        os.close(fd)
    cpu = os.times()
    took = time.monotonic() - start
    print(f"fed {sum(written)} bytes in {took:.3f} s, with {cpu.user + cpu.system:.2f} s of its own CPU", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
