#!/usr/bin/env python3
"""PostgreSQL restarted under load: `ucap serve` keeps running, clients get SERVICE_UNAVAILABLE (never
another error) while the database is away, no write is half done, and full service is back within
5 s of the database's return -- without restarting ucap.

Usage: pg-restart-check.py UCAP_BINARY
Needs the local PostgreSQL cluster (pg_ctlcluster) and may stop and start it: run it alone (CI runs
it after the test suites). Standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"
DB = "ucap_pg_restart_check"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
CLUSTER = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
CREATE = ('mutation($input: CreateActivityInput!) { createActivity(input: $input) '
          '{ activity { id } } }')


def psql(sql, db=PG_ADMIN):
    subprocess.run(["psql", db, "-qc", sql], check=True, capture_output=True)


def pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def post(base, body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{base}/graphql", json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def main():
    binary = sys.argv[1]
    psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DB}"')
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, DATABASE_URL=URL, UCAP_BIND="127.0.0.1:0", UCAP_LOG_FORMAT="json",
               UCAP_JWT_PRIVATE_KEY_FILE=f"{tmp}/jwt.pem", RUST_LOG="info,sqlx=warn")
    log = open(f"{tmp}/server.log", "w+")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    failures = []
    try:
        base = None
        for _ in range(240):
            log.seek(0)
            for line in log:
                if '"listening"' in line:
                    base = f"http://127.0.0.1:{json.loads(line)['port']}"
            if base:
                try:
                    urllib.request.urlopen(f"{base}/readyz", timeout=2)
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        else:
            sys.exit("the server did not become ready")
        token = subprocess.run([binary, "token", "issue", "--role", "ADMIN", "--label", "restart"],
                               env=env, check=True, capture_output=True, text=True
                               ).stdout.strip().splitlines()[-1]

        seen, stop = [], threading.Event()

        def client(n):
            i = 0
            while not stop.is_set():
                i += 1
                started = time.time()
                if i % 2:
                    body = {"query": "{ plans { totalCount nodes { activities { totalCount } } } }"}
                else:
                    body = {"query": CREATE, "variables": {"input": {
                        "plan": "UGxhbjox", "title": f"restart-{n}-{i}", "kind": "WORKSHOP",
                        "cities": ["Q2l0eToz"], "idempotencyKey": f"restart-{n}-{i}"}}}
                try:
                    status, body = post(base, body, token)
                except OSError as e:
                    status, body = -1, {"errors": [{"message": str(e)}]}
                seen.append((started, time.time(), status, body))
                time.sleep(0.02)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        time.sleep(2)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER, "main", "restart",
                        "-m", "fast"], check=True)
        while not pg_ready():
            time.sleep(0.05)
        back = time.time()
        time.sleep(8)
        stop.set()
        for t in threads:
            t.join()

        codes = {}
        for started, ended, status, body in seen:
            errors = body.get("errors") or []
            for e in errors:
                code = (e.get("extensions") or {}).get("code")
                codes[code] = codes.get(code, 0) + 1
                if code != "SERVICE_UNAVAILABLE":
                    failures.append(f"{status} {e}")
            if status not in (200, 503):
                failures.append(f"HTTP {status}: {body}")
        after = [(s, e, st, b) for s, e, st, b in seen if s >= back + 5]
        late = [b for s, e, st, b in after if st != 200 or b.get("errors")]
        if not after:
            failures.append("no request was made 5 s after the database returned")
        if late:
            failures.append(f"{len(late)} requests failed more than 5 s after the database "
                            f"returned: {late[:3]}")
        first_ok = min((e for s, e, st, b in seen if s >= back and st == 200
                        and not b.get("errors")), default=None)
        half = subprocess.run(
            ["psql", URL, "-tAc", "SELECT COUNT(*) FROM activity a WHERE title LIKE 'restart-%' "
             "AND NOT EXISTS (SELECT 1 FROM activity_city c WHERE c.activity_id = a.id)"],
            check=True, capture_output=True, text=True).stdout.strip()
        if half != "0":
            failures.append(f"{half} half-written activities")
        print(f"requests: {len(seen)}, error codes: {codes}, first full answer "
              f"{(first_ok - back) if first_ok else float('nan'):.2f} s after the database "
              f"returned, half-written writes: {half}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    if server.returncode != 0:
        failures.append(f"ucap exited with {server.returncode} after SIGTERM")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures[:20]))
        sys.exit(1)
    print("ok: PostgreSQL restart survived")


if __name__ == "__main__":
    main()
