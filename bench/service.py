"""Shared pieces of the benchmarks: a fresh database, the seeded data set, the service
running on it (release build), tokens, and the service's memory as the kernel counts it.

Only the standard library and Debian's tools: the benchmarks run on a fresh machine, and
`ensure_tool` installs what is missing.
"""

import glob
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BINARY = Path(os.environ.get("BENCH_BINARY", TARGET / "release" / "klachtenregister"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def build():
    """Builds the release binary unless BENCH_BINARY names one."""
    if "BENCH_BINARY" not in os.environ:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


def ensure_tool(command, package=None, probe=None):
    """The path of `command`, installed from Debian's packages when it is not on PATH (or,
    with `probe`, when running it with those arguments fails: Debian's wrappers for the
    PostgreSQL tools are on PATH before the server package that holds them is installed)."""

    def usable():
        found = shutil.which(command)
        if found and probe:
            if subprocess.run([found, *probe], capture_output=True).returncode != 0:
                return None
        return found

    found = usable()
    if found:
        return found
    install = ["apt-get", "install", "-y", "-q", package or command]
    if os.geteuid() != 0:
        install = ["sudo", *install]
    if subprocess.run(install, capture_output=True).returncode != 0:
        # A fresh machine may not have the package lists yet.
        subprocess.run([*install[:-4], "update", "-q"], check=True, capture_output=True)
        subprocess.run(install, check=True, capture_output=True)
    found = usable()
    if not found:
        raise RuntimeError(f"{command}: not on PATH after installing {package or command}")
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql, url=POSTGRES_ADMIN):
    subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True)


def query(url, sql):
    """Rows of a query on either backend, as tuples of strings (PostgreSQL) or values (SQLite)."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
            return conn.execute(sql).fetchall()
    out = subprocess.run(["psql", url, "-qAtF", "\t", "-c", sql], check=True, capture_output=True, text=True)
    return [tuple(line.split("\t")) for line in out.stdout.splitlines()]


@contextmanager
def database(backend):
    """A fresh, empty database: (database URL, data folder)."""
    folder = tempfile.mkdtemp(prefix="klachten-bench-")
    if backend == "sqlite":
        try:
            yield f"sqlite://{folder}/bench.sqlite3", folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = "klachten_bench_" + secrets.token_hex(4)
    psql(f"CREATE DATABASE {name}")
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}", folder
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)


def environment(url, folder, **extra):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "KLACHTEN_DATABASE_URL": url,
        "KLACHTEN_DATA_DIR": folder,
        "KLACHTEN_JWT_SECRET": "bench-secret-" + "x" * 40,
        # A load generator writes far faster than any person: the per-staff limit would
        # measure itself.
        "KLACHTEN_WRITES_PER_MINUTE": "0",
        "RUST_LOG": "warn",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def seed(url, folder, complaints, organisations=1):
    """Seeds the database; returns the seconds the seeder took. On PostgreSQL the bulk load
    is then vacuumed and checkpointed (not counted): a database in service has been, and
    autovacuum working through a million fresh rows would otherwise share the measured
    minutes."""
    started = time.monotonic()
    subprocess.run(
        [str(BINARY), "seed", "--organisations", str(organisations), "--complaints", str(complaints)],
        env=environment(url, folder),
        check=True,
        capture_output=True,
    )
    took = time.monotonic() - started
    if url.startswith("postgres"):
        psql("VACUUM ANALYZE", url)
        # Needs a superuser or pg_checkpoint; without it the writes just land later.
        subprocess.run(["psql", url, "-qAtc", "CHECKPOINT"], capture_output=True)
    return took


def organisation(url, folder, slug):
    """Registers an organisation with no complaints (as an operator would)."""
    subprocess.run(
        [str(BINARY), "organisation", "create", "--id", slug, "--name", f"Kantoor {slug}"],
        env=environment(url, folder),
        check=True,
        capture_output=True,
    )


def token(url, folder, staff_id, role, organisation="seed-1"):
    out = subprocess.run(
        [str(BINARY), "token", "--organisation", organisation, "--staff-id", staff_id, "--role", role, "--hours", "24"],
        env=environment(url, folder),
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


class Service:
    """The service as a child process. `log` keeps its output (for evidence when something
    fails); `port` lets a restarted process take its predecessor's address."""

    def __init__(self, url, folder, port=None, log=None, **settings):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = environment(url, folder, KLACHTEN_BIND=f"127.0.0.1:{self.port}", **settings)
        self.log = log
        self.process = None
        self.start()

    def start(self, timeout=60):
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen([str(BINARY)], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        finally:
            if self.log:
                out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited with {self.process.returncode} at start")
            try:
                with urllib.request.urlopen(self.base + "/health/ready", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the service did not become ready")

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def memory(self):
        """(resident now, peak) in MiB, from /proc."""
        fields = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        mib = lambda key: int(fields[key].split()[0]) / 1024
        return mib("VmRSS"), mib("VmHWM")

    def get(self, path, token, accept="application/json"):
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {token}", "Accept": accept})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read()) if accept == "application/json" else response.read()

    def kill(self):
        """SIGKILL: no chance to finish anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL after `timeout`; the exit code (negative: killed by a signal)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.exit_code(within=timeout)
        return self.process.returncode

    def exit_code(self, within):
        """After a signal sent by the caller: the exit code, or — killed when it did not come
        within `within` seconds — a text saying so."""
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.kill()
            return f"still running {within} s after the signal"

    def log_tail(self, lines=20):
        if not self.log or not os.path.exists(self.log):
            return []
        with open(self.log, errors="replace") as log:
            # The service colours its log even when it is not writing to a terminal.
            return [ANSI.sub("", line) for line in log.read().splitlines()[-lines:]]


class Reply:
    def __init__(self, status, headers, body, started, elapsed):
        self.status, self.headers, self.body = status, headers, body
        self.started, self.elapsed = started, elapsed

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def json(self):
        return json.loads(self.body)


def call(base, method, path, token=None, body=None, headers=None, timeout=30):
    """One request on a connection of its own; raises OSError (and http.client's errors) when
    no answer comes, so that callers can tell "no answer" from an answer."""
    host, port = base.removeprefix("http://").split(":")
    send = {"Accept": "application/json", **(headers or {})}
    if token:
        send["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        send["Content-Type"] = "application/json"
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=send)
        response = conn.getresponse()
        payload = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers, payload, started, time.monotonic() - started)
    finally:
        conn.close()


class PrivatePostgres:
    """A PostgreSQL cluster of our own, in a temporary folder, for scenarios that stop the
    database: the machine's shared server must never be stopped."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = Path(versions[-1])
        self.folder = Path(tempfile.mkdtemp(prefix="klachten-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            # initdb refuses to run as root.
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, tool, *args, check=True):
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name):
        psql(f"CREATE DATABASE {name}", self.url())
        return self.url(name)

    def destroy(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def private_postgres():
    cluster = PrivatePostgres()
    try:
        yield cluster
    finally:
        cluster.destroy()


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def machine():
    cores = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        total = int(meminfo.readline().split()[1]) / 1024 / 1024
    return f"{cores} cores, {total:.0f} GiB memory"
