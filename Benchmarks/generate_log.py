#!/usr/bin/env python3
"""Deterministic generator of an nginx `combined` access log for the conflictwatch benchmark.

The traffic is an API under write load:

* ~70% GET, ~30% writes (PUT, PATCH, POST, DELETE);
* routes /api/orders/{id}, /api/orders (create), /api/users/{uuid}/cart, /api/items/{24-hex},
  /api/carts/{mixed token}, /static/app.js, /healthz, /api/v1/search?q=...;
* query strings on ~20% of lines;
* ~10% IPv6 clients (2001:db8::/32), the rest IPv4 from a few thousand addresses (skewed);
* statuses mostly 200/201/204/304/404, ~2% 409 and ~0.5% 412, concentrated on writes to a few hot
  resources (plus a thin background on ordinary writes), and a couple of short retry storms;
* body sizes, sometimes `-`; referers "-" or URLs; real-looking user agents, a few containing
  escaped quotes (Apache-style `\\"` and nginx-style `\\x22`);
* times increasing monotonically over `--span` seconds (default one day) at a fixed zone offset.

`--resources R` is the number of distinct order ids. Every one of them appears at least once as long
as the log has enough order lines (about 26% of all lines are /api/orders/{id} lines), so
`--lines 10000000 --resources 2000000` gives a log with >= 2,000,000 distinct resources (the memory
target of SPEC section 11). The generator prints a short mix summary to stderr.

`--format` picks how the same traffic is written (the random choices, hence the requests, are
identical for every format; only the line layout differs):

* `combined` (default): nginx/Apache `combined`;
* `json`: one JSON object per line as nginx writes it with
  `log_format bench_json escape=json '{...}'` (see JSON_LOG_FORMAT): every value a string,
  `$time_iso8601` for the time, absent values (`-` in combined) as empty strings, quotes in the
  user agent escaped JSON-style;
* `custom`: nginx's `main` format from the stock nginx.conf (CUSTOM_LOG_FORMAT: combined plus
  `"$http_x_forwarded_for"`), with quotes in the user agent written `\x22` as nginx does.

Python 3 standard library only; same --seed and options give a byte-identical file.
"""

import argparse
import datetime as _dt
import os
import random
import sys
import time

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

USER_AGENTS = [
    # (user agent as written in the log, weight)
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36", 18),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4.1 Safari/605.1.15", 8),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 6),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4 Mobile/15E148 Safari/604.1", 8),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.6367.82 Mobile Safari/537.36", 6),
    ("python-requests/2.31.0", 12),
    ("python-requests/2.28.2", 3),
    ("curl/8.5.0", 8),
    ("curl/7.88.1", 4),
    ("Go-http-client/1.1", 7),
    ("okhttp/4.12.0", 6),
    ("axios/1.6.8", 5),
    ("Apache-HttpClient/4.5.14 (Java/17.0.10)", 3),
    ("PostmanRuntime/7.37.3", 1),
    ("-", 1),
    # escaped quotes: Apache writes \" , nginx writes \x22
    ('Mozilla/5.0 (compatible; \\"InventorySync\\"/2.1; +https://partner.example.net/bot)', 1),
    ('checkout-worker/3.4 (build \\"2024.05.1\\")', 1),
    ("Mozilla/5.0 (compatible; \\x22Monitor\\x22/1.0)", 1),
]
PROBE_UA = "kube-probe/1.29"

REFERERS = [
    ("-", 62),
    ("https://shop.example.com/", 8),
    ("https://shop.example.com/cart", 7),
    ("https://shop.example.com/checkout?step=2", 5),
    ("https://shop.example.com/orders", 6),
    ("https://shop.example.com/search?q=red+shoes", 4),
    ("https://admin.example.com/orders?status=open&page=3", 4),
    ("https://www.google.com/", 2),
    ("android-app://com.example.shop/", 2),
]

