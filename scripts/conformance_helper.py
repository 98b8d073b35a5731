#!/usr/bin/env python3
"""Helpers for scripts/conformance (standard library only).

    conformance_helper.py free-port
    conformance_helper.py summary OPENAPI_JSON REPORT_DIR...

`summary` reads the NDJSON event streams schemathesis wrote (`--report ndjson`) and prints,
per run, one line per operation: requests sent, the status codes answered, and failed checks;
then every distinct failure (operation, check, status, title) once, with a curl line.
"""

import collections
import base64
import json
import os
import re
import shlex
import socket
import sys

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def _events(report_dir):
    for name in sorted(os.listdir(report_dir)):
        if name.endswith(".ndjson"):
            with open(os.path.join(report_dir, name), encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line:
                        yield json.loads(line)


def _documented(doc_path):
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    return {
        f"{method.upper()} {path}"
        for path, item in doc.get("paths", {}).items()
        for method in item
        if method in METHODS
    }


def _curl(request, limit=400):
    """A shell line that repeats a recorded request (the token left as $TOKEN)."""
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() in ("user-agent", "x-schemathesis-testcaseid", "accept-encoding", "connection", "content-length"):
            continue
        for value in values if isinstance(values, list) else [values]:
            if name.lower() == "authorization":
                value = "Bearer $TOKEN"
            parts += ["-H", f"{name}: {value}"]
    body = (request.get("body") or {}).get("$base64")
    if body:
        text = base64.b64decode(body).decode("utf-8", "replace")
        if len(text) > limit:
            text = text[:limit] + f"…(+{len(text) - limit} characters)"
        parts += ["--data-binary", text]
    parts.append(request.get("uri", "?"))
    return " ".join(shlex.quote(p) if p != "Bearer $TOKEN" else p for p in parts).replace(
        "'Authorization: Bearer $TOKEN'", '"Authorization: Bearer $TOKEN"'
    )


def summary(doc_path, report_dirs):
    documented = _documented(doc_path)
    all_failures = collections.OrderedDict()
    errors_total = 0
    for report_dir in report_dirs:
        label = os.path.basename(os.path.normpath(report_dir))
        cases = collections.Counter()
        statuses = collections.defaultdict(collections.Counter)
        failed = collections.defaultdict(set)
        errors = []
        for event in _events(report_dir):
            if "NonFatalError" in event:
                e = event["NonFatalError"]
                info = e.get("info") or {}
                errors.append(f"{e.get('label', '?')}: {info.get('title') or info.get('message') or 'error'}")
                continue
            if "ScenarioFinished" not in event:
                continue
            rec = event["ScenarioFinished"].get("recorder") or {}
            interactions = rec.get("interactions") or {}
            case_ops = {}
            for case_id, node in (rec.get("cases") or {}).items():
                value = node.get("value") or {}
                case_ops[case_id] = f"{value.get('method', '?').upper()} {value.get('path', '?')}"
            for case_id, inter in interactions.items():
                op = case_ops.get(case_id) or rec.get("label", "?")
                if op not in documented:
                    op = "(methods the document does not list, all paths)"
                code = (inter.get("response") or {}).get("status_code")
                cases[op] += 1
                statuses[op][code] += 1
            for case_id, checks in (rec.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    op = info.get("operation") or case_ops.get(case_id) or rec.get("label", "?")
                    failed[op].add(check.get("name"))
                    inter = interactions.get(case_id) or {}
                    code = (inter.get("response") or {}).get("status_code")
                    key = (op, check.get("name"), code, info.get("title") or check.get("name"))
                    entry = all_failures.setdefault(key, {"runs": set(), "n": 0, "message": info.get("message"), "curl": None})
                    entry["runs"].add(label)
                    entry["n"] += 1
                    if entry["curl"] is None and inter.get("request"):
                        entry["curl"] = _curl(inter["request"])
        total = sum(cases.values())
        print(f"\n  [{label}] {len(cases)} operations, {total} requests")
        width = max((len(op) for op in cases), default=10)
        for op in sorted(cases, key=lambda o: (o.split(" ", 1)[-1], o)):
            codes = " ".join(f"{c}x{n}" for c, n in sorted(statuses[op].items(), key=lambda kv: str(kv[0])))
            mark = ("  FAILED: " + ", ".join(sorted(failed[op]))) if failed[op] else ""
            print(f"    {op:<{width}}  {cases[op]:>5}  {codes}{mark}")
        for err in errors:
            print(f"    ERROR {err}")
        errors_total += len(errors)
    print()
    if all_failures:
        print(f"  {len(all_failures)} distinct failure(s):")
        for (op, check, code, title), entry in all_failures.items():
            print(f"    - {op}  [{check}]  status {code}: {title}  ({entry['n']}x; {', '.join(sorted(entry['runs']))})")
            if entry["message"]:
                print("        " + entry["message"].replace("\n", "\n        "))
            if entry["curl"]:
                print("        " + entry["curl"])
    else:
        print("  no failed checks")
    return 1 if (all_failures or errors_total) else 0


def main(argv):
    if len(argv) >= 1 and argv[0] == "free-port":
        free_port()
        return 0
    if len(argv) >= 3 and argv[0] == "summary":
        return summary(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
