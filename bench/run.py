"""The benchmark of issue 7: the service on a freshly seeded database, driven by wrk, against
baselines measured in the same run on the same database — pgbench's primary-key select and
single-row insert with as many connections as the service's pool, and the service's own
/health/live. Prints a markdown table (figure, baseline, ratio) and the targets of issues 7 and
15 as met or not met, and writes it all to bench/results/<date>-benchmark.md. The load of the
--export-at size (100,000) includes one export of the whole register as CSV.

    python3 bench/run.py [--sizes 10000,100000,1000000] [--duration 10] [--backends postgres,sqlite]

Installs wrk from Debian's packages when it is missing; builds the release binary unless
BENCH_BINARY names one. BENCH_POSTGRES_URL names the PostgreSQL server (a user that may create
databases); every size gets a database of its own, dropped afterwards.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import service

HERE = Path(__file__).resolve().parent
WRK_SCRIPTS = HERE / "wrk"
DEEP = 100_000
WALK_PAGE = 200
LIST_FILTER = "status=in_progress"
UNLOGGED_READ = "GET /complaints/{id}/classification (not read-logged)"
SPREAD = 10
SPREAD_POST = f"POST /complaints, {SPREAD} organisations"
EXPORT = "GET /complaints as CSV (whole register, 1 request)"


def wrk(url, script, duration, connections, threads, env=None, timeout_s=10):
    command = [
        "wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s",
        f"--timeout={timeout_s}s", "-s", script, url,
    ]
    out = subprocess.run(command, cwd=WRK_SCRIPTS, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-2000:]} {out.stderr[-2000:]}")
    result = json.loads(line.removeprefix("BENCH "))
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": result["requests"] / seconds,
        "p50": result["p50_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "requests": result["requests"],
        "errors": errors,
        "error_detail": {k: result[k] for k in ("connect", "read", "write", "status", "timeout") if result[k]},
        "statuses": result.get("statuses") or {},
    }


def pgbench(url, script_text, duration, clients, threads, folder):
    """tps and latency percentiles of a custom pgbench script, from its per-transaction log."""
    script = Path(folder) / f"pgbench-{secrets.token_hex(3)}.sql"
    script.write_text(script_text)
    prefix = Path(folder) / f"pgbench-log-{secrets.token_hex(3)}"
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", str(min(threads, clients)),
         "-T", str(duration), "-f", str(script), "-l", f"--log-prefix={prefix}", url],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out.stderr[-2000:]}")
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out.stdout).group(1))
    latencies = []
    for log in Path(folder).glob(prefix.name + "*"):
        with open(log) as lines:
            latencies.extend(int(line.split()[2]) / 1000 for line in lines if line.strip())
        log.unlink()
    script.unlink()
    return {
        "rps": tps,
        "p50": service.percentile(latencies, 50),
        "p99": service.percentile(latencies, 99),
        "requests": len(latencies),
        "errors": 0,
    }


SELECT_SCRIPT = """\\set id random({low}, {high})
SELECT * FROM complaints WHERE id = :id;
"""

# A scratch table of the same database: an insert into complaints itself would need the
# service's reference numbering; this is the database's cost of one durable row with indexes.
INSERT_TABLE = """CREATE TABLE bench_insert_probe (
    id BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL,
    reference TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT now()
);
CREATE INDEX ON bench_insert_probe (organisation_id, created_at);"""
INSERT_SCRIPT = """INSERT INTO bench_insert_probe (organisation_id, reference, description)
VALUES (1, 'B-' || :client_id, 'Geregistreerd door de benchmark.');
"""


def baselines(url, folder, duration, pool, threads):
    low, high = service.query(url, "SELECT min(id), max(id) FROM complaints")[0]
    select = pgbench(url, SELECT_SCRIPT.format(low=low, high=high), duration, pool, threads, folder)
    service.psql(INSERT_TABLE, url)
    try:
        insert = pgbench(url, INSERT_SCRIPT, duration, pool, threads, folder)
    finally:
        service.psql("DROP TABLE bench_insert_probe", url)
    return select, insert


def cpu_seconds(pid):
    """User and system CPU time a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuSplit:
    """Where the CPU of a figure went — the service, the database's backends for this
    database, the load tool — so that a figure that misses can be read on a machine that all
    three share."""

    def __init__(self, svc, url):
        self.svc, self.url = svc, url if url.startswith("postgres") else None

    def _backends(self):
        if not self.url:
            return {}
        pids = service.query(self.url, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return {int(row[0]): cpu_seconds(int(row[0])) for row in pids}

    def __enter__(self):
        self.service0 = cpu_seconds(self.svc.pid)
        self.db0 = self._backends()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.tool0 = children.ru_utime + children.ru_stime
        return self

    def __exit__(self, *exc):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.tool = children.ru_utime + children.ru_stime - self.tool0
        self.service = cpu_seconds(self.svc.pid) - self.service0
        db1 = self._backends()
        self.db = sum(t - self.db0.get(pid, 0.0) for pid, t in db1.items()) if self.url else None
        return False

    def per_request(self, requests):
        us = lambda seconds: None if seconds is None else seconds * 1e6 / max(requests, 1)
        return {"service": us(self.service), "db": us(self.db), "tool": us(self.tool)}


def deep_cursor(svc, token, depth):
    """The cursor after `depth` rows of the unfiltered list, by following next_cursor as a
    client would."""
    cursor, walked = None, 0
    while walked < depth:
        path = f"/api/v1/complaints?limit={WALK_PAGE}" + (f"&cursor={cursor}" if cursor else "")
        page = svc.get(path, token)
        walked += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return None, walked
    return cursor, walked


class MemoryWatch:
    """Samples the service's resident memory while load runs; the kernel's high-water mark
    (VmHWM) catches peaks between samples."""

    def __init__(self, svc):
        self.svc, self.peak, self.stopped = svc, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.wait(0.2):
            try:
                rss, hwm = self.svc.memory()
            except OSError:
                return
            self.peak = max(self.peak, rss, hwm)

    def stop(self):
        self.stopped.set()
        self.thread.join()
        try:
            self.peak = max(self.peak, *self.svc.memory())
        except OSError:
            pass
        return self.peak


def measure(backend, size, args):
    pool, threads = args.pool, args.threads
    per_org = size // args.organisations
    result = {"backend": backend, "size": size, "per_org": per_org, "figures": {}}
    figures = result["figures"]
    print(f"\n# {backend}, {size:,} complaints ({args.organisations} organisation(s) of {per_org:,})", flush=True)
    with service.database(backend) as (url, folder):
        result["seed_s"] = service.seed(url, folder, per_org, args.organisations)
        print(f"seeded in {result['seed_s']:.1f} s", flush=True)
        if backend == "postgres":
            select, insert = baselines(url, folder, args.duration, pool, threads)
            figures["pgbench select"], figures["pgbench insert"] = select, insert
            print(f"pgbench select {select['rps']:.0f}/s, insert {insert['rps']:.0f}/s", flush=True)

        coordinator = service.token(url, folder, "seed-1-staff-0", "klachtencoordinator")
        org = service.query(url, "SELECT id FROM organisations WHERE slug = 'seed-1'")[0][0]
        ids = service.query(url, f"SELECT id FROM complaints WHERE organisation_id = {org} ORDER BY random() LIMIT 100000")
        ids_file = Path(folder) / "ids.txt"
        ids_file.write_text("".join(f"{row[0]}\n" for row in ids))

        settings = {"KLACHTEN_DB_POOL_SIZE": pool}
        if args.workers:
            settings["KLACHTEN_WORKERS"] = args.workers
        svc = service.Service(url, folder, log=str(Path(folder) / "service.log"), **settings)
        try:
            result["rss_idle"] = svc.memory()[0]
            watch = MemoryWatch(svc)
            depth = min(DEEP, (per_org - 2 * WALK_PAGE) // WALK_PAGE * WALK_PAGE)
            cursor, walked = deep_cursor(svc, coordinator, depth) if depth > 0 else (None, 0)
            result["depth"] = walked if cursor else 0

            today = datetime.date.today()
            # The seeder spreads receipts over the last three years.
            overview = f"/api/v1/overview?from={today - datetime.timedelta(days=3 * 365 + 2)}&to={today}"
            env = {"BENCH_TOKEN": coordinator}
            runs = [
                ("GET /health/live", "/health/live", "read.lua", {}, args.connections),
                ("GET /complaints/{id}", "/", "by_id.lua", {"BENCH_IDS_FILE": str(ids_file)}, args.connections),
                # The same two queries without the read log: the difference is what logging
                # a read costs (issue 5).
                (UNLOGGED_READ, "/", "by_id.lua", {"BENCH_IDS_FILE": str(ids_file), "BENCH_SUFFIX": "/classification"}, args.connections),
                (f"list, first page, {LIST_FILTER}", f"/api/v1/complaints?limit=50&{LIST_FILTER}", "read.lua", {}, args.connections),
                ("list, first page", "/api/v1/complaints?limit=50", "read.lua", {}, args.connections),
            ]
            if cursor:
                runs.append(("list, page after deep cursor", f"/api/v1/complaints?limit=50&cursor={cursor}", "read.lua", {}, args.connections))
            post_env = {
                "BENCH_RUN": "bench-" + secrets.token_hex(4),
                "BENCH_HANDLER": "seed-1-staff-3",
                "BENCH_RECEIVED_AT": (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            runs.append(("POST /complaints", "/api/v1/complaints", "post.lua", post_env, args.connections))
            # A vendor's service registers for many firms at once; each organisation's
            # registrations take turns (its reference counter and event chain), different
            # organisations' do not.
            spread = [f"bench-post-{n}" for n in range(1, SPREAD + 1)]
            for slug in spread:
                service.organisation(url, folder, slug)
            spread_env = {
                **post_env,
                "BENCH_HANDLER": "bench-handler",
                "BENCH_TOKENS": " ".join(service.token(url, folder, "bench-registrar", "klachtencoordinator", slug) for slug in spread),
            }
            runs.append((SPREAD_POST, "/api/v1/complaints", "post.lua", spread_env, args.connections))
            # Against the figure above: when one connection registers as fast as the pool,
            # registrations are serialised somewhere.
            runs.append(("POST /complaints (1 connection)", "/api/v1/complaints", "post.lua", post_env, 1))
            # One caller at a time: the overview is a report someone opens, and its target is
            # a response time, not a throughput.
            runs.append(("GET /overview (1 connection)", overview, "read.lua", {}, 1))
            for name, path, script, extra, connections in runs:
                if name.startswith("GET /overview") and size == args.export_at:
                    # Issue 15's memory target counts an export of the whole register in
                    # the load: one streamed request, after the writes, inside the watch.
                    with CpuSplit(svc, url) as cpu:
                        figures[EXPORT] = export_figure(svc, coordinator)
                    figures[EXPORT]["cpu"] = cpu.per_request(1)
                    e = figures[EXPORT]
                    print(f"{EXPORT}: {e['rows']:,} rows, {e['mib']:.1f} MiB in {e['p50']:.0f} ms", flush=True)
                if name.startswith("GET /overview"):
                    # The overview's aggregates run inside the process on SQLite: the peak
                    # under the request load alone is reported apart from it.
                    result["rss_peak_requests"] = max(watch.peak, svc.memory()[0])
                run_env = {**env, **extra}
                if args.warmup:
                    wrk(svc.base + path, script, args.warmup, connections, threads, run_env)
                with CpuSplit(svc, url) as cpu:
                    figure = wrk(svc.base + path, script, args.duration, connections, threads, run_env)
                figure["cpu"] = cpu.per_request(figure["requests"])
                figures[name] = figure
                note = f" errors {figure['error_detail']}" if figure["errors"] else ""
                statuses = f" statuses {figure['statuses']}" if figure["statuses"] else ""
                print(f"{name}: {figure['rps']:.0f}/s p50 {figure['p50']:.1f} ms p99 {figure['p99']:.1f} ms{note}{statuses}", flush=True)
            result["rss_peak"] = watch.stop()
        finally:
            result["exit_code"] = svc.stop()
            result["log_tail"] = [l for l in svc.log_tail(200) if " ERROR " in l or " WARN " in l][-5:]
    return result


def export_figure(svc, coordinator):
    """The register as CSV in one request, read in chunks and counted, never held (as
    bench/export.py asks for it), in the shape of a wrk figure."""
    started, body, lines = time.perf_counter(), 0, 0
    request = urllib.request.Request(svc.base + "/api/v1/complaints", headers={"Authorization": f"Bearer {coordinator}", "Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            while chunk := response.read(1 << 16):
                body += len(chunk)
                lines += chunk.count(b"\n")
        errors, detail, statuses = 0, "", None
    except (OSError, urllib.error.HTTPError) as e:
        errors, detail, statuses = 1, str(e)[:200], getattr(e, "code", None)
    ms = (time.perf_counter() - started) * 1000
    return {"rps": 1000 / ms, "p50": ms, "p99": ms, "requests": 1, "errors": errors, "error_detail": detail,
            "statuses": statuses, "rows": max(lines - 1, 0), "mib": body / 2**20}


def ratio(a, b):
    return a / b if b else float("nan")


def table(results):
    lines = [
        "| database | complaints | figure | req/s | p50 ms | p99 ms | errors | baseline | baseline req/s | baseline p50 ms | ratio | CPU µs/req: service / db / wrk |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for r in results:
        f = r["figures"]
        deep_name = f"list, page after {r['depth']:,} rows"
        for name, figure in f.items():
            if name.startswith("pgbench"):
                continue
            base_name, how = {
                "GET /complaints/{id}": ("pgbench select", "req/s"),
                "POST /complaints": ("pgbench insert", "req/s"),
                "list, page after deep cursor": ("list, first page", "p50"),
                "POST /complaints (1 connection)": ("POST /complaints", "req/s"),
                SPREAD_POST: ("pgbench insert", "req/s"),
                UNLOGGED_READ: ("GET /complaints/{id}", "req/s"),
            }.get(name, ("GET /health/live", "req/s"))
            if name in ("GET /health/live", EXPORT) or base_name not in f:
                base_cell, base_rps, base_p50, ratio_cell = "—", "—", "—", "—"
            else:
                base = f[base_name]
                base_cell = base_name if not base_name.startswith("pgbench") else f"{base_name} ({r['pool']} conns)"
                base_rps, base_p50 = f"{base['rps']:,.0f}", f"{base['p50']:.2f}"
                if how == "req/s":
                    ratio_cell = f"{ratio(figure['rps'], base['rps']):.1%} of req/s"
                else:
                    ratio_cell = f"{ratio(figure['p50'], base['p50']):.2f} × p50"
            shown = deep_name if name == "list, page after deep cursor" else name
            lines.append(
                f"| {r['backend']} | {r['size']:,} | {shown} | {figure['rps']:,.0f} | {figure['p50']:.2f} | "
                f"{figure['p99']:.2f} | {figure['errors']} | {base_cell} | {base_rps} | {base_p50} | {ratio_cell} | {cpu_cell(figure)} |"
            )
    return lines


def cpu_cell(figure):
    cpu = figure.get("cpu")
    if not cpu:
        return "—"
    return " / ".join("—" if cpu[k] is None else f"{cpu[k]:,.0f}" for k in ("service", "db", "tool"))


def met(ok, *figures):
    # A figure with failed requests measured something else than the work it names.
    failed = sum(f["errors"] for f in figures)
    if failed:
        return f"not met ({failed:,} failed requests)"
    return "met" if ok else "not met"


def targets(results):
    """(target, status, evidence) for each of the issue's targets; they apply to PostgreSQL."""
    pg = [r for r in results if r["backend"] == "postgres"]
    out = []

    def each(name, check):
        rows = [check(r) for r in pg]
        rows = [row for row in rows if row]
        if not rows:
            out.append((name, "not measured", "no PostgreSQL run of the size it needs"))
        for status, evidence in rows:
            out.append((name, status, evidence))

    each("GET /complaints/{id} ≥ 40% of pgbench select", lambda r: (
        met(r["figures"]["GET /complaints/{id}"]["rps"] >= 0.40 * r["figures"]["pgbench select"]["rps"], r["figures"]["GET /complaints/{id}"]),
        f"{r['size']:,}: {r['figures']['GET /complaints/{id}']['rps']:,.0f} vs {r['figures']['pgbench select']['rps']:,.0f} req/s "
        f"= {ratio(r['figures']['GET /complaints/{id}']['rps'], r['figures']['pgbench select']['rps']):.1%}"))
    for figure in ("POST /complaints", SPREAD_POST):
        each(f"{figure} ≥ 25% of pgbench insert", lambda r, figure=figure: (
            met(r["figures"][figure]["rps"] >= 0.25 * r["figures"]["pgbench insert"]["rps"], r["figures"][figure]),
            f"{r['size']:,}: {r['figures'][figure]['rps']:,.0f} vs {r['figures']['pgbench insert']['rps']:,.0f} req/s "
            f"= {ratio(r['figures'][figure]['rps'], r['figures']['pgbench insert']['rps']):.1%}"))

    def deep(r):
        if "list, page after deep cursor" not in r["figures"]:
            return None
        d, first = r["figures"]["list, page after deep cursor"], r["figures"]["list, first page"]
        evidence = f"{r['size']:,}: p50 {d['p50']:.2f} ms after {r['depth']:,} rows vs {first['p50']:.2f} ms first page = {ratio(d['p50'], first['p50']):.2f}×"
        if r["depth"] < DEEP:
            return ("not measured", evidence + f" (only {r['depth']:,} rows deep; the target names {DEEP:,})")
        return (met(d["p50"] <= 1.5 * first["p50"], d, first), evidence)
    each("list after 100k rows p50 ≤ 1.5 × first-page p50", deep)

    name = f"list ({LIST_FILTER}) p99 at 1M ≤ 2 × p99 at 10k"
    small = next((r for r in pg if r["size"] == 10_000), None)
    large = next((r for r in pg if r["size"] == 1_000_000), None)
    if small and large:
        key = f"list, first page, {LIST_FILTER}"
        a, b = large["figures"][key]["p99"], small["figures"][key]["p99"]
        out.append((name, met(a <= 2 * b, large["figures"][key], small["figures"][key]), f"{a:.2f} ms at 1,000,000 vs {b:.2f} ms at 10,000 = {ratio(a, b):.2f}×"))
    else:
        out.append((name, "not measured", "needs PostgreSQL runs of 10,000 and 1,000,000"))

    def overview(r):
        if r["per_org"] != 100_000:
            return None
        o = r["figures"]["GET /overview (1 connection)"]
        return (met(o["p50"] < 250, o), f"{r['size']:,}: p50 {o['p50']:.0f} ms, p99 {o['p99']:.0f} ms (one organisation of 100,000)")
    each("overview of one organisation with 100k complaints < 250 ms", overview)

    each("service memory under load < 150 MiB", lambda r: (
        met(r["rss_peak"] < 150), f"{r['size']:,}: peak RSS {r['rss_peak']:.1f} MiB (idle {r['rss_idle']:.1f} MiB)"))
    return out


def targets_15(results, export_at):
    """(target, status, evidence) for each of issue 15's targets, from the figures of this run;
    the pgbench baselines exist on PostgreSQL only, so the ratios to them are PostgreSQL's."""
    out = []

    def each(name, rows, missing):
        rows = [row for row in rows if row]
        out.extend((name, status, evidence) for status, evidence in rows)
        if not rows:
            out.append((name, "not measured", missing))

    def of(backend):
        return [r for r in results if r["backend"] == backend]

    def stalls(r):
        p = r["figures"]["POST /complaints"]
        return (met(p["p99"] <= 10 * p["p50"], p), f"{r['size']:,}: p50 {p['p50']:.2f} ms, p99 {p['p99']:.2f} ms "
                f"= {ratio(p['p99'], p['p50']):.1f}× p50, {p['rps']:,.0f} req/s with {r['connections']} connections")
    each("SQLite POST /complaints p99 ≤ 10 × p50", [stalls(r) for r in of("sqlite")], "no SQLite run")

    def against(figure, baseline, share):
        def check(r):
            f, b = r["figures"][figure], r["figures"][baseline]
            return (met(f["rps"] >= share * b["rps"], f), f"{r['size']:,}: {f['rps']:,.0f} vs {b['rps']:,.0f} req/s = {ratio(f['rps'], b['rps']):.1%}")
        return check
    each("GET /complaints/{id} ≥ 25% of pgbench select", map(against("GET /complaints/{id}", "pgbench select", 0.25), of("postgres")), "no PostgreSQL run")
    each("POST /complaints ≥ 10% of pgbench insert", map(against("POST /complaints", "pgbench insert", 0.10), of("postgres")), "no PostgreSQL run")

    limits = {100_000: 150, 1_000_000: 500}

    def overview(r):
        if r["per_org"] not in limits:
            return None
        o, limit = r["figures"]["GET /overview (1 connection)"], limits[r["per_org"]]
        return (met(o["p50"] < limit, o), f"{r['backend']} {r['per_org']:,} in one organisation: p50 {o['p50']:.0f} ms "
                f"(limit {limit} ms), p99 {o['p99']:.0f} ms")
    each("overview at 1,000,000 < 500 ms and at 100,000 < 150 ms, both databases", map(overview, results),
         "no run with 100,000 or 1,000,000 complaints in one organisation")

    for backend in ("postgres", "sqlite"):
        runs = of(backend)
        exported = [r for r in runs if EXPORT in r["figures"]]

        def memory(r):
            e = r["figures"].get(EXPORT)
            load = f"export of {e['rows']:,} rows included" if e else "no export in this run's load"
            return (met(r["rss_peak"] < 100, *([e] if e else [])), f"{r['size']:,}: peak RSS {r['rss_peak']:.1f} MiB ({load}; "
                    f"{r['rss_peak_requests']:.1f} MiB before the overview, idle {r['rss_idle']:.1f} MiB)")
        name = f"{backend} service memory under load < 100 MiB, with the export"
        each(name, map(memory, runs), f"no {backend} run")
        if runs and not exported:
            out.append((name, "not measured", f"no {backend} run of {export_at:,} complaints, where the export is in the load"))
    return out


def report(results, args, command, started):
    lines = [
        f"# Benchmark — {datetime.date.today()}",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {service.machine()}, {platform.machine()}, {platform_description()}.",
        "",
        f"Service: release build, `KLACHTEN_DB_POOL_SIZE={args.pool}`, write rate limit off, "
        f"{'`KLACHTEN_WORKERS=' + str(args.workers) + '`' if args.workers else 'one HTTP worker per core'}. "
        f"Load: wrk, {args.connections} connections, {args.threads} threads, {args.duration} s per figure after "
        f"{args.warmup} s of warm-up; the overview with one connection. Baselines in the same run on the same "
        f"database: pgbench (prepared statements, {args.pool} connections = the pool, {args.threads} threads): "
        f"`SELECT * FROM complaints WHERE id = :random` and a single-row insert into a scratch table with a "
        f"primary key and one index. Data: `klachtenregister seed`, {args.organisations} organisation(s); the "
        f"deep cursor is reached by following `next_cursor` ({WALK_PAGE} a page). Memory: RSS from /proc, "
        f"peak over the whole run (VmHWM). Started {started:%Y-%m-%d %H:%M} UTC, took "
        f"{(datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60:.0f} min.",
        "",
        "## Seeding",
        "",
        "| database | complaints | seconds |",
        "|---|---:|---:|",
        *[f"| {r['backend']} | {r['size']:,} | {r['seed_s']:.1f} |" for r in results],
        "",
        "## Figures",
        "",
        *table(results),
        "",
        "Memory (RSS): " + "; ".join(f"{r['backend']} {r['size']:,}: idle {r['rss_idle']:.1f} MiB, peak under the request load {r['rss_peak_requests']:.1f} MiB, with the overview {r['rss_peak']:.1f} MiB" for r in results) + ".",
        "",
        "## Targets (PostgreSQL)",
        "",
        *[f"- **{status}** — {name}: {evidence}" for name, status, evidence in targets(results)],
        "",
        "## Targets of issue 15",
        "",
        *[f"- **{status}** — {name}: {evidence}" for name, status, evidence in targets_15(results, args.export_at)],
    ]
    oddities = []
    for r in results:
        if r["exit_code"] != 0:
            oddities.append(f"- {r['backend']} {r['size']:,}: the service exited with {r['exit_code']} on SIGTERM")
        for name, figure in r["figures"].items():
            if figure.get("errors"):
                oddities.append(f"- {r['backend']} {r['size']:,}, {name}: {figure['errors']} errors {figure['error_detail']} {figure.get('statuses') or ''}".rstrip())
        for line in r["log_tail"]:
            oddities.append(f"- {r['backend']} {r['size']:,}, service log: `{line.strip()[:300]}`")
    if oddities:
        lines += ["", "## Errors seen", "", *oddities]
    return "\n".join(lines) + "\n"


def platform_description():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((l.split(":", 1)[1].strip() for l in cpuinfo if l.startswith("model name")), "")
    except OSError:
        model = ""
    version = service.query(service.POSTGRES_ADMIN, "SHOW server_version")[0][0].split()[0]
    return f"{model or 'unknown CPU'}, PostgreSQL {version} on the same machine, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description="The benchmark of issue 7, against baselines measured in the same run.", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="complaints in the database, comma-separated")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per figure")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each figure (0: none)")
    parser.add_argument("--organisations", type=int, default=1, help="the complaints are spread over this many organisations; the load is on the first")
    parser.add_argument("--pool", type=int, default=10, help="KLACHTEN_DB_POOL_SIZE, and pgbench's connections")
    parser.add_argument("--connections", type=int, default=None, help="wrk's connections (default: the pool size)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="wrk's and pgbench's threads")
    parser.add_argument("--workers", type=int, default=None, help="KLACHTEN_WORKERS (default: the service's own)")
    parser.add_argument("--export-at", type=int, default=100_000, help="the size whose load includes an export of the whole register as CSV")
    parser.add_argument("--output", default=None, help="the result file (default: bench/results/<date>-benchmark.md)")
    args = parser.parse_args()
    args.connections = args.connections or args.pool
    command = "python3 bench/run.py " + " ".join(sys.argv[1:])

    service.ensure_tool("wrk")
    service.ensure_tool("pgbench", "postgresql", probe=["--version"])
    service.ensure_tool("psql", "postgresql-client")
    service.build()
    started = datetime.datetime.now(datetime.timezone.utc)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for backend in args.backends.split(","):
        for size in sizes:
            r = measure(backend, size, args)
            r["pool"], r["connections"] = args.pool, args.connections
            results.append(r)

    text = report(results, args, command.strip(), started)
    print("\n" + text)
    output = Path(args.output) if args.output else HERE / "results" / f"{datetime.date.today()}-benchmark.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(f"written to {output}")


if __name__ == "__main__":
    main()