SEARCH_TERMS = [
    "shoes", "red+shoes", "laptop", "usb-c+cable", "coffee", "desk+lamp", "t-shirt", "headphones",
    "caf%C3%A9", "gift+card", "socks", "backpack", "monitor+27", "phone+case", "water+bottle",
    "%22quoted%22", "size%3A42", "kids", "sale", "book",
]
API_QUERIES = [
    "page=2", "page=3&limit=50", "limit=100", "expand=items", "fields=id,status,total",
    "include=lines&currency=EUR", "sort=-created_at", "v=2", "lang=de", "cursor=eyJpZCI6MTIzfQ%3D%3D",
]
STATIC_QUERIES = ["v=3f9a1c2", "v=3f9a1c2", "v=8be04d1", "cb=1716290000"]

# The nginx log_format strings the json and custom outputs follow (Benchmarks/run.sh passes
# CUSTOM_LOG_FORMAT to `analyze --log-format`; --print-log-format prints it).
JSON_LOG_FORMAT = (
    "log_format bench_json escape=json '{\"time_iso8601\":\"$time_iso8601\",\"remote_addr\":\"$remote_addr\","
    "\"remote_user\":\"$remote_user\",\"request\":\"$request\",\"status\":\"$status\","
    "\"body_bytes_sent\":\"$body_bytes_sent\",\"http_referer\":\"$http_referer\","
    "\"http_user_agent\":\"$http_user_agent\"}';")
CUSTOM_LOG_FORMAT = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                     '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"')

# Raised whenever the output for given options changes (Benchmarks/run.sh keys its cached logs on it).
OUTPUT_VERSION = 1

TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Write a deterministic nginx combined access log for the conflictwatch benchmark.")
    p.add_argument("--lines", type=int, default=2_000_000, help="number of lines (default 2000000)")
    p.add_argument("--out", default="-", help="output file (default stdout); written atomically")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--resources", type=int, default=50_000,
                   help="distinct order ids /api/orders/{id} (default 50000)")
    p.add_argument("--start", default="2026-11-24T00:00:00+01:00",
                   help="time of the first line, ISO 8601 with offset (default 2026-11-24T00:00:00+01:00)")
    p.add_argument("--span", type=int, default=86_400,
                   help="seconds between the first and the last line (default 86400, one day)")
    p.add_argument("--format", choices=("combined", "json", "custom"), default="combined",
                   help="line layout of the same traffic: combined (default), json (nginx escape=json "
                        "object per line) or custom (nginx's 'main' log_format)")
    p.add_argument("--print-log-format", action="store_true",
                   help="print the nginx log_format string of --format custom (for analyze --log-format) and exit")
    p.add_argument("--output-version", action="store_true",
                   help="print the output version (raised whenever the output for given options changes) and exit")
    p.add_argument("--quiet", action="store_true", help="no summary on stderr")
    a = p.parse_args(argv)
    if a.print_log_format:
        print(CUSTOM_LOG_FORMAT)
        sys.exit(0)
    if a.output_version:
        print(OUTPUT_VERSION)
        sys.exit(0)
    if a.lines < 0:
        p.error("--lines must be >= 0")
    if a.resources < 1:
        p.error("--resources must be >= 1")
    if a.span < 0:
        p.error("--span must be >= 0")
    return a


def _weighted_pool(rng, items_weights, size):
    items = [x for x, _ in items_weights]
    weights = [w for _, w in items_weights]
    return rng.choices(items, weights=weights, k=size)


