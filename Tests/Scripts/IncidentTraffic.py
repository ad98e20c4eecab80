#!/usr/bin/env python3
"""Traffic for two unrelated APIs behind one nginx, with incidents injected on top of natural
contention, for the alert-quality test (issue 9).

Python 3 standard library only; talks to 127.0.0.1 only; bounded in time and in requests.

    python3 IncidentTraffic.py --port NGINX_PORT --admin-port DOCUMENTS_BACKEND_PORT
        --plan PLAN.json --timeline OUT.json [--bucket 2] [--seed 11] [phase lengths...]

Steady traffic, all the time (each client a fixed loopback address, one keep-alive connection):
  ledger     127.0.0.10-17  read a Zipf-chosen account's ledger, think, PUT it with If-Match; on a
                            412 read again and retry once. Popular accounts race: many 412s.
  documents  127.0.0.20-25  the same on Zipf-chosen documents with the version in the JSON body
                            (a stale one is a 409).
  contracts  127.0.0.30-35  each client edits only its own six contracts (read once, then one or
                            two autosaves at a time with the version its last save returned):
                            never a race, and mostly blind writes. The backend's
                            signed contracts (with its defaults, 2 of the 36) refuse every write
                            with 409: about 5% of the route's writes, all the time, and not an
                            incident.

Incidents, one after the other, each starting `--phase` seconds into an epoch-aligned bucket of
`--bucket` seconds (the model's buckets are aligned to the epoch), so whatever the clock the
incident's first bucket is partial in the same way and a run repeats:
  storm       127.0.0.66 reads one account once, writes it once, then replays that same write with
              its now stale If-Match `--storm-rate` times a second: a retry storm among the ledger's
              normal 412s.
  regression  POST /admin/fault to the documents backend (not through nginx): every document write
              answers 409 with probability `--regression-rate`, as after a bad deploy; then off.
              The clients do not change what they do.
  stampede    127.0.0.70-73, new clients, hammer one cold account's ledger (read, brief think,
              write; on a 412 again at once): an emerging hot spot. It is on the ledger again,
              long after the storm, so that no alert still open from the incident before it
              (the regression, on documents) can swallow it.

The plan (every phase's planned start and end, as epoch seconds, and who/what is involved) is
written to PLAN.json before the first request, so a test can act on the schedule while the traffic
runs. The timeline (actual times, per-client request and status counts, transport errors) is
written to OUT.json at the end. Exit status 0, or 1 when requests failed at the transport level.
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
import uuid

# The import below would leave a __pycache__ in the source tree on every test run.
sys.dont_write_bytecode = True
from RacingClients import Client, replay, version_of, zipf_picker  # noqa: E402

LEDGER_CLIENTS = ["127.0.0.%d" % i for i in range(10, 18)]
DOCUMENT_CLIENTS = ["127.0.0.%d" % i for i in range(20, 26)]
CONTRACT_CLIENTS = ["127.0.0.%d" % i for i in range(30, 36)]
STAMPEDE_CLIENTS = ["127.0.0.%d" % i for i in range(70, 74)]
STORM_CLIENT = "127.0.0.66"
CONTRACTS_PER_CLIENT = 6


def account_id(rank):
    """A stable, realistic (version 5) UUID for the account of popularity rank `rank`."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://ledger.test/accounts/%d" % rank))


def ledger_path(rank):
    return "/v2/accounts/%s/ledger" % account_id(rank)


def on_grid(t, bucket, phase):
    """The first time at or after `t` that lies `phase` seconds into an epoch-aligned bucket."""
    at = math.floor(t / bucket) * bucket + phase
    return at if at >= t else at + bucket


def sleep_until(t, stop):
    while not stop.is_set():
        left = t - time.time()
        if left <= 0:
            return True
        stop.wait(min(left, 0.5))
    return False


def read_then_write(client, rng, path, method, think, via_header, retries):
    """Reads `path`, thinks, writes it back with the version read; after a conflict reads again
    and retries up to `retries` times. Returns the last write's status (None: no write)."""
    status = None
    for _ in range(retries + 1):
        got = client.request("GET", path)
        if got is None or got[0] != 200 or version_of(got[1]) is None:
            return status
        version = version_of(got[1])
        time.sleep(rng.uniform(*think))
        change = {"note": rng.randint(1, 10 ** 6)}
        if via_header:
            got = client.request(method, path, body=change, headers={"If-Match": '"%d"' % version})
        else:
            change["version"] = version
            got = client.request(method, path, body=change)
        if got is None:
            return status
        status = got[0]
        if status not in (409, 412):
            return status
    return status


