#!/usr/bin/env python3
"""Measures the durable webhook outbox with the real binary (docs/webhooks.md):
  MODE=restart: 8 incidents, kill -9 with the receiver down, restart with it up; 8 more, SIGTERM
                with it down, restart: events produced (alert_event) vs delivered (distinct event_id).
  MODE=hang:    the receiver never answers alert A's POSTs; how long after its lines are appended
                does a new alert B's "opened" arrive.
Usage: MODE=restart|hang python3 Tests/Scripts/WebhookOutboxMeasure.py BIN Tests/Scripts/WebhookReceiver.py WORKDIR"""
import json, os, signal, socket, sqlite3, subprocess, sys, time, datetime

BIN, RECV, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
T0 = datetime.datetime(2026, 11, 24, 10, 0, 0, tzinfo=datetime.timezone.utc)

def traffic(start_s, seconds, storm=None):
    out = []
    n = 0
    for s in range(seconds):
        t = (T0 + datetime.timedelta(seconds=start_s + s)).strftime("%d/%b/%Y:%H:%M:%S +0000")
        for _ in range(4):
            n += 1
            out.append(f'10.0.0.{n % 50 + 1} - - [{t}] "PUT /api/orders/{n * 7 % 200} HTTP/1.1" {409 if n % 50 == 0 else 200} 1 "-" "x"\n')
        if storm is not None:
            for _ in range(5):
                out.append(f'127.0.1.{storm} - - [{t}] "PUT /api/orders/{1000 + storm} HTTP/1.1" 409 1 "-" "retry"\n')
    return "".join(out)

def incidents(start_s, first, count):
    text, t = "", start_s
    for k in range(first, first + count):
        text += traffic(t, 40, storm=k) + traffic(t + 40, 150)
        t += 190
    return text, t

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def receiver(port, out, *extra):
    pf = f"{WORK}/port.{time.time()}"
    p = subprocess.Popen([sys.executable, RECV, "--out", out, "--port-file", pf, "--port", str(port), *extra])
    while not os.path.exists(pf): time.sleep(0.05)
    return p

def daemon(state, log, port, name, *extra):
    err = open(f"{WORK}/{name}.stderr", "w")
    p = subprocess.Popen([BIN, "tail", "--state-dir", state, "--log-format", "combined", "--webhook", f"http://127.0.0.1:{port}/hook", *extra, log],
                         stderr=err, stdout=subprocess.DEVNULL)
    for _ in range(200):
        t = open(f"{WORK}/{name}.stderr").read()
        if "following file" in t or "resuming file" in t: break
        time.sleep(0.05)
    return p

def db(state, sql):
    c = sqlite3.connect(f"file:{state}/conflictwatch.sqlite?mode=ro", uri=True, timeout=10)
    try: return c.execute(sql).fetchall()
    except sqlite3.OperationalError: return []
    finally: c.close()

def produced(state): return {r[0] for r in db(state, "SELECT event_id FROM alert_event")}
def pending(state): return {r[0] for r in db(state, "SELECT event_id FROM webhook_delivery WHERE state='pending'")}

def delivered(out):
    ids = []
    if os.path.exists(out):
        for line in open(out):
            r = json.loads(line)
            if r.get("answered") == 200: ids.append(r["body"]["event_id"])
    return ids

def settle(state, timeout=60):
    last, since = None, time.time()
    end = time.time() + timeout
    while time.time() < end:
        now = len(produced(state))
        if now != last: last, since = now, time.time()
        elif time.time() - since > 3: return now
        time.sleep(0.3)
    return last

def wait_delivered(out, want, timeout=60):
    end = time.time() + timeout
    while time.time() < end and not want <= set(delivered(out)): time.sleep(0.1)
    return time.time()

mode = os.environ.get("MODE", "restart")
if mode == "restart":
    state, log, out = f"{WORK}/state", f"{WORK}/access.log", f"{WORK}/received.jsonl"
    port = free_port()
    text, t = incidents(600, 1, 8)
    open(log, "w").write(traffic(0, 600) + text)
    d = daemon(state, log, port, "a", "--from-start")  # receiver down
    settle(state)
    p1 = produced(state); owed = pending(state)
    d.send_signal(signal.SIGKILL); d.wait()
    print(f"kill -9 (receiver down): produced {len(p1)} events, {len(owed)} pending in the outbox")
    r = receiver(port, out)
    d = daemon(state, log, port, "b")
    t1 = time.time(); done = wait_delivered(out, p1)
    got = delivered(out)
    print(f"after restart: {len(set(got) & p1)}/{len(p1)} delivered in {done - t1:.2f} s, {len(got) - len(set(got))} duplicates")
    r.terminate(); r.wait()
    text2, t = incidents(t, 9, 8)
    open(log, "a").write(text2)
    settle(state)
    p2 = produced(state) - p1
    t1 = time.time(); d.send_signal(signal.SIGTERM); rc = d.wait(); stop = time.time() - t1
    print(f"SIGTERM (receiver down): {len(p2)} new events produced, exit {rc} in {stop:.2f} s, {len(pending(state))} pending left")
    r = receiver(port, out)
    d = daemon(state, log, port, "c")
    t1 = time.time(); done = wait_delivered(out, p2)
    got = delivered(out)
    allp = p1 | p2
    print(f"after restart: {len(set(got) & p2)}/{len(p2)} delivered in {done - t1:.2f} s; overall {len(set(got) & allp)}/{len(allp)}, "
          f"{len(got) - len(set(got))} duplicates, {len(pending(state))} pending")
    d.send_signal(signal.SIGTERM); d.wait(); r.terminate(); r.wait()
else:
    # A receiver whose first 4 POSTs hang (4 alerts opened together), then a 5th alert.
    state, log, out = f"{WORK}/hstate", f"{WORK}/h.log", f"{WORK}/h.jsonl"
    port = free_port()
    open(log, "w").write(traffic(0, 600))
    r = receiver(port, out, "--hang-match", "\"127.0.1.1\"")
    d = daemon(state, log, port, "h", "--from-start")
    time.sleep(3)
    # Incident 1 opens (and closes) alert A; A's opened is the POST that hangs, 4 attempts in a row.
    open(log, "a").write(traffic(600, 40, storm=1) + traffic(640, 150))
    end = time.time() + 30
    hung = []
    while time.time() < end:
        hung = [json.loads(l) for l in open(out)] if os.path.exists(out) else []
        if len(hung) >= 1: break
        time.sleep(0.1)
    print(f"hanging POSTs: {len(hung)}")
    time.sleep(1)
    appended = time.time()
    open(log, "a").write(traffic(790, 40, storm=9) + traffic(830, 10))
    end = time.time() + 120
    arrived = None
    while time.time() < end and arrived is None:
        for l in open(out):
            x = json.loads(l)
            if x.get("answered") == 200 and x["body"].get("client") == "127.0.1.9" and x["body"]["event"] == "opened":
                arrived = x["time"]
        time.sleep(0.1)
    print(f"new alert's opened arrived {arrived - appended:.2f} s after its lines were appended" if arrived else "new alert never arrived in 120 s")
    t1 = time.time(); d.send_signal(signal.SIGTERM); rc = d.wait()
    print(f"SIGTERM while A's POST hangs: exit {rc} in {time.time() - t1:.2f} s, {len(pending(state))} pending left")
    r.terminate(); r.wait()