def _coprime_step(n, rng):
    """A multiplier coprime to n, for an affine permutation of range(n)."""
    import math
    if n <= 2:
        return 1
    while True:
        a = rng.randrange(n // 3, n) | 1
        if math.gcd(a, n) == 1:
            return a


def build_clients(rng):
    """Few thousand IPv4 clients with a skewed (Zipf-like) popularity; ~10% of lines IPv6."""
    v4 = set()
    prefixes = ["10.%d" % rng.randrange(0, 256) for _ in range(6)] + \
               ["172.%d" % rng.randrange(16, 32) for _ in range(3)] + ["192.168"] + \
               ["%d.%d" % (rng.choice((31, 46, 62, 78, 81, 85, 89, 91, 93, 94, 176, 185, 188, 203, 213)),
                           rng.randrange(0, 256)) for _ in range(40)]
    while len(v4) < 3000:
        v4.add("%s.%d.%d" % (rng.choice(prefixes), rng.randrange(0, 256), rng.randrange(1, 255)))
    v4 = sorted(v4)
    rng.shuffle(v4)
    v6 = set()
    while len(v6) < 400:
        kind = rng.random()
        if kind < 0.5:
            v6.add("2001:db8:%x:%x::%x" % (rng.randrange(0, 0x10000), rng.randrange(0, 0x100),
                                           rng.randrange(1, 0x10000)))
        elif kind < 0.8:
            v6.add("2001:db8::%x:%x" % (rng.randrange(1, 0x10000), rng.randrange(1, 0x10000)))
        else:
            v6.add("2001:db8:85a3:%x:%x:8a2e:%x:%x" % (rng.randrange(0, 0x10000), rng.randrange(0, 0x10000),
                                                       rng.randrange(0, 0x10000), rng.randrange(1, 0x10000)))
    v6 = sorted(v6)
    rng.shuffle(v6)
    v4w = [1.0 / (i + 1) ** 0.8 for i in range(len(v4))]
    v6w = [1.0 / (i + 1) ** 0.8 for i in range(len(v6))]
    s4, s6 = sum(v4w), sum(v6w)
    clients = v4 + v6
    weights = [w / s4 * 0.894 for w in v4w] + [w / s6 * 0.106 for w in v6w]
    return clients, weights


def uuid_like(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-%x%s-%s" % (h[0:8], h[8:12], h[13:16], 8 + (int(h[16], 16) & 3), h[17:20], h[20:32])


def token_like(rng):
    # mixed letters and digits, e.g. aB3dE9xQ2 (always at least one digit and one letter)
    n = rng.randrange(8, 13)
    t = [rng.choice(TOKEN_ALPHABET) for _ in range(n)]
    t[rng.randrange(n)] = rng.choice("0123456789")
    t[rng.randrange(n)] = rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return "".join(t)


def _raw_value(v):
    """A quoted combined field's value as the client sent it: Apache's \\" and nginx's \\x22 are a quote."""
    return v.replace('\\"', '"').replace("\\x22", '"')


def _json_str(v):
    """A value as nginx's escape=json writes it (without the surrounding quotes); "-" (absent) is ""."""
    if v == "-":
        return ""
    v = _raw_value(v)
    out = []
    for ch in v:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out)


def _nginx_str(v):
    """A quoted value as nginx's default escaping writes it: a quote is \\x22."""
    return v if v == "-" else _raw_value(v).replace('"', "\\x22")


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.monotonic()
    rng = random.Random(a.seed)
    N = a.lines
    R = a.resources

    try:
        start = _dt.datetime.fromisoformat(a.start)
    except ValueError:
        sys.exit("generate_log.py: --start must be ISO 8601, e.g. 2026-11-24T00:00:00+01:00")
    if start.tzinfo is None:
        start = start.replace(tzinfo=_dt.timezone(_dt.timedelta(hours=1)))
    off = start.utcoffset()
    off_min = int(off.total_seconds() // 60)
    zone = "%s%02d%02d" % ("-" if off_min < 0 else "+", abs(off_min) // 60, abs(off_min) % 60)

    # ---- pools -----------------------------------------------------------------------------
    clients, client_w = build_clients(rng)
    users = [uuid_like(rng) for _ in range(20_000)]
    items = ["%024x" % rng.getrandbits(96) for _ in range(30_000)]
    carts = [token_like(rng) for _ in range(25_000)]
    ua_items = [u for u, _ in USER_AGENTS]
    ua_w = [w for _, w in USER_AGENTS]
    ref_items = [r for r, _ in REFERERS]
    ref_w = [w for _, w in REFERERS]

    # Hot resources: few objects many clients write at once; they carry most of the conflicts.
    hot_orders = [1 + rng.randrange(R) for _ in range(6)]
    hot = (["/api/orders/%d" % (100000 + i) for i in hot_orders] +
           ["/api/items/%s" % items[i] for i in range(3)] +
           ["/api/carts/%s" % carts[i] for i in range(3)] +
           ["/api/users/%s/cart" % users[i] for i in range(2)])
    hot_w = [1.0 / (i + 1) ** 0.7 for i in range(len(hot))]
    # hot writers: a few dozen clients (workers, mobile apps) hammer the hot objects
    hot_writers = [clients[rng.randrange(0, 200)] for _ in range(40)]

    # Retry storms: one client replaying a stale version against one resource for a few minutes.
    storms = []
    if N >= 50_000:
        for k in range(2):
            s_line = int(N * (0.3 + 0.35 * k))
            storms.append((s_line, s_line + max(200, N // 400),
                           hot[rng.randrange(len(hot))] if k == 0 else "/api/orders/%d" % (100000 + 1 + rng.randrange(R)),
                           clients[rng.randrange(3000, len(clients))] if k == 0 else clients[rng.randrange(0, 3000)],
                           "412" if k == 0 else "409"))

    # Order ids: a permutation of 1..R introduces every id (fresh ids) interleaved with re-use
    # of already seen ids (skewed towards recent ones: read, then edit).
    order_lines_expected = max(1.0, N * 0.26)
    p_fresh = min(1.0, 1.03 * R / order_lines_expected)
    perm_a = _coprime_step(R, rng)
    perm_b = rng.randrange(R)
    introduced = 0

    # ---- per-second time strings ------------------------------------------------------------
    span = a.span
    ts_cache = {}

    def ts(sec):
        s = ts_cache.get(sec)
        if s is None:
            d = start + _dt.timedelta(seconds=sec)
            s = "[%02d/%s/%04d:%02d:%02d:%02d %s]" % (d.day, MONTHS[d.month - 1], d.year,
                                                      d.hour, d.minute, d.second, zone)
            ts_cache[sec] = s
        return s

    # ---- the other layouts (same values, other text) ----------------------------------------
    iso_cache = {}

    def ts_iso(sec):
        s = iso_cache.get(sec)
        if s is None:
            d = start + _dt.timedelta(seconds=sec)
            s = "%04d-%02d-%02dT%02d:%02d:%02d%s:%s" % (d.year, d.month, d.day, d.hour, d.minute, d.second,
                                                       zone[:3], zone[3:])
            iso_cache[sec] = s
        return s

    json_cache = {}   # user agents, referers and users repeat: escape each once

    def js(v):
        e = json_cache.get(v)
        if e is None:
            e = _json_str(v)
            json_cache[v] = e
        return e

    ngx_cache = {}

    def ngx(v):
        e = ngx_cache.get(v)
        if e is None:
            e = _nginx_str(v)
            ngx_cache[v] = e
        return e

    def json_line(client, user, sec, method, target, proto, status, size, ref, ua):
        return ('{"time_iso8601":"%s","remote_addr":"%s","remote_user":"%s","request":"%s %s %s",'
                '"status":"%s","body_bytes_sent":"%s","http_referer":"%s","http_user_agent":"%s"}\n' % (
                    ts_iso(sec), client, js(user), method, target, proto, status, js(size), js(ref), js(ua)))

    def custom_line(client, user, sec, method, target, proto, status, size, ref, ua):
        return '%s - %s %s "%s %s %s" %s %s "%s" "%s" "-"\n' % (
            client, user, ts(sec), method, target, proto, status, size, ngx(ref), ngx(ua))

    other_line = {"combined": None, "json": json_line, "custom": custom_line}[a.format]

    # ---- output ---------------------------------------------------------------------------
    if a.out == "-":
        out = sys.stdout.buffer
        tmp = None
    else:
        d = os.path.dirname(os.path.abspath(a.out))
        os.makedirs(d, exist_ok=True)
        tmp = a.out + ".tmp.%d" % os.getpid()
        out = open(tmp, "wb", buffering=8 << 20)

    stats = {"GET": 0, "write": 0, "409": 0, "412": 0, "query": 0, "v6": 0, "dash_bytes": 0}
    distinct_orders = set() if not a.quiet and N <= 20_000_000 else None
    rand = rng.random
    randrange = rng.randrange
    choices = rng.choices

    def order_path():
        """An order's path: a new order with probability p_fresh (until all R exist), else a
        recent one, recency-weighted (reads and writes share this, so hot orders are both)."""
        nonlocal introduced
        if rand() < p_fresh and introduced < R:
            k = introduced
            introduced += 1
        elif introduced:
            k = introduced - 1 - int(introduced * rand() ** 3)
        else:
            k = 0
            introduced = 1
        oid = 100000 + (perm_a * k + perm_b) % R + 1
        if distinct_orders is not None:
            distinct_orders.add(oid)
        return "/api/orders/%d" % oid
    CHUNK = 50_000
    v6_set = None
    i = 0
    try:
        while i < N:
            n = min(CHUNK, N - i)
            c_cli = choices(clients, weights=client_w, k=n)
            c_ua = choices(ua_items, weights=ua_w, k=n)
            c_ref = choices(ref_items, weights=ref_w, k=n)
            c_hot = choices(hot, weights=hot_w, k=n)
            buf = []
            app = buf.append
            for j in range(n):
                li = i + j
                sec = (li * span) // N if N > 1 else 0
                r = rand()
                client = c_cli[j]
                ua = c_ua[j]
                ref = c_ref[j]
                query = None
                proto = "HTTP/1.1"
                user = "-"
                status = None
                conflict_status = None

                storm = None
                for st in storms:
                    if st[0] <= li < st[1] and (li & 1) == 0:
                        storm = st
                        break

                if storm is not None:
                    method = "PUT"
                    path = storm[2]
                    client = storm[3]
                    ua = "python-requests/2.31.0"
                    ref = "-"
                    status = storm[4] if rand() < 0.9 else "200"
                elif r < 0.70:
                    # ---------------- GET ----------------
                    method = "GET"
                    g = rand()
                    if g < 0.30:
                        if rand() < 0.08:
                            path = c_hot[j]
                        else:
                            path = order_path()
                        if rand() < 0.12:
                            query = API_QUERIES[randrange(len(API_QUERIES))]
                    elif g < 0.40:
                        path = "/api/orders"
                        if rand() < 0.6:
                            query = API_QUERIES[randrange(len(API_QUERIES))]
                    elif g < 0.52:
                        path = "/api/users/%s/cart" % users[randrange(len(users))]
                    elif g < 0.64:
                        path = "/api/items/%s" % items[randrange(len(items))]
                        if rand() < 0.1:
                            query = "fields=id,price,stock"
                    elif g < 0.72:
                        path = "/api/carts/%s" % carts[randrange(len(carts))]
                    elif g < 0.82:
                        path = "/static/app.js"
                        if rand() < 0.45:
                            query = STATIC_QUERIES[randrange(len(STATIC_QUERIES))]
                    elif g < 0.90:
                        path = "/healthz"
                        ua = PROBE_UA
                        ref = "-"
                        client = "10.0.0.%d" % (1 + (li % 3))
                        proto = "HTTP/1.1"
                    else:
                        path = "/api/v1/search"
                        q = SEARCH_TERMS[randrange(len(SEARCH_TERMS))]
                        query = "q=" + q if rand() < 0.7 else "q=%s&page=%d" % (q, randrange(2, 9))
                    if status is None:
                        s = rand()
                        if path == "/static/app.js":
                            status = "304" if s < 0.55 else "200"
                        elif path == "/healthz":
                            status = "200"
                        elif s < 0.035:
                            status = "404"
                        elif s < 0.037:
                            status = "500" if s < 0.0362 else "502"
                        elif s < 0.045:
                            status = "304"
                        else:
                            status = "200"
                else:
                    # ---------------- writes ----------------
                    w = rand()
                    if w < 0.18:
                        path = c_hot[j]
                        client = hot_writers[randrange(len(hot_writers))] if rand() < 0.8 else client
                        method = ("PUT", "PATCH", "PATCH", "PUT", "DELETE")[randrange(5)] \
                            if not path.endswith("/cart") else ("PUT", "POST")[randrange(2)]
                        c = rand()
                        if c < 0.30:
                            conflict_status = "409"
                        elif c < 0.36:
                            conflict_status = "412"
                    else:
                        if w < 0.50:
                            if rand() < 0.25:
                                path = "/api/orders"
                                method = "POST"
                            else:
                                path = order_path()
                                method = ("PUT", "PATCH", "PATCH", "DELETE")[randrange(4)]
                        elif w < 0.68:
                            path = "/api/users/%s/cart" % users[randrange(len(users))]
                            method = ("PUT", "POST", "DELETE")[randrange(3)]
                        elif w < 0.84:
                            path = "/api/items/%s" % items[randrange(len(items))]
                            method = ("PATCH", "PUT")[randrange(2)]
                        else:
                            path = "/api/carts/%s" % carts[randrange(len(carts))]
                            method = ("POST", "PATCH", "DELETE")[randrange(3)]
                        c = rand()
                        if c < 0.012:
                            conflict_status = "409"
                        elif c < 0.015:
                            conflict_status = "412"
                    if rand() < 0.05:
                        query = ("dry_run=false", "notify=1", "idempotency_key=%d" % randrange(10 ** 9))[randrange(3)]
                    if conflict_status is not None:
                        status = conflict_status
                    else:
                        s = rand()
                        if s < 0.02:
                            status = "404"
                        elif s < 0.03:
                            status = ("400", "422", "401", "500")[randrange(4)]
                        elif method == "POST":
                            status = "201" if path == "/api/orders" or s < 0.7 else "200"
                        elif method == "DELETE":
                            status = "204"
                        else:
                            status = "200" if s < 0.75 else "204"

                # size, protocol, user
                if status in ("204", "304"):
                    size = "0"
                elif status == "200" and method == "GET":
                    if path == "/static/app.js":
                        size = "48213"
                    elif path == "/healthz":
                        size = "2"
                    else:
                        size = str(180 + int(6000 * rand() ** 2))
                else:
                    size = str(40 + randrange(900))
                x = rand()
                if x < 0.012:
                    size = "-"
                    stats["dash_bytes"] += 1
                if x > 0.85 and path != "/healthz":
                    proto = "HTTP/2.0"
                elif x > 0.845:
                    proto = "HTTP/1.0"
                if x < 0.02 and ua.startswith("Mozilla"):
                    user = ("alice", "bob", "ops-admin")[li % 3]

                if method == "GET":
                    stats["GET"] += 1
                else:
                    stats["write"] += 1
                if status == "409":
                    stats["409"] += 1
                elif status == "412":
                    stats["412"] += 1
                if query is not None:
                    stats["query"] += 1
                    target = path + "?" + query
                else:
                    target = path
                if ":" in client:
                    stats["v6"] += 1

                if other_line is None:
                    app('%s - %s %s "%s %s %s" %s %s "%s" "%s"\n' % (
                        client, user, ts(sec), method, target, proto, status, size, ref, ua))
                else:
                    app(other_line(client, user, sec, method, target, proto, status, size, ref, ua))
            out.write("".join(buf).encode("utf-8"))
            i += n
            if len(ts_cache) > 100_000:
                ts_cache.clear()
            if len(iso_cache) > 100_000:
                iso_cache.clear()
        out.flush()
        if tmp is not None:
            out.close()
            os.replace(tmp, a.out)
    except BaseException:
        if tmp is not None:
            try:
                out.close()
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        raise

    if not a.quiet and N:
        dt = time.monotonic() - t0
        pct = lambda k: 100.0 * stats[k] / N
        msg = ("generate_log.py: %d %s lines in %.1fs (seed %d, resources %d): GET %.1f%%, writes %.1f%%, "
               "409 %.2f%%, 412 %.2f%%, query %.1f%%, IPv6 %.1f%%, bytes '-' %.1f%%"
               % (N, a.format, dt, a.seed, R, pct("GET"), pct("write"), pct("409"), pct("412"), pct("query"),
                  pct("v6"), pct("dash_bytes")))
        if distinct_orders is not None:
            msg += ", distinct order ids %d" % len(distinct_orders)
            if len(distinct_orders) < R:
                msg += " (fewer than --resources: too few lines for that many ids)"
        print(msg, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
