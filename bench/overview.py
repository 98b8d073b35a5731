"""Benchmark of GET /overview: one organisation with 10,000 and with 100,000 complaints, on
PostgreSQL and SQLite, with the service's memory before and after. Prints a markdown table
and the ratio of each larger run to the 10,000 run of the same database (same run, same
machine). The overview is computed by aggregate queries, so its memory should stay flat.

    python3 bench/overview.py [--sizes 10000,100000] [--requests 20] [--backends postgres,sqlite]
"""

import argparse
import datetime
import statistics
import time

import service


def measure(backend, size, requests):
    with service.database(backend) as (url, folder):
        seeding = service.seed(url, folder, size)
        coordinator = service.token(url, folder, "seed-1-staff-0", "klachtencoordinator")
        svc = service.Service(url, folder)
        try:
            today = datetime.date.today()
            # The seeder spreads receipts over the last three years.
            path = f"/api/v1/overview?from={today - datetime.timedelta(days=3 * 365 + 2)}&to={today}"
            before, _ = svc.memory()
            first = svc.get(path, coordinator)
            assert first["total"] == size, (first["total"], size)
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                svc.get(path, coordinator)
                times.append((time.perf_counter() - started) * 1000)
            after, peak = svc.memory()
        finally:
            svc.stop()
    return {
        "backend": backend,
        "size": size,
        "seed_s": seeding,
        "p50": statistics.median(times),
        "p95": service.percentile(times, 95),
        "before": before,
        "after": after,
        "peak": peak,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--backends", default="postgres,sqlite")
    args = parser.parse_args()
    service.build()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [measure(b, s, args.requests) for b in args.backends.split(",") for s in sizes]

    print(f"\n## GET /overview — {service.machine()}, {datetime.date.today()}\n")
    print("| database | complaints | p50 ms | p95 ms | p50 ratio to smallest | RSS before MiB | RSS after MiB | peak MiB | memory ratio (after) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        base = next(r for r in rows if r["backend"] == row["backend"] and r["size"] == sizes[0])
        print(
            f"| {row['backend']} | {row['size']:,} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['p50'] / base['p50']:.2f} | {row['before']:.1f} | {row['after']:.1f} | {row['peak']:.1f} | "
            f"{row['after'] / base['after']:.2f} |"
        )
    print("\nTarget (issue 7): overview of one organisation with 100,000 complaints < 250 ms; memory flat.")
    for row in rows:
        if row["size"] == 100_000:
            verdict = "met" if row["p50"] < 250 else "not met"
            print(f"- {row['backend']}: p50 {row['p50']:.0f} ms at 100,000 complaints — {verdict}")


if __name__ == "__main__":
    main()