def ledger_client(index, ip, args, deadline, stop, out):
    rng = random.Random(args.seed * 1000 + 100 + index)
    client = Client(ip, args.port)
    pick = zipf_picker(rng, args.accounts, args.zipf)
    try:
        while time.time() < deadline and not stop.is_set():
            read_then_write(client, rng, ledger_path(pick()), "PUT", (0.05, 0.25), True, 1)
            time.sleep(rng.uniform(0.10, 0.30))
    except Exception as error:
        client.errors.append("client stopped: %r" % (error,))
    finally:
        client.close()
        out[ip] = client


def document_client(index, ip, args, deadline, stop, out):
    rng = random.Random(args.seed * 1000 + 200 + index)
    client = Client(ip, args.port)
    pick = zipf_picker(rng, args.documents, args.zipf)
    try:
        while time.time() < deadline and not stop.is_set():
            read_then_write(client, rng, "/api/documents/%d" % pick(), "PATCH", (0.05, 0.20), False, 1)
            time.sleep(rng.uniform(0.10, 0.30))
    except Exception as error:
        client.errors.append("client stopped: %r" % (error,))
    finally:
        client.close()
        out[ip] = client


def contract_client(index, ip, args, deadline, stop, out):
    rng = random.Random(args.seed * 1000 + 300 + index)
    client = Client(ip, args.port)
    own = list(range(index * CONTRACTS_PER_CLIENT + 1, (index + 1) * CONTRACTS_PER_CLIENT + 1))
    # Like a desktop editor, the client reads a contract once and then saves with the version its
    # last save returned: the route is mostly written blind (no read->write window to measure),
    # and only ever by the contract's owner.
    known = {}
    try:
        while time.time() < deadline and not stop.is_set():
            path = "/api/contracts/%d" % rng.choice(own)
            if path not in known:
                got = client.request("GET", path)
                if got is None or got[0] != 200 or version_of(got[1]) is None:
                    continue
                known[path] = version_of(got[1])
            for _ in range(rng.choice((1, 2))):
                time.sleep(rng.uniform(0.10, 0.40))
                got = client.request("PATCH", path, body={"version": known[path], "text": rng.randint(1, 10 ** 6)})
                if got is None or got[0] != 200:
                    break  # a signed contract: it will refuse the next save just the same
                known[path] = version_of(got[1])
            time.sleep(rng.uniform(0.20, 0.50))
    except Exception as error:
        client.errors.append("client stopped: %r" % (error,))
    finally:
        client.close()
        out[ip] = client


def storm_client(args, plan, stop, out):
    client = Client(STORM_CLIENT, args.port)
    path = ledger_path(args.storm_account)
    window = plan["storm"]
    budget = int(args.storm_rate * args.storm) + 10
    try:
        if not sleep_until(window["start"], stop):
            return
        got = client.request("GET", path)
        version = version_of(got[1]) if got is not None else None
        headers = {"If-Match": '"%d"' % (version or 1)}
        body = {"note": "transfer 4711"}
        replay(client, path, body, headers, args.storm_rate, lambda: time.time() < window["end"] and not stop.is_set(), budget)
    except Exception as error:
        client.errors.append("storm stopped: %r" % (error,))
    finally:
        client.close()
        out[STORM_CLIENT] = client


