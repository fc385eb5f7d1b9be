#!/usr/bin/env python3
"""A large dataset upload through a running service's API while a client keeps reading it.

Writes MIB MiB of templated support-ticket rows (the bench datasets template), creates a dataset,
posts the file as a raw body, and follows the upload to its end while another thread sends
GET /api/v1/adapters every 100 ms. Prints the upload's times and that client's latencies.

    ./adapterops serve &   # then, with the admin token it printed:
    python3 bench/upload_under_load.py --url http://127.0.0.1:8080 --token "$ADMIN" --mib 150
"""
import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
import urllib.request

NAMES = ["Alice", "Bob", "Chen Wei", "Dara", "Emeka", "Fatima", "Giulia", "Hiro"]
DEVICES = ["laptop", "phone", "tablet", "desktop", "printer", "monitor", "dock"]
PROBLEMS = ["will not start", "keeps freezing", "cannot reach the VPN", "shows a blue screen",
            "lost its Wi-Fi", "runs very slowly", "will not charge", "cannot print"]


def b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def write_rows(path, mib, seed=7):
    rng = random.Random(seed)
    rows = 0
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < mib * 1024 * 1024:
            name, device = rng.choice(NAMES), rng.choice(DEVICES)
            ticket = rng.randrange(100000, 1000000)
            row = {"instruction": f"Ticket {ticket}: {name}'s {device} {rng.choice(PROBLEMS)} since "
                                  f"{rng.randrange(1, 29)} November. Asset tag {b36(rng.getrandbits(63))}.",
                   "input": "",
                   "output": f"Thanks {name}, ticket {ticket} is logged for your {device}. A technician will "
                             f"call you within {rng.randrange(1, 9)} hours; reference {b36(rng.getrandbits(63))}."}
            f.write(json.dumps(row) + "\n")
            rows += 1
    return rows


def call(url, token, method="GET", data=None, headers=None):
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"Bearer {token}",
                                                                              **(headers or {})})
    with urllib.request.urlopen(request, timeout=600) as r:
        return r.status, json.loads(r.read() or b"null")


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--token", default=os.environ.get("ADAPTEROPS_TOKEN"))
    ap.add_argument("--mib", type=int, default=150)
    args = ap.parse_args()
    path = os.path.join(tempfile.mkdtemp(), "rows.jsonl")
    rows = write_rows(path, args.mib)
    size = os.path.getsize(path)
    print(f"file: {rows:,} rows, {size / 2**20:.1f} MiB")
    name = f"upload-bench-{int(time.time())}"
    call(f"{args.url}/api/v1/datasets", args.token, "POST", json.dumps({"name": name, "format": "ALPACA"}).encode(),
         {"Content-Type": "application/json"})

    latencies, statuses, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            start = time.perf_counter()
            try:
                status, _ = call(f"{args.url}/api/v1/adapters", args.token)
            except Exception as e:  # a failed read is a result, not a crash of the bench
                status = str(e)
            latencies.append((time.perf_counter() - start) * 1000)
            statuses.append(status)
            stop.wait(0.1)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    posted = time.perf_counter()
    with open(path, "rb") as body:
        status, upload = call(f"{args.url}/api/v1/datasets/{name}/versions", args.token, "POST", body,
                              {"Content-Type": "application/x-ndjson", "Content-Length": str(size)})
    answered = time.perf_counter() - posted
    while upload["status"] not in ("SUCCEEDED", "FAILED"):
        time.sleep(0.5)
        _, upload = call(args.url + upload["location"], args.token)
    finished = time.perf_counter() - posted
    stop.set()
    thread.join()
    os.remove(path)
    version = upload.get("version") or {}
    print(f"POST answered {status} after {answered:.1f} s; upload {upload['status']} after {finished:.1f} s "
          f"({rows / finished:,.0f} rows/s); version rows {version.get('rows')}; error {upload.get('error')}")
    ok = sum(1 for s in statuses if s == 200)
    print(f"GET /api/v1/adapters during the upload: {len(latencies)} requests, {ok} answered 200, "
          f"P50 {statistics.median(latencies):.1f} ms, P95 {percentile(latencies, 95):.1f} ms, "
          f"max {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
