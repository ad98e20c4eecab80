#!/usr/bin/env python3
"""Writes a pcap of HTTP/1.1 API traffic for the capture benchmark (python3 stdlib only).

Many concurrent keep-alive connections from distinct clients, interleaved packet by packet as a
busy server's interface would show them: handshake, then per exchange a request segment, a
response segment (head and a JSON body, Content-Length or chunked) and the client's ACK, then
FIN/ACK teardown. Writes (PUT/PATCH/POST/DELETE) on /api/orders/{id} get 409/412 now and then,
so the model has conflicts to find. Deterministic for a seed.

  python3 Benchmarks/generate_pcap.py --out bench.pcap --packets 360000 [--seed 42]
Prints the packet and exchange counts on stdout.
"""
import argparse
import random
import struct

ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
SERVER = bytes([10, 0, 0, 1])


def ip_tcp(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    return ETH + ip + tcp + payload


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--packets", type=int, default=360_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--concurrency", type=int, default=200)
    a = p.parse_args()
    rng = random.Random(a.seed)
    out = open(a.out, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    t = 1_764_000_000_000_000  # µs
    packets = 0
    exchanges = 0

    def write(frame):
        nonlocal packets, t
        t += rng.randint(1, 6)
        out.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
        out.write(frame)
        packets += 1

    agents = [b"curl/8.5.0", b"orders-client/2.3 (+https://example.com)", b"python-requests/2.31.0",
              b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"]
    methods = [b"GET"] * 6 + [b"PUT", b"PATCH", b"POST", b"DELETE"]

    class Conn:
        pass

    next_client = 0

    def open_conn():
        nonlocal next_client
        next_client += 1
        c = Conn()
        c.ip = bytes([10, 1 + (next_client >> 16) % 200, (next_client >> 8) & 0xFF, next_client & 0xFF])
        c.port = 20000 + next_client % 40000
        c.cseq = rng.randrange(1 << 32)
        c.sseq = rng.randrange(1 << 32)
        c.left = rng.randint(20, 80)
        c.agent = rng.choice(agents)
        write(ip_tcp(c.ip, SERVER, c.port, 80, c.cseq, 0, 0x02, b""))
        write(ip_tcp(SERVER, c.ip, 80, c.port, c.sseq, c.cseq + 1, 0x12, b""))
        c.cseq += 1
        c.sseq += 1
        write(ip_tcp(c.ip, SERVER, c.port, 80, c.cseq, c.sseq, 0x10, b""))
        return c

    conns = [open_conn() for _ in range(a.concurrency)]
    while packets < a.packets:
        i = rng.randrange(len(conns))
        c = conns[i]
        m = rng.choice(methods)
        oid = rng.randrange(50_000)
        body = b""
        if m in (b"PUT", b"PATCH", b"POST"):
            body = b'{"status":"paid","version":%d}' % rng.randrange(100)
        path = b"/api/orders" if m == b"POST" else b"/api/orders/%d" % oid
        req = (m + b" " + path + b" HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: " + c.agent +
               b"\r\nAccept: application/json\r\nX-Request-ID: %08x\r\n" % rng.randrange(1 << 32))
        if body:
            req += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        req += b"\r\n" + body
        write(ip_tcp(c.ip, SERVER, c.port, 80, c.cseq, c.sseq, 0x18, req))
        c.cseq += len(req)
        if m == b"GET":
            status = b"200 OK" if rng.random() < 0.95 else b"404 Not Found"
        else:
            r = rng.random()
            status = b"409 Conflict" if r < 0.04 else b"412 Precondition Failed" if r < 0.06 else b"201 Created" if m == b"POST" else b"200 OK"
        payload = b'{"id":%d,"status":"paid","items":[1,2,3],"total":"%d.00"}' % (oid, rng.randrange(1000))
        if rng.random() < 0.2:
            resp = (b"HTTP/1.1 " + status + b"\r\nServer: nginx\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n")
        else:
            resp = (b"HTTP/1.1 " + status + b"\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload)
                    + payload)
        write(ip_tcp(SERVER, c.ip, 80, c.port, c.sseq, c.cseq, 0x18, resp))
        c.sseq += len(resp)
        write(ip_tcp(c.ip, SERVER, c.port, 80, c.cseq, c.sseq, 0x10, b""))
        exchanges += 1
        c.left -= 1
        if c.left == 0:
            write(ip_tcp(c.ip, SERVER, c.port, 80, c.cseq, c.sseq, 0x11, b""))
            write(ip_tcp(SERVER, c.ip, 80, c.port, c.sseq, c.cseq + 1, 0x11, b""))
            write(ip_tcp(c.ip, SERVER, c.port, 80, c.cseq + 1, c.sseq + 1, 0x10, b""))
            conns[i] = open_conn()
    out.close()
    print(f"{packets} packets {exchanges} exchanges")


if __name__ == "__main__":
    main()
