"""Benchmark of the register's export (GET /complaints as CSV and as XLSX): one organisation
with 10,000 and with 100,000 complaints, on PostgreSQL and SQLite, with the service's peak
memory. The export streams rows as it reads them, so its memory should not grow with the
register: the table prints each run's peak as a ratio to the 10,000 run of the same database
and format (same run, same machine). The body is read in chunks and counted, never held.

    python3 bench/export.py [--sizes 10000,100000] [--backends postgres,sqlite]
"""

import argparse
import datetime
import time
import urllib.request

import service

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export(svc, token, accept):
    """Streams one export to nowhere: (seconds, bytes, CSV lines), peak RSS sampled per chunk."""
    request = urllib.request.Request(
        svc.base + "/api/v1/complaints", headers={"Authorization": f"Bearer {token}", "Accept": accept}
    )
    started, size, lines, peak = time.perf_counter(), 0, 0, 0.0
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
            peak = max(peak, svc.memory()[0])
    return time.perf_counter() - started, size, lines, peak


def measure(backend, size):
    rows = []
    with service.database(backend) as (url, folder):
        service.seed(url, folder, size)
        coordinator = service.token(url, folder, "seed-1-staff-0", "klachtencoordinator")
        for name, accept in FORMATS.items():
            # A fresh process per format, so each peak is that export's own.
            svc = service.Service(url, folder)
            try:
                idle = svc.memory()[0]
                seconds, body, lines, sampled = export(svc, coordinator, accept)
                peak = max(sampled, svc.memory()[1])
            finally:
                svc.stop()
            if name == "csv":
                # A header line and a line per complaint (texts with line breaks are quoted,
                # and the seeder writes none).
                assert lines == size + 1, (lines, size)
            rows.append(
                {"backend": backend, "size": size, "format": name, "seconds": seconds,
                 "mib": body / 2**20, "idle": idle, "peak": peak}
            )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="postgres,sqlite")
    args = parser.parse_args()
    service.build()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [row for b in args.backends.split(",") for s in sizes for row in measure(b, s)]

    print(f"\n## Export of the register — {service.machine()}, {datetime.date.today()}\n")
    print("| database | complaints | format | seconds | body MiB | RSS idle MiB | peak RSS MiB | peak ratio to smallest |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        base = next(
            r for r in rows
            if (r["backend"], r["format"], r["size"]) == (row["backend"], row["format"], sizes[0])
        )
        print(
            f"| {row['backend']} | {row['size']:,} | {row['format']} | {row['seconds']:.1f} | "
            f"{row['mib']:.1f} | {row['idle']:.1f} | {row['peak']:.1f} | {row['peak'] / base['peak']:.2f} |"
        )
    print("\nTarget (issue 14): the export's memory does not grow with the register (ratio near 1).")


if __name__ == "__main__":
    main()
