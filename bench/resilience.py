"""The resilience scenarios of issue 7, each against the release binary on a fresh database:

  kill9     kill -9 during 1,000 concurrent registrations with Idempotency-Keys; restart; the
            client retries what got no answer: every key is one complaint, every
            acknowledged complaint is there with the id it was acknowledged with
  outage    PostgreSQL (a throwaway cluster of its own) stopped for 10 s under load: quick 503
            problem+json, no 500, no hang, /health/ready 503, 2xx again within 5 s
  sigterm   SIGTERM under load: in-flight requests complete (also those whose connection is
            still in the accept queue), new connections are refused, exit code 0
  drain     the drain after SIGTERM (KLACHTEN_SHUTDOWN_DRAIN_MS): not ready, connections
            closed after their answer, still accepting; then refusing, exit code 0
  sqlite    50 concurrent writers on SQLite: no "database is locked", no 5xx, every 201 stored

    python3 bench/resilience.py [SCENARIO ...]

Prints PASS or FAIL with the evidence of each and exits 1 when any fails. The PostgreSQL
server of BENCH_POSTGRES_URL is only given databases to create and drop; the outage scenario
stops a cluster it creates itself (initdb, as the postgres user when run as root).
"""

import argparse
import collections
import datetime
import http.client
import json
import queue
import random
import secrets
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import service

HANDLER = "seed-1-staff-3"


def registration(tag):
    """A registration whose matter reference carries its tag, so the database can be asked
    which request each complaint came from. Synthetic names: no personal data."""
    received = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    return {
        "kind": "complaint",
        "received_at": received.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reported_by": "client",
        "complainant": {"name": "Proefklager"},
        "client": {"id": "PROEF-1", "name": "Proefcliënt B.V."},
        "matter_reference": tag,
        "description": "Geregistreerd door de veerkrachtproef.",
    }


def describe(reply):
    """A reply in one line for the evidence: status, content type, the problem's title."""
    text = reply.body[:200].decode(errors="replace").replace("\n", " ")
    return f"{reply.status} {reply.content_type} {text}"


class Outcome:
    def __init__(self):
        self.checks = []
        self.facts = []

    def check(self, ok, claim, evidence=""):
        self.checks.append((bool(ok), claim, evidence))

    def fact(self, text):
        self.facts.append(text)

    @property
    def passed(self):
        return all(ok for ok, _, _ in self.checks)


def log_evidence(outcome, svc, words=("ERROR", "WARN", "panick")):
    lines = [l for l in svc.log_tail(400) if any(w in l for w in words)]
    for line in lines[-8:]:
        outcome.fact("service log: " + line.strip()[:400])


# --- kill -9 during registrations ---------------------------------------------------------

