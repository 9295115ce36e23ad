#!/usr/bin/env python3
"""Helpers for bench/http.sh: choose queries from a running server, write the
wrk script for the random mix, and summarise wrk's output on one line."""
import json
import re
import sys
import urllib.request


def get(base, path):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)


def ports_below(regions, ports):
    """Region slug -> number of ports in it and all regions below it."""
    children = {}
    for r in regions:
        children.setdefault(r["parent_slug"], []).append(r["slug"])
    direct = {}
    for p in ports:
        direct[p["parent_slug"]] = direct.get(p["parent_slug"], 0) + 1

    def count(slug, seen=()):
        if slug in seen:
            return 0
        return direct.get(slug, 0) + sum(count(c, seen + (slug,)) for c in children.get(slug, []))

    return {r["slug"]: count(r["slug"]) for r in regions}


def lane(base):
    """The busiest of the first lanes tried: a port-to-port query with data."""
    ports = [p["code"] for p in get(base, "/ports")]
    best = (0, ports[0], ports[1])
    for i, o in enumerate(ports[:12]):
        for d in ports[-12:]:
            if o == d:
                continue
            rates = get(base, f"/rates?date_from=2024-01-01&date_to=2024-01-31&orig_code={o}&dest_code={d}")["rates"]
            best = max(best, (sum(r["count"] for r in rates), o, d))
    print(best[1], best[2])


def regions(base):
    """china_main -> northern_europe as on the Xeneta data, when the data has
    them; otherwise the two root regions with the most ports."""
    regions, ports = get(base, "/regions"), get(base, "/ports")
    slugs = {r["slug"] for r in regions}
    if {"china_main", "northern_europe"} <= slugs:
        print("china_main northern_europe")
        return
    sizes = ports_below(regions, ports)
    roots = sorted((r for r in regions if r["parent_slug"] is None), key=lambda r: -sizes[r["slug"]])
    print(roots[0]["slug"], roots[1]["slug"])


def mix(base, year):
    """A wrk script asking random locations over random ranges of the year."""
    locations = [p["code"] for p in get(base, "/ports")] + [r["slug"] for r in get(base, "/regions")]
    print("math.randomseed(42)")
    print("local locations = {" + ",".join(json.dumps(l) for l in locations) + "}")
    print(f"local first = os.time{{year={year}, month=1, day=1, hour=12}}")
    print("""request = function()
  local o = locations[math.random(#locations)]
  local d = locations[math.random(#locations)]
  local from = first + math.random(0, 330) * 86400
  local to = from + math.random(0, 30) * 86400
  local path = "/rates?date_from=" .. os.date("%Y-%m-%d", from) .. "&date_to=" .. os.date("%Y-%m-%d", to)
    .. "&orig_code=" .. o .. "&dest_code=" .. d
  return wrk.format("GET", path)
end""")


def fresh(base, database_url, orig, dest, day):
    """Commit an extra price with psql twenty times; after each, time until
    the server answers with the new count (polling over one connection)."""
    import http.client
    import subprocess
    import time

    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    path = f"/rates?date_from={day}&date_to={day}&orig_code={orig}&dest_code={dest}"

    def count():
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())["rates"][0]["count"]

    delays = []
    for _ in range(20):
        before = count()
        sql = f"INSERT INTO prices VALUES ('{orig}', '{dest}', '{day}', 1000)"
        subprocess.run(["psql", "-qX", "-d", database_url, "-c", sql], check=True)
        committed = time.monotonic()
        while count() == before:
            if time.monotonic() - committed > 5:
                raise SystemExit("the server never saw the commit")
        delays.append((time.monotonic() - committed) * 1000)
    delays.sort()
    print(f"commit to fresh answer: median {delays[len(delays) // 2]:.1f} ms, max {delays[-1]:.1f} ms over {len(delays)} commits")


def summary(name):
    out = sys.stdin.read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    print(f"{name:<18} {float(rps):>12,.0f} {lat.get('50', '?'):>10} {lat.get('99', '?'):>10} {errors:>8}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"lane": lane, "regions": regions, "mix": mix, "summary": summary, "fresh": fresh}[command](*args)
