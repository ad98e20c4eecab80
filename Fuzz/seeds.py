#!/usr/bin/env python3
"""Seeds for the fuzzers from the third-party corpus, read in place (never copied into git).

    python3 Fuzz/seeds.py CORPUS_DIR OUT_DIR

writes OUT_DIR/<target>/… for the targets the corpus can seed: the first lines of every
access log (log parsers, nginx log_format, routes), and every pcap split into packets (one
frame per seed for `frame`, windows of consecutive packets for `packets`, the HTTP bytes of
the TCP payloads for `http`, the start of every classic pcap for `pcap-file`). The encodings
match the harnesses in Sources/conflictwatch-fuzz.
A missing corpus writes nothing and is not an error: the committed seeds in Fuzz/Seeds suffice.
"""
import gzip
import hashlib
import os
import re
import struct
import sys

LOG_LINES = 40          # first lines of each log file
LINES_PER_SEED = 8
FRAMES_PER_PCAP = 24    # single-frame seeds per capture
PACKETS_PER_WINDOW = 48
WINDOW_BYTES = 48 << 10  # keeps -max_len (and each execution) small

# Harness link-type indices (LinkTypes.all) by libpcap DLT.
LINK_INDEX = {1: 0, 0: 1, 108: 2, 12: 3, 14: 3, 101: 3, 228: 4, 229: 5, 113: 6, 276: 7, 239: 8}

NGINX_FORMATS = [
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
]
REQUEST_RE = re.compile(rb'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+)')
HTTP_START_RE = re.compile(rb'(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT) \S|HTTP/1\.[01] \d{3}')


def write(out, target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def log_seeds(corpus, out):
    root = os.path.join(corpus, 'logs', 'data')
    n = 0
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            with open(os.path.join(dirpath, name), 'rb') as f:
                lines = [f.readline() for _ in range(LOG_LINES)]
            lines = [l for l in lines if l]
            is_json = sum(l.lstrip().startswith(b'{') for l in lines) > len(lines) // 2
            for i in range(0, len(lines), LINES_PER_SEED):
                chunk = b''.join(lines[i:i + LINES_PER_SEED])
                write(out, 'auto', chunk)
                write(out, 'json' if is_json else 'combined', chunk)
                if not is_json and i == 0:
                    for fmt in NGINX_FORMATS:
                        write(out, 'nginx-format', fmt.encode() + b'\n' + chunk)
                    paths = [m.group(1) for m in REQUEST_RE.finditer(b''.join(lines))]
                    if paths:
                        write(out, 'route', b'\n' + b'\n'.join(paths) + b'\n')
                n += 1
    return n


def read_packets(path):
    """(dlt, [frames]) of a pcap or pcapng file, gzip or not; ([], None) when unreadable."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        try:
            data = gzip.decompress(data)
        except OSError:
            return None, []
    magic = data[:4]
    frames = []
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        dlt = struct.unpack(e + 'I', data[20:24])[0] & 0x0FFFFFFF
        o = 24
        while o + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[o + 8:o + 12])[0]
            frames.append(data[o + 16:o + 16 + incl])
            o += 16 + incl
        return dlt, frames
    if magic == b'\x0a\x0d\x0d\x0a':
        dlts = []
        o = 0
        e = '<'
        dlt = None
        while o + 12 <= len(data):
            btype = struct.unpack(e + 'I', data[o:o + 4])[0]
            if btype == 0x0A0D0D0A:
                e = '<' if data[o + 8:o + 12] == b'\x4d\x3c\x2b\x1a' else '>'
                dlts = []
            blen = struct.unpack(e + 'I', data[o + 4:o + 8])[0]
            if blen < 12:
                break
            body = data[o + 8:o + blen - 4]
            if btype == 1:
                dlts.append(struct.unpack(e + 'H', body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, cap, _ = struct.unpack(e + 'IIIII', body[:20])
                if iface < len(dlts):
                    dlt = dlt if dlt is not None else dlts[iface]
                    if dlts[iface] == dlt:
                        frames.append(body[20:20 + cap])
            elif btype == 3 and dlts:
                dlt = dlt if dlt is not None else dlts[0]
                frames.append(body[4:])
            o += blen
        return dlt, frames
    return None, []


def pcap_seeds(corpus, out):
    root = os.path.join(corpus, 'pcaps')
    n = 0
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if not re.search(r'\.(pcap|pcapng|cap)(\.gz)?$', name):
                continue
            path = os.path.join(dirpath, name)
            # pcap-file: the start of each classic pcap, handed out whole (plan byte 0).
            if not name.endswith('.gz'):
                with open(path, 'rb') as f:
                    head = f.read(8192)
                if head[:4] in (b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d'):
                    write(out, 'pcap-file', b'\x00' + head)
            dlt, frames = read_packets(path)
            if dlt not in LINK_INDEX or not frames:
                continue
            link = LINK_INDEX[dlt]
            for fr in frames[:FRAMES_PER_PCAP]:
                write(out, 'frame', bytes([link]) + fr)
            window, size = [], 0
            windows = 0
            for fr in frames:
                r = struct.pack('!HB', len(fr) & 0xFFFF, 1) + fr[:0xFFFF]
                if window and (len(window) >= PACKETS_PER_WINDOW or size + len(r) > WINDOW_BYTES):
                    write(out, 'packets', bytes([link]) + b''.join(window))
                    window, size = [], 0
                    windows += 1
                    if windows >= 4:
                        break
                window.append(r)
                size += len(r)
            if window and windows < 4:
                write(out, 'packets', bytes([link]) + b''.join(window))
            # HTTP bytes: from the first start line in a frame to its end, requests and
            # responses apart, as if each were one direction's stream.
            streams = {0: b'', 1: b''}
            for fr in frames:
                m = HTTP_START_RE.search(fr)
                if m:
                    role = 1 if fr[m.start():m.start() + 5] == b'HTTP/' else 0
                    if len(streams[role]) < 16 << 10:
                        streams[role] += fr[m.start():]
            for role, s in streams.items():
                if s:
                    write(out, 'http', bytes([role, 0]) + s)
                    write(out, 'http', bytes([role, 3, 0x0C, 0x30, 0xC5]) + s)
            n += 1
    return n


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    if not os.path.isdir(corpus):
        print(f"seeds: no corpus at {corpus}; using Fuzz/Seeds only")
        return
    logs = log_seeds(corpus, out) if os.path.isdir(os.path.join(corpus, 'logs')) else 0
    pcaps = pcap_seeds(corpus, out) if os.path.isdir(os.path.join(corpus, 'pcaps')) else 0
    counts = {t: len(os.listdir(os.path.join(out, t))) for t in sorted(os.listdir(out))} if os.path.isdir(out) else {}
    print(f"seeds: {logs} log chunks, {pcaps} captures from {corpus}: " + ", ".join(f"{t} {c}" for t, c in counts.items()))


if __name__ == '__main__':
    main()