def kill9(outcome, total=1000, concurrency=50, kill_after=250):
    with service.database("postgres") as (url, folder):
        service.seed(url, folder, 10)
        token = service.token(url, folder, HANDLER, "dienstverlener")
        run = "K9-" + secrets.token_hex(3)
        keys = [f"{run}-{n:04d}" for n in range(total)]
        bodies = {key: registration(key) for key in keys}
        svc = service.Service(url, folder, log=str(Path(folder) / "service.log"), KLACHTEN_DB_POOL_SIZE=10)
        first = {}  # key -> ("answer", Reply) | ("none", exception text)
        lock = threading.Lock()
        answered = threading.Semaphore(0)
        work = queue.Queue()
        for key in keys:
            work.put(key)
        in_flight = set()

        def client():
            while True:
                try:
                    key = work.get_nowait()
                except queue.Empty:
                    return
                with lock:
                    in_flight.add(key)
                try:
                    reply = service.call(svc.base, "POST", "/api/v1/complaints", token, bodies[key], {"Idempotency-Key": key}, timeout=30)
                    outcome_of = ("answer", reply)
                except (OSError, http.client.HTTPException) as e:
                    outcome_of = ("none", type(e).__name__)
                with lock:
                    in_flight.discard(key)
                    first[key] = outcome_of
                answered.release()

        threads = [threading.Thread(target=client) for _ in range(concurrency)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for _ in range(kill_after):
            answered.acquire()
        with lock:
            flying = len(in_flight)
        svc.kill()
        killed_at = time.monotonic() - started
        for t in threads:
            t.join()

        acked = {k: o[1].json() for k, o in first.items() if o[0] == "answer" and o[1].status == 201}
        other_answers = collections.Counter(o[1].status for o in first.values() if o[0] == "answer" and o[1].status != 201)
        no_answer = [k for k, o in first.items() if o[0] != "answer" or o[1].status >= 500]
        outcome.fact(f"killed after {killed_at:.2f} s with {flying} requests in flight; before the kill: {len(acked)} acknowledged (201), "
                     f"other answers {dict(other_answers) or 'none'}, {len(no_answer)} without an answer "
                     f"({dict(collections.Counter(o[1] for o in first.values() if o[0] == 'none'))})")
        stored_before_restart = service.query(url, f"SELECT count(*) FROM complaints WHERE matter_reference LIKE '{run}-%'")[0][0]
        outcome.fact(f"in the database right after the kill: {stored_before_restart} of the {total} registrations")

        svc.start()
        retried = {}
        retry_failures = []
        retry_queue = queue.Queue()
        for key in no_answer:
            retry_queue.put(key)

        def retrier():
            while True:
                try:
                    key = retry_queue.get_nowait()
                except queue.Empty:
                    return
                last = None
                for attempt in range(3):
                    try:
                        reply = service.call(svc.base, "POST", "/api/v1/complaints", token, bodies[key], {"Idempotency-Key": key}, timeout=30)
                        last = describe(reply)
                        if reply.status == 201:
                            with lock:
                                retried[key] = reply.json()
                            break
                    except (OSError, http.client.HTTPException) as e:
                        last = type(e).__name__
                    time.sleep(0.2 * (attempt + 1))
                else:
                    with lock:
                        retry_failures.append((key, last))

        threads = [threading.Thread(target=retrier) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcome.check(not retry_failures, f"every retry of the {len(no_answer)} unanswered requests is answered 201",
                      f"failures: {retry_failures[:5]}" if retry_failures else f"{len(retried)} retried, all 201")

        rows = service.query(url, f"SELECT matter_reference, id, reference FROM complaints WHERE matter_reference LIKE '{run}-%'")
        per_key = collections.Counter(r[0] for r in rows)
        ids_by_key = {r[0]: int(r[1]) for r in rows}
        references = collections.Counter(r[2] for r in rows)
        outcome.check(len(rows) == total and all(n == 1 for n in per_key.values()) and len(per_key) == total,
                      f"the database holds exactly one complaint per key ({total})",
                      f"{len(rows)} rows for {len(per_key)} keys; duplicated keys: {[k for k, n in per_key.items() if n > 1][:5]}")
        outcome.check(all(n == 1 for n in references.values()),
                      "references are unique", f"{len(references)} distinct references; repeated: {[r for r, n in references.items() if n > 1][:5]}")
        wrong = [k for k, view in {**acked, **retried}.items() if ids_by_key.get(k) != view["id"]]
        outcome.check(not wrong, f"every acknowledged complaint ({len(acked)} before the kill, {len(retried)} on retry) is stored with the id it was acknowledged with",
                      f"mismatched: {[(k, ids_by_key.get(k), (acked.get(k) or retried.get(k))['id']) for k in wrong[:5]]}")

        # The keys must survive the crash: a retry of an acknowledged request replays it.
        sample = random.sample(sorted(acked), min(100, len(acked)))
        replays = [service.call(svc.base, "POST", "/api/v1/complaints", token, bodies[k], {"Idempotency-Key": k}) for k in sample]
        bad = [(k, describe(r)) for k, r in zip(sample, replays) if r.status != 201 or r.json()["id"] != acked[k]["id"]]
        outcome.check(not bad, f"a retry of {len(sample)} requests acknowledged before the kill replays the first answer (same id)", f"{bad[:3]}")
        after = service.query(url, f"SELECT count(*) FROM complaints WHERE matter_reference LIKE '{run}-%'")[0][0]
        outcome.check(int(after) == total, "the replays created nothing", f"{after} complaints")
        outcome.check(svc.stop() == 0, "the restarted service stops with exit code 0")
        if not outcome.passed:
            log_evidence(outcome, svc)


# --- PostgreSQL stopped for 10 s ----------------------------------------------------------

class Load:
    """Clients that loop over a mix of requests until stopped, recording each answer (or its
    absence) with its start time, relative to `t0`."""

    def __init__(self, svc, token, ids, clients, mix, timeout=30, handler=None):
        self.svc, self.token, self.ids, self.mix, self.timeout = svc, token, ids, mix, timeout
        self.handler = handler
        self.t0 = time.monotonic()
        self.records = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]
        for t in self.threads:
            t.start()

    def now(self):
        return time.monotonic() - self.t0

    def request(self, kind, n):
        if kind == "get":
            return "GET", f"/api/v1/complaints/{random.choice(self.ids)}", None, {}
        if kind == "list":
            return "GET", "/api/v1/complaints?limit=50&status=in_progress", None, {}
        if kind == "overview":
            today = datetime.date.today()
            return "GET", f"/api/v1/overview?from={today - datetime.timedelta(days=3 * 365 + 2)}&to={today}", None, {}
        key = f"L-{secrets.token_hex(6)}"
        body = registration(key)
        if self.handler:
            body["handler_id"] = self.handler
        return "POST", "/api/v1/complaints", body, {"Idempotency-Key": key}

    def _client(self, n):
        count = 0
        while not self.stopped.is_set():
            kind = self.mix[(n + count) % len(self.mix)]
            count += 1
            method, path, body, headers = self.request(kind, count)
            start = self.now()
            try:
                reply = service.call(self.svc.base, method, path, self.token, body, headers, timeout=self.timeout)
                record = (start, self.now(), kind, reply.status, reply.content_type, reply.body[:300])
            except (OSError, http.client.HTTPException) as e:
                record = (start, self.now(), kind, None, type(e).__name__, b"")
                time.sleep(0.05)
            with self.lock:
                self.records.append(record)

    def stop(self):
        self.stopped.set()
        for t in self.threads:
            t.join(self.timeout + 5)
        return list(self.records)


def outage(outcome, down_for=10.0, recover_within=5.0, timeout_ms=3000):
    with service.private_postgres() as cluster:
        url = cluster.create_database("klachten_outage")
        folder = Path(cluster.folder) / "service"
        folder.mkdir()
        service.seed(url, str(folder), 2000)
        coordinator = service.token(url, str(folder), "seed-1-staff-0", "klachtencoordinator")
        ids = [int(r[0]) for r in service.query(url, "SELECT id FROM complaints")]
        svc = service.Service(url, str(folder), log=str(folder / "service.log"), KLACHTEN_DB_TIMEOUT_MS=timeout_ms)
        try:
            client_timeout = 30
            load = Load(svc, coordinator, ids, 8, ["get", "list", "get", "post"], timeout=client_timeout, handler=HANDLER)
            probes = []
            alive = []

            def probe():
                while not load.stopped.is_set():
                    start = load.now()
                    try:
                        reply = service.call(svc.base, "GET", "/health/ready", timeout=client_timeout)
                        probes.append((start, load.now(), reply.status, reply.content_type))
                    except (OSError, http.client.HTTPException) as e:
                        probes.append((start, load.now(), None, type(e).__name__))
                    alive.append((load.now(), svc.alive()))
                    time.sleep(0.25)

            prober = threading.Thread(target=probe, daemon=True)
            prober.start()
            time.sleep(3)
            t_stop = load.now()
            cluster.stop("fast")
            t_down = load.now()
            time.sleep(down_for)
            t_start = load.now()
            cluster.start()
            t_up = load.now()
            time.sleep(recover_within + 3)
            records = load.stop()
            prober.join(client_timeout + 5)
        finally:
            exit_code = svc.stop()

        outcome.fact(f"PostgreSQL stopped at {t_stop:.1f}-{t_down:.1f} s, started at {t_start:.1f}-{t_up:.1f} s (load time); {len(records)} requests")
        before = [r for r in records if r[1] < t_stop]
        during = [r for r in records if r[0] >= t_down and r[1] <= t_start]
        straddling = [r for r in records if r not in before and r not in during and r[0] < t_up]
        outcome.check(before and all(r[3] and r[3] < 300 for r in before), "before the outage every request succeeds",
                      f"{len(before)} requests, statuses {dict(collections.Counter(r[3] for r in before))}; "
                      f"others: {[(round(r[0], 2), r[2], r[3], r[5][:300]) for r in before if not (r[3] and r[3] < 300)][:3]}")
        statuses = collections.Counter((r[3], r[4]) for r in during)
        outcome.fact(f"during the outage: {len(during)} requests, answers {dict(statuses)}")
        not_503 = [r for r in during if r[3] != 503 or not r[4].startswith("application/problem+json")]
        outcome.check(during and not not_503, "during the outage every request is answered 503 application/problem+json",
                      f"others: {[(round(r[0], 2), r[2], r[3], r[4], r[5][:160]) for r in not_503[:5]]}")
        slowest = max((r[1] - r[0] for r in during), default=0)
        limit = timeout_ms / 1000 + 2
        outcome.check(during and slowest <= limit, f"answers during the outage come within {limit:.0f} s (KLACHTEN_DB_TIMEOUT_MS + 2 s; client timeout {client_timeout} s)",
                      f"slowest {slowest:.2f} s, median {sorted(r[1] - r[0] for r in during)[len(during) // 2] if during else 0:.2f} s")
        fivehundreds = [r for r in records if r[3] is not None and r[3] >= 500 and r[3] != 503]
        no_answer = [r for r in records if r[3] is None]
        outcome.check(not fivehundreds and not no_answer, "no 5xx other than 503, and no request without an answer, over the whole run",
                      f"5xx: {[(round(r[0], 2), r[2], r[3], r[5][:160]) for r in fivehundreds[:5]]}; unanswered: {[(round(r[0], 2), r[2], r[4]) for r in no_answer[:5]]}")
        outcome.fact(f"requests straddling the stop or the start: {dict(collections.Counter((r[3], r[4]) for r in straddling))}")
        outage_probes = [p for p in probes if p[0] >= t_down + 0.5 and p[1] <= t_start]
        outcome.check(outage_probes and all(p[2] == 503 for p in outage_probes), "/health/ready answers 503 during the outage",
                      f"{len(outage_probes)} probes: {dict(collections.Counter(p[2] for p in outage_probes))}, "
                      f"each answered in {', '.join(f'{p[1] - p[0]:.2f}' for p in outage_probes)} s")
        outcome.check(all(a for _, a in alive) and exit_code == 0, "the process stays up throughout (and stops with 0 after)",
                      f"exit code {exit_code}")
        after = sorted((r for r in records if r[0] >= t_up), key=lambda r: r[1])
        first_ok = next((r for r in after if r[3] and r[3] < 300), None)
        recovered = first_ok[1] - t_up if first_ok else None
        outcome.check(recovered is not None and recovered <= recover_within,
                      f"a request succeeds within {recover_within:.0f} s of PostgreSQL's return",
                      f"first 2xx {recovered:.2f} s after PostgreSQL was back" if recovered is not None else "no 2xx after PostgreSQL was back")
        settled = [r for r in records if r[0] >= t_up + recover_within]
        failing = [r for r in settled if not (r[3] and r[3] < 300)]
        outcome.check(settled and not failing, f"every request started {recover_within:.0f} s after PostgreSQL's return succeeds (the whole pool recovered)",
                      f"{len(settled)} requests; failing: {[(round(r[0] - t_up, 2), r[2], r[3], r[5][:160]) for r in failing[:5]]}")
        if not outcome.passed:
            log_evidence(outcome, svc)


# --- SIGTERM under load --------------------------------------------------------------------

def sigterm(outcome, clients=16):
    with service.database("postgres") as (url, folder):
        service.seed(url, folder, 5000)
        token = service.token(url, folder, "seed-1-staff-0", "klachtencoordinator")
        ids = [int(r[0]) for r in service.query(url, "SELECT id FROM complaints")]
        svc = service.Service(url, folder, log=str(Path(folder) / "service.log"))
        records = []
        lock = threading.Lock()
        stopped = threading.Event()
        t0 = time.monotonic()
        now = lambda: time.monotonic() - t0
        host, port = "127.0.0.1", svc.port
        today = datetime.date.today()
        paths = [
            f"/api/v1/complaints/{{id}}",
            "/api/v1/complaints?limit=200",
            f"/api/v1/overview?from={today - datetime.timedelta(days=3 * 365 + 2)}&to={today}",
            "POST",
        ]

        def client(n):
            count = 0
            while not stopped.is_set():
                count += 1
                path = paths[(n + count) % len(paths)]
                body = None
                headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
                if path == "POST":
                    key = "ST-" + secrets.token_hex(6)
                    body = json.dumps({**registration(key), "handler_id": HANDLER}).encode()
                    headers.update({"Idempotency-Key": key, "Content-Type": "application/json"})
                    method, path = "POST", "/api/v1/complaints"
                else:
                    method, path = "GET", path.replace("{id}", str(random.choice(ids)))
                connect_at = now()
                sent_at = None
                conn = http.client.HTTPConnection(host, port, timeout=30)
                try:
                    conn.request(method, path, body=body, headers=headers)
                    sent_at = now()
                    response = conn.getresponse()
                    response.read()
                    record = (connect_at, sent_at, now(), response.status, None)
                except (OSError, http.client.HTTPException) as e:
                    record = (connect_at, sent_at, now(), None, type(e).__name__)
                finally:
                    conn.close()
                with lock:
                    records.append(record)
                if record[3] is None:
                    time.sleep(0.02)

        # A request whose body is still arriving when SIGTERM comes: in flight for certain.
        slow = {}

        def slow_request():
            key = "ST-slow-" + secrets.token_hex(4)
            body = json.dumps({**registration(key), "handler_id": HANDLER}).encode()
            sock = socket.create_connection((host, port), timeout=30)
            head = (f"POST /api/v1/complaints HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n"
                    f"Connection: close\r\n\r\n").encode()
            sock.sendall(head + body[: len(body) // 2])
            slow["key"] = key
            slow["half_sent"] = now()
            slow["ready"].set()
            slow["go"].wait(30)
            try:
                sock.sendall(body[len(body) // 2:])
                data = b""
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                slow["answer"] = data.split(b"\r\n", 1)[0].decode(errors="replace")
            except OSError as e:
                slow["answer"] = type(e).__name__
            finally:
                sock.close()

        slow["ready"], slow["go"] = threading.Event(), threading.Event()
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
        slow_thread = threading.Thread(target=slow_request, daemon=True)
        slow_thread.start()
        slow["ready"].wait(10)
        time.sleep(2)
        # A burst of requests on fresh connections sent right before the signal: some of them
        # are still in the kernel's accept queue when it comes.
        burst = []
        for complaint in random.sample(ids, 64):
            sock = socket.create_connection((host, port), timeout=30)
            sock.sendall((f"GET /api/v1/complaints/{complaint} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                          f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n").encode())
            burst.append(sock)
        t_term = now()
        svc.process.send_signal(signal.SIGTERM)

        # New connections while the slow request still holds the process open.
        refusals = []
        time.sleep(0.3)
        for _ in range(5):
            attempt_at = now()
            try:
                with socket.create_connection((host, port), timeout=2) as s:
                    s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    answer = s.recv(100).split(b"\r\n", 1)[0].decode(errors="replace") or "closed without an answer"
            except OSError as e:
                answer = type(e).__name__
            refusals.append((round(attempt_at - t_term, 2), svc.alive(), answer))
            time.sleep(0.1)
        slow["go"].set()
        slow_thread.join(35)
        burst_answers = []
        for sock in burst:
            try:
                burst_answers.append(sock.makefile("rb").readline().decode(errors="replace").strip() or "closed without an answer")
            except OSError as e:
                burst_answers.append(type(e).__name__)
            finally:
                sock.close()
        exit_code = svc.exit_code(within=40)
        t_exit = now()
        time.sleep(0.3)
        stopped.set()
        for t in threads:
            t.join(35)

        outcome.fact(f"SIGTERM at {t_term:.2f} s, exit at {t_exit:.2f} s; {len(records)} requests by {clients} clients")
        sent_before = [r for r in records if r[1] is not None and r[1] < t_term]
        broken = [r for r in sent_before if r[3] is None or r[3] >= 500]
        outcome.check(sent_before and not broken, "every request sent before SIGTERM is answered, none with 5xx",
                      f"{len(sent_before)} sent before; statuses {dict(collections.Counter(r[3] or r[4] for r in sent_before))}; "
                      f"broken: {[(round(r[1] - t_term, 3), round(r[2] - t_term, 3), r[3] or r[4]) for r in broken[:5]]}")
        outcome.check(all(a == "HTTP/1.1 200 OK" for a in burst_answers),
                      f"the {len(burst)} requests sent on fresh connections just before SIGTERM are answered 200",
                      f"{dict(collections.Counter(burst_answers))}")
        in_flight = [r for r in sent_before if r[2] > t_term]
        outcome.fact(f"{len(in_flight)} of them were still waiting for their answer at SIGTERM")
        outcome.check(slow.get("answer", "").startswith("HTTP/1.1 201"),
                      "the request whose body was half sent at SIGTERM completes (201) after it",
                      f"answer: {slow.get('answer')}")
        stored = service.query(url, f"SELECT count(*) FROM complaints WHERE matter_reference = '{slow.get('key')}'")[0][0]
        outcome.check(int(stored) == 1, "and its complaint is stored", f"{stored} rows")
        draining = [r for r in refusals if r[1]]
        outcome.check(refusals and all(r[2] in ("ConnectionRefusedError", "ConnectionResetError") for r in refusals),
                      "new connections after SIGTERM are refused",
                      f"attempts (s after SIGTERM, process alive, result): {refusals}; {len(draining)} while the process was still draining")
        late = [r for r in records if r[0] > t_term + 0.2]
        answered_late = [r for r in late if r[3] is not None]
        outcome.fact(f"load requests begun more than 0.2 s after SIGTERM: {len(late)}; outcomes {dict(collections.Counter(r[3] or r[4] for r in late))}")
        outcome.check(not answered_late, "no request begun after SIGTERM is served",
                      f"{[(round(r[0] - t_term, 3), r[3]) for r in answered_late[:5]]}")
        outcome.check(exit_code == 0, "the process exits with 0", f"exit code {exit_code}")
        if not outcome.passed:
            log_evidence(outcome, svc)


# --- The drain after SIGTERM --------------------------------------------------------------

def drain(outcome, drain_ms=1500):
    """With a drain long enough to look inside: the service still accepts, tells load
    balancers it is not ready and closes each connection after its answer; then refuses."""
    with service.database("sqlite") as (url, folder):
        svc = service.Service(url, folder, log=str(Path(folder) / "service.log"), KLACHTEN_SHUTDOWN_DRAIN_MS=drain_ms)
        kept = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)

        def ask(conn, path):
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                return response.status, response.getheader("Content-Type"), response.getheader("Connection")
            except (OSError, http.client.HTTPException) as e:
                return type(e).__name__
            finally:
                if conn is not kept:
                    conn.close()

        before = ask(kept, "/health/ready")
        t_term = time.monotonic()
        svc.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        ready = ask(kept, "/health/ready")
        live = ask(http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10), "/health/live")
        time.sleep(max(0.0, t_term + drain_ms / 1000 + 0.5 - time.monotonic()))
        after = ask(http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10), "/health/live")
        kept.close()
        exit_code = svc.exit_code(within=30)

        outcome.fact(f"drain of {drain_ms} ms; ready before SIGTERM: {before}")
        outcome.check(ready == (503, "application/problem+json", "close"),
                      "during the drain /health/ready answers 503 problem+json and closes the connection", f"{ready}")
        outcome.check(live == (200, "application/json", "close"),
                      "during the drain a new connection is still served, and closed after its answer", f"{live}")
        outcome.check(after == "ConnectionRefusedError", "after the drain new connections are refused", f"{after}")
        outcome.check(exit_code == 0, "the process exits with 0", f"exit code {exit_code}")
        if not outcome.passed:
            log_evidence(outcome, svc)


# --- SQLite under concurrent writes --------------------------------------------------------

def sqlite_writes(outcome, writers=50, each=20):
    with service.database("sqlite") as (url, folder):
        service.seed(url, folder, 1000)
        token = service.token(url, folder, "seed-1-staff-0", "klachtencoordinator")
        svc = service.Service(url, folder, log=str(Path(folder) / "service.log"))
        run = "SQ-" + secrets.token_hex(3)
        replies = {}
        lock = threading.Lock()
        barrier = threading.Barrier(writers)

        def writer(n):
            barrier.wait()
            for i in range(each):
                key = f"{run}-{n:02d}-{i:02d}"
                try:
                    reply = service.call(svc.base, "POST", "/api/v1/complaints", token, {**registration(key), "handler_id": HANDLER},
                                         {"Idempotency-Key": key}, timeout=60)
                except (OSError, http.client.HTTPException) as e:
                    reply = e
                with lock:
                    replies[key] = reply

        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
        exit_code = svc.stop()

        answers = [r for r in replies.values() if isinstance(r, service.Reply)]
        outcome.fact(f"{len(replies)} registrations by {writers} writers in {took:.1f} s; statuses "
                     f"{dict(collections.Counter(r.status if isinstance(r, service.Reply) else type(r).__name__ for r in replies.values()))}; "
                     f"slowest {max((r.elapsed for r in answers), default=0):.2f} s")
        locked = [describe(r) for r in answers if b"locked" in r.body.lower() or b"busy" in r.body.lower()]
        outcome.check(not locked, 'no answer mentions "database is locked" (or busy)', f"{locked[:3]}")
        bad = [(k, describe(r) if isinstance(r, service.Reply) else type(r).__name__) for k, r in replies.items()
               if not isinstance(r, service.Reply) or r.status >= 500]
        outcome.check(not bad, "no 5xx and no request without an answer", f"{bad[:5]}")
        created = {k: r.json()["id"] for k, r in replies.items() if isinstance(r, service.Reply) and r.status == 201}
        outcome.check(len(created) == writers * each, f"all {writers * each} registrations are acknowledged 201", f"{len(created)} were")
        rows = dict((k, i) for k, i in service.query(url, f"SELECT matter_reference, id FROM complaints WHERE matter_reference LIKE '{run}-%'"))
        missing = [k for k, i in created.items() if rows.get(k) != i]
        outcome.check(not missing and len(rows) == len(created), "every 201 is stored with its id, and nothing else",
                      f"{len(rows)} rows for {len(created)} acknowledgements; missing or different: {missing[:5]}")
        outcome.check(exit_code == 0, "the service stops with 0", f"exit code {exit_code}")
        if not outcome.passed:
            log_evidence(outcome, svc)


SCENARIOS = {"kill9": kill9, "outage": outage, "sigterm": sigterm, "drain": drain, "sqlite": sqlite_writes}


def main():
    parser = argparse.ArgumentParser(description="The resilience scenarios of issue 7.", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=f"some of {', '.join(SCENARIOS)} (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    service.ensure_tool("psql", "postgresql-client")
    service.build()
    failed = []
    for name in args.scenarios or SCENARIOS:
        outcome = Outcome()
        started = time.monotonic()
        print(f"== {name}", flush=True)
        try:
            SCENARIOS[name](outcome)
        except Exception as e:  # a scenario that cannot run has failed, with the reason
            outcome.check(False, "the scenario ran to its end", f"{type(e).__name__}: {e}")
        for fact in outcome.facts:
            print(f"   {fact}")
        for ok, claim, evidence in outcome.checks:
            print(f"   {'ok  ' if ok else 'FAIL'} {claim}" + (f" — {evidence}" if evidence and (not ok or len(evidence) < 300) else ""))
        verdict = "PASS" if outcome.passed and outcome.checks else "FAIL"
        print(f"{verdict} {name} ({time.monotonic() - started:.0f} s)", flush=True)
        if verdict == "FAIL":
            failed.append(name)
    ran = args.scenarios or list(SCENARIOS)
    print(f"\n{len(ran) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