def set_fault(args, rate):
    conn = http.client.HTTPConnection("127.0.0.1", args.admin_port, timeout=10)
    try:
        conn.request("POST", "/admin/fault", body=json.dumps({"route": "/api/documents/{id}", "rate": rate}),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 204:
            raise RuntimeError("admin answered %d" % response.status)
    finally:
        conn.close()


def regression(args, plan, stop, actual, errors):
    window = plan["regression"]
    try:
        if not sleep_until(window["start"], stop):
            return
        set_fault(args, args.regression_rate)
        actual["regression_on"] = time.time()
        sleep_until(window["end"], stop)
    except Exception as error:
        errors.append("regression: %r" % (error,))
    finally:
        try:
            set_fault(args, 0)
            actual["regression_off"] = time.time()
        except Exception as error:
            errors.append("regression off: %r" % (error,))


def stampede_client(index, ip, args, plan, stop, out):
    rng = random.Random(args.seed * 1000 + 700 + index)
    client = Client(ip, args.port)
    window = plan["stampede"]
    path = ledger_path(args.stampede_account)
    try:
        if sleep_until(window["start"] + index * 0.05, stop):
            while time.time() < window["end"] and not stop.is_set():
                status = read_then_write(client, rng, path, "PUT", (0.02, 0.08), True, 0)
                if status != 412:
                    time.sleep(rng.uniform(0.05, 0.15))
    except Exception as error:
        client.errors.append("stampede stopped: %r" % (error,))
    finally:
        client.close()
        out[ip] = client


def make_plan(args, start):
    plan = {"start": start, "bucket": args.bucket, "phase": args.phase}
    at = start + args.warmup
    for name, length in (("storm", args.storm), ("regression", args.regression), ("stampede", args.stampede)):
        begin = on_grid(at, args.bucket, args.phase)
        plan[name] = {"start": begin, "end": begin + length}
        at = begin + length + args.gap
    plan["end"] = plan["stampede"]["end"] + args.tail
    plan["storm"].update(client=STORM_CLIENT, resource=ledger_path(args.storm_account), route="/v2/accounts/{uuid}/ledger")
    plan["regression"].update(route="/api/documents/{id}", rate=args.regression_rate)
    plan["stampede"].update(clients=STAMPEDE_CLIENTS, resource=ledger_path(args.stampede_account),
                            route="/v2/accounts/{uuid}/ledger")
    plan["quiet_route"] = "/api/contracts/{id}"
    return plan


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True, help="nginx")
    ap.add_argument("--admin-port", type=int, required=True, help="the documents backend itself")
    ap.add_argument("--plan", required=True)
    ap.add_argument("--timeline", required=True)
    ap.add_argument("--bucket", type=float, default=2)
    ap.add_argument("--phase", type=float, default=0.2, help="seconds into a bucket at which an incident starts")
    ap.add_argument("--warmup", type=float, default=18)
    ap.add_argument("--storm", type=float, default=12)
    ap.add_argument("--regression", type=float, default=10)
    ap.add_argument("--stampede", type=float, default=10)
    ap.add_argument("--gap", type=float, default=6)
    ap.add_argument("--tail", type=float, default=8)
    ap.add_argument("--accounts", type=int, default=30)
    ap.add_argument("--documents", type=int, default=60)
    ap.add_argument("--zipf", type=float, default=1.1)
    ap.add_argument("--storm-account", type=int, default=4, help="popularity rank of the storm's account")
    ap.add_argument("--storm-rate", type=float, default=10)
    ap.add_argument("--regression-rate", type=float, default=0.96)
    ap.add_argument("--stampede-account", type=int, default=29, help="popularity rank of the stampede's account")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    phases = (args.warmup, args.storm, args.regression, args.stampede, args.gap, args.tail)
    if not 0 < args.storm_rate <= 100 or min(phases) < 0 or sum(phases) > 300 or not 0 <= args.phase < args.bucket:
        ap.error("rates or phases out of bounds")
    if not 1 <= args.stampede_account <= args.accounts or not 1 <= args.storm_account <= args.accounts:
        ap.error("the stampede's and the storm's accounts must be among the --accounts")

    start = time.time()
    plan = make_plan(args, start)
    write_json(args.plan, plan)

    results, errors, actual = {}, [], {}
    stop = threading.Event()
    end = plan["end"]
    threads = []
    for i, ip in enumerate(LEDGER_CLIENTS):
        threads.append(threading.Thread(target=ledger_client, args=(i, ip, args, end, stop, results), daemon=True))
    for i, ip in enumerate(DOCUMENT_CLIENTS):
        threads.append(threading.Thread(target=document_client, args=(i, ip, args, end, stop, results), daemon=True))
    for i, ip in enumerate(CONTRACT_CLIENTS):
        threads.append(threading.Thread(target=contract_client, args=(i, ip, args, end, stop, results), daemon=True))
    for i, ip in enumerate(STAMPEDE_CLIENTS):
        threads.append(threading.Thread(target=stampede_client, args=(i, ip, args, plan, stop, results), daemon=True))
    threads.append(threading.Thread(target=storm_client, args=(args, plan, stop, results), daemon=True))
    threads.append(threading.Thread(target=regression, args=(args, plan, stop, actual, errors), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, end - time.time() + 30))
    stop.set()

    clients = {}
    for ip, c in sorted(results.items()):
        clients[ip] = {"requests": c.requests, "statuses": c.statuses}
        errors += ["%s: %s" % (ip, e) for e in c.errors]
    timeline = dict(plan)
    timeline.update(actual)
    timeline.update(finished=time.time(), clients=clients, errors=errors,
                    unfinished_threads=sum(1 for t in threads if t.is_alive()))
    write_json(args.timeline, timeline)
    total = sum(c["requests"] for c in clients.values())
    print("incident traffic: %d requests from %d clients in %.1f s, %d transport errors"
          % (total, len(clients), timeline["finished"] - start, len(errors)))
    for e in errors[:10]:
        print("  " + e, file=sys.stderr)
    return 1 if errors or timeline["unfinished_threads"] else 0


if __name__ == "__main__":
    sys.exit(main())
