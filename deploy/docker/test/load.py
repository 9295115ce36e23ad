#!/usr/bin/env python3
"""A bounded HTTP load for the container tests.

CLIENTS keep-alive clients GET the PATHS in turn, each pausing PAUSE seconds
between requests, until STOP_FILE exists or MAX_SECONDS pass. Any answer
other than 200, and any connection error or timeout, is a failed request.
Prints one JSON line (requests, failed, first errors, requests/s) and exits
1 when a request failed or none was made.

    load.py --base http://127.0.0.1:3000 --stop-file /tmp/stop --path / --path '/rates?...'
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse


def client(args, stats, lock, deadline):
    url = urllib.parse.urlsplit(args.base)
    conn = None
    i = 0
    while time.monotonic() < deadline and not os.path.exists(args.stop_file):
        path = args.path[i % len(args.path)]
        i += 1
        error = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=args.timeout)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                error = f"{path}: HTTP {response.status}"
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            error = f"{path}: {type(e).__name__}: {e}"
            if conn is not None:
                conn.close()
            conn = None
        with lock:
            stats["requests"] += 1
            if error:
                stats["failed"] += 1
                if len(stats["errors"]) < 10:
                    stats["errors"].append(f"{time.strftime('%H:%M:%S')} {error}")
        time.sleep(args.pause)
    if conn is not None:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--max-seconds", type=float, default=180.0)
    args = parser.parse_args()

    stats = {"requests": 0, "failed": 0, "errors": []}
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + args.max_seconds
    threads = [
        threading.Thread(target=client, args=(args, stats, lock, deadline))
        for _ in range(args.clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    stats["seconds"] = round(elapsed, 1)
    stats["requests_per_second"] = round(stats["requests"] / elapsed, 1)
    print(json.dumps(stats))
    return 1 if stats["failed"] or not stats["requests"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
