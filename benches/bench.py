#!/usr/bin/env python3
"""Load benchmark of the ComptExpert API: drives the release build with wrk on loopback and
prints every figure as a ratio to a baseline measured in the same run (see benches/run)."""

import argparse
import base64
import datetime
import hashlib
import json
import os
import platform
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release")
LUA = os.path.join(ROOT, "benches", "lua")
PORT, HELLO_PORT = 18080, 18081
BASE = f"http://127.0.0.1:{PORT}"
DEMO_MEMBER = ("mdurand", "Demo-2026!")
DEMO_MEMBER_EMAIL = "marie.durand@cabinet-durand.example"


def http(method, path, body=None, token=None, base=BASE):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def wait_ready(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    sys.exit(f"{url} did not become ready")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(path, seconds, connections, threads=2, script=None, args=(), base=BASE, headers=(), server_pid=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", os.path.join(LUA, script)]
    cmd.append(base + path)
    if args:
        cmd += ["--", *args]
    cpu_before, started = (cpu_seconds(server_pid), time.time()) if server_pid else (None, None)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    # Cores the service itself kept busy (the load generator and PostgreSQL run on the same cores).
    service_cores = (cpu_seconds(server_pid) - cpu_before) / (time.time() - started) if server_pid else None
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        lat[pct] = float(value) * UNITS[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "non_2xx": errors, "service_cores": service_cores}


def alternate_timing(path, seconds, known, unknown, expect):
    """Times a known and an unknown case interleaved on one keep-alive connection, as someone
    probing for accounts would, so that both see the same state of the machine and drift between
    two separate runs does not pass for a difference. Each request's case is drawn at random
    (fixed seed), independently of the one before: a strict alternation made the work a known
    case leaves after its answer (the recovery email) land more often on the unknown requests that
    follow it. Each body builder gets the request's number (sign-in uses a new identifier each
    time: the per-identifier lock never starts)."""
    import http.client
    import random
    draw = random.Random(2026)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    samples = ([], [])
    unexpected = 0
    deadline = time.time() + seconds
    n = 0
    while time.time() < deadline:
        n += 1
        index = draw.randrange(2)
        body = json.dumps((known, unknown)[index](n)).encode()
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        samples[index].append((time.perf_counter() - started) * 1000)
        unexpected += response.status != expect
    conn.close()

    def summary(values):
        values.sort()
        return {"rps": len(values) / seconds, "p50": values[len(values) // 2], "p99": values[int(len(values) * 0.99)], "unexpected": unexpected, "count": len(values)}
    return summary(samples[0]), summary(samples[1])


def argon2_rate(seconds):
    """Raw Argon2id hashes per second on every core, with the service's parameters."""
    out = subprocess.run([os.path.join(RELEASE, "examples", "argon2_rate"), str(seconds)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["hashes_per_second"]


def postgres_cpu_seconds():
    """CPU time of every PostgreSQL process on the machine so far (the benchmark's own server)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() != "postgres":
                    continue
            total += cpu_seconds(int(entry))
        except OSError:
            continue
    return total


def campaign_day(server_pid, work, env, seconds, connections, backend, users=300):
    """The campaign-day scenario (benches/campaign_day.rs): whole journeys of distinct RACs at 64
    connections, with the Argon2id rate measured just before and just after, and the CPU the
    service (and PostgreSQL) used during the load."""
    before = argon2_rate(max(2, seconds // 4))
    command = [os.path.join(RELEASE, "examples", "campaign_day"), BASE, env["MAIL_DIR"], os.path.join(RELEASE, "comptexpert"),
               work, env["PAYMENT_WEBHOOK_SECRET"], "--users", str(users), "--connections", str(connections), "--seconds", str(seconds)]
    load = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    first = load.stdout.readline()
    if "load_started" not in first:
        load.wait()
        sys.exit(f"campaign_day did not start its load: {first!r}")
    started, service0 = time.time(), cpu_seconds(server_pid)
    pg0 = postgres_cpu_seconds() if backend == "postgres" else 0.0
    result = json.loads(load.stdout.read())
    load.wait()
    elapsed = time.time() - started
    result["service_cores"] = (cpu_seconds(server_pid) - service0) / elapsed
    result["postgres_cores"] = (postgres_cpu_seconds() - pg0) / elapsed if backend == "postgres" else None
    result["argon2"] = (before + argon2_rate(max(2, seconds // 4))) / 2
    return result


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def seed_refresh_tokens(backend, database_url, account_id, count, path):
    """Sessions written straight to the database: the bench measures refresh, not sign-in."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
    expires = now + datetime.timedelta(days=30)
    sessions, tokens, lines = [], [], []
    for _ in range(count):
        token = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        sid = str(uuid.uuid4())
        sessions.append((sid, account_id, "pwd", True, now, now, expires))
        tokens.append((hashlib.sha256(token.encode()).hexdigest(), sid, now))
        lines.append(token)
    if backend == "sqlite":
        db = sqlite3.connect(database_url.removeprefix("sqlite://"), timeout=30)
        fmt = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")
        db.executemany(
            "INSERT INTO sessions (id, account_id, amr, keep_active, created_at, last_used_at, expires_at) VALUES (?,?,?,?,?,?,?)",
            [(s[0], s[1], s[2], 1, fmt(s[4]), fmt(s[5]), fmt(s[6])) for s in sessions],
        )
        db.executemany("INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (?,?,?)",
                       [(t[0], t[1], fmt(t[2])) for t in tokens])
        db.commit()
        db.close()
    else:
        copy = "\\copy sessions (id, account_id, amr, keep_active, created_at, last_used_at, expires_at) FROM STDIN WITH CSV\n"
        rows = "".join(f"{s[0]},{s[1]},pwd,true,{s[4]},{s[5]},{s[6]}\n" for s in sessions)
        rows2 = "".join(f"{t[0]},{t[1]},{t[2]}\n" for t in tokens)
        script = copy + rows + "\\.\n" + "\\copy refresh_tokens (token_hash, session_id, issued_at) FROM STDIN WITH CSV\n" + rows2 + "\\.\n"
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url], input=script, text=True, check=True)
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")


def seed_known_accounts(backend, database_url, count):
    """Accounts bench.known.1…N sharing the demo member's Argon2id hash: known identifiers that
    are each signed in to once, so the per-identifier lock never hides the path being timed."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    columns = "id, identifier, email, quality_code, civility, last_name, first_name, accepts_communications, password_hash, status, created_at, updated_at, activated_at"
    if backend == "sqlite":
        db = sqlite3.connect(database_url.removeprefix("sqlite://"), timeout=30)
        (hash_,) = db.execute("SELECT password_hash FROM accounts WHERE identifier = ?", (DEMO_MEMBER[0],)).fetchone()
        db.executemany(
            f"INSERT INTO accounts ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(str(uuid.uuid4()), f"bench.known.{n}", f"bench{n}@bench.example", "autre_profil", "M", "Bench", "Known", 0, hash_, "active", now, now, now)
             for n in range(1, count + 1)],
        )
        db.commit()
        db.close()
    else:
        sql = (f"INSERT INTO accounts ({columns}) SELECT md5(random()::text || n)::uuid::text, 'bench.known.' || n, "
               f"'bench' || n || '@bench.example', 'autre_profil', 'M', 'Bench', 'Known', false, a.password_hash, 'active', "
               f"'{now}', '{now}', '{now}' FROM generate_series(1, {count}) n, accounts a WHERE a.identifier = '{DEMO_MEMBER[0]}'")
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c", sql], check=True)


def run_backend(backend, seconds, connections, baseline, only=None):
    wanted = lambda name: only is None or name in only
    work = tempfile.mkdtemp(prefix=f"comptexpert-bench-{backend}-")
    if backend == "sqlite":
        database_url = f"sqlite://{work}/bench.db"
        pg_db = None
    else:
        pg_db = f"comptexpert_bench_{os.getpid()}"
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", f'CREATE DATABASE "{pg_db}"'], check=True)
        # Loopback: TLS to the local server (on by default with Debian's PostgreSQL) would only add
        # encryption work on both ends of the same machine (see README).
        database_url = f"postgres://postgres@127.0.0.1:5432/{pg_db}?sslmode=disable"
    env = dict(os.environ, DATABASE_URL=database_url, BIND_ADDR=f"127.0.0.1:{PORT}", MAIL_DIR=f"{work}/mail",
               JWT_KEY_FILE=f"{work}/jwt.pem", ID_TOKEN_KEY_FILE=f"{work}/id-token.pem", RATE_LIMITS="off", RUST_LOG="warn",
               # The campaign day pays with the shipped test provider and confirms with its signed webhook.
               PAYMENT_PROVIDER="test", PAYMENT_WEBHOOK_SECRET=f"bench-{secrets.token_hex(16)}")
    binary = os.path.join(RELEASE, "comptexpert")
    results = {}
    server = None
    try:
        started = time.time()
        subprocess.run([binary, "seed-demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        results["seed_seconds"] = time.time() - started
        server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(f"{BASE}/ready")
        time.sleep(1)
        results["rss_idle_mib"] = rss_kib(server.pid, "VmRSS") / 1024
        status, body = http("POST", "/v1/sessions", {"identifier": DEMO_MEMBER[0], "password": DEMO_MEMBER[1]})
        if status != 201:
            sys.exit(f"demo sign-in failed: {status} {body}")
        token, account_id = body["access_token"], body["account"]["id"]
        auth = [f"Authorization: Bearer {token}"]
        _, regions = http("GET", "/v1/portal/regions", token=token)
        region = max(regions["items"], key=lambda r: r["bureaux_count"])["code"]
        # The demo member's first visit to her region asks which email to keep (409 until then):
        # answer it, and check the dashboard answers 200 before timing it.
        status, body = http("PUT", f"/v1/portal/regions/{region}/email-choice", {"choice": "comptexpert"}, token=token)
        if status != 200:
            sys.exit(f"email choice failed: {status} {body}")
        status, body = http("GET", f"/v1/portal/regions/{region}/bureaux", token=token)
        if status != 200 or not body.get("items"):
            sys.exit(f"the bureaux dashboard did not answer with bureaux: {status} {str(body)[:300]}")

        r = results
        peaks = {}
        r["peak_after"] = peaks
        if wanted("health"):
            r["health"] = wrk("/health", seconds, connections)
            peaks["health"] = rss_kib(server.pid, "VmHWM") // 1024
        if wanted("me"):
            r["me"] = wrk("/v1/me", seconds, connections, headers=auth)
            peaks["me"] = rss_kib(server.pid, "VmHWM") // 1024
        if wanted("bureaux"):
            r["bureaux"] = wrk(f"/v1/portal/regions/{region}/bureaux", seconds, connections, headers=auth)
            peaks["bureaux"] = rss_kib(server.pid, "VmHWM") // 1024
        if wanted("search"):
            r["search"] = wrk("/", seconds, 64, script="search.lua")
            r["search_paced"] = wrk("/", seconds, 64, script="search_paced.lua")
            peaks["search"] = rss_kib(server.pid, "VmHWM") // 1024
        if wanted("refresh"):
            tokens_file = f"{work}/refresh-tokens.txt"
            # Each token works once: enough for 30,000 refreshes a second (beyond that, non-2xx answers
            # in the table say the run outgrew its tokens).
            seed_refresh_tokens(backend, database_url, account_id, max(80_000, 30_000 * seconds), tokens_file)
            r["refresh"] = wrk("/v1/sessions/refresh", seconds, connections, script="refresh.lua", args=(tokens_file, "2"), server_pid=server.pid)
            peaks["refresh"] = rss_kib(server.pid, "VmHWM") // 1024
        login = json.dumps({"identifier": DEMO_MEMBER[0], "password": DEMO_MEMBER[1]})
        if wanted("login"):
            # The machine's speed drifts within a run (±10 % over a minute): logins and the raw
            # Argon2id rate are measured in alternating slices, so both see the same machine.
            slice_seconds = max(2, round(seconds / 4))
            rates, slices = [], []
            for _ in range(4):
                rates.append(argon2_rate(slice_seconds))
                slices.append(wrk("/", slice_seconds, 16, script="post_json.lua", args=("/v1/sessions", login)))
            r["argon2"] = sum(rates) / len(rates)
            r["login"] = {
                "rps": sum(m["rps"] for m in slices) / len(slices),
                "p50": sorted(m["p50"] or 0 for m in slices)[len(slices) // 2],
                "p99": max(m["p99"] or 0 for m in slices),
                "non_2xx": sum(m["non_2xx"] for m in slices),
                "service_cores": None,
            }
            peaks["login"] = rss_kib(server.pid, "VmHWM") // 1024
        if wanted("storm"):
            # Login storm with a concurrent probe of /health on one connection.
            storm = subprocess.Popen(["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", os.path.join(LUA, "post_json.lua"), BASE + "/", "--", "/v1/sessions", login],
                                     stdout=subprocess.DEVNULL)
            time.sleep(0.5)
            r["health_during_storm"] = wrk("/health", seconds - 1, 1, threads=1)
            storm.wait()
            peaks["login_storm"] = rss_kib(server.pid, "VmHWM") // 1024
        if wanted("timing"):
            # Timing of unknown vs known identifiers (sign-in) and emails (recovery): one connection each.
            short = max(3, seconds // 2)
            seed_known_accounts(backend, database_url, 3_000)
            r["signin_known"], r["signin_unknown"] = alternate_timing(
                "/v1/sessions", short,
                lambda n: {"identifier": f"bench.known.{n}", "password": "Wrong-pass-1!"},
                lambda n: {"identifier": f"bench.unknown.{n}", "password": "Wrong-pass-1!"}, expect=401)
            r["recovery_known"], r["recovery_unknown"] = alternate_timing(
                "/v1/recovery", short,
                lambda n: {"email": DEMO_MEMBER_EMAIL},
                lambda n: {"email": "personne@nulle-part.fr"}, expect=202)
            # The known address must really be known: its recovery emails are written out.
            deadline = time.time() + 10
            while not any(DEMO_MEMBER_EMAIL in open(os.path.join(f"{work}/mail", name), errors="replace").read()
                          for name in (os.listdir(f"{work}/mail") if os.path.isdir(f"{work}/mail") else [])):
                if time.time() > deadline:
                    sys.exit(f"no recovery email reached {DEMO_MEMBER_EMAIL}: the known case was not known")
                time.sleep(0.5)
        if wanted("campaign"):
            r["campaign"] = campaign_day(server.pid, work, env, max(seconds, 30), connections, backend)
            peaks["campaign"] = rss_kib(server.pid, "VmHWM") // 1024
        r["rss_peak_mib"] = rss_kib(server.pid, "VmHWM") / 1024
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        if pg_db:
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)'])
    return results


def fmt_ms(v):
    return "-" if v is None else f"{v:.2f}"


def report(results, baseline):
    cores = baseline["cores"]
    hello, argon = baseline["hello"]["rps"], baseline["argon2"]
    print(f"\nComptExpert API benchmark, {datetime.date.today()}, {platform.node()} ({cores} cores, {platform.processor() or platform.machine()})")
    print(f"Baselines: hello-world {hello:,.0f} req/s; Argon2id (m=19 MiB, t=2, p=1) {argon:,.1f} hashes/s on {cores} cores"
          " (logins are compared with the rate measured in slices alternating with theirs: " + ", ".join(f"{b} {r['argon2']:,.1f}" for b, r in results.items() if "argon2" in r) + ")\n")
    print("| scenario | backend | req/s | p50 ms | p99 ms | ratio | target | met |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, r in results.items():
        specs = [
            ("health", "GET /health", lambda m: m["rps"] / hello, "-", None),
            ("me", "GET /v1/me (token)", lambda m: m["rps"] / hello, "≥ 0.40 × hello", lambda m: m["rps"] / hello >= 0.40),
            ("bureaux", "GET …/bureaux (token)", lambda m: m["rps"] / hello, "≥ 0.40 × hello", lambda m: m["rps"] / hello >= 0.40),
            ("search", "name search, 64 conns, saturating", None, "-", None),
            ("search_paced", "name search, 64 conns, ≤ 16k req/s offered", None, "p99 < 5 ms", lambda m: (m["p99"] or 1e9) < 5),
            ("refresh", "POST /v1/sessions/refresh, per machine core", lambda m: m["rps"] / cores, "≥ 2,400/s per core", lambda m: m["rps"] / cores >= 2400),
            # Keycloak's 120 per vCPU counts the cores of Keycloak alone, its database sized apart:
            # the same count here is the service's own CPU time (wrk and PostgreSQL excluded).
            ("refresh", "POST /v1/sessions/refresh, per core the service used", lambda m: m["rps"] / m["service_cores"], "≥ 2,400/s per core", lambda m: m["rps"] / m["service_cores"] >= 2400),
            ("login", "POST /v1/sessions (logins)", lambda m: m["rps"] / r["argon2"], "≥ 0.90 × argon2", lambda m: m["rps"] / r["argon2"] >= 0.90),
            ("health_during_storm", "/health during login storm", None, "p99 < 10 ms", lambda m: (m["p99"] or 1e9) < 10),
        ]
        for key, name, ratio, target, met in specs:
            if key not in r:
                continue
            m = r[key]
            ratio_s = "-" if ratio is None else f"{ratio(m):.2f}"
            met_s = "-" if met is None else ("yes" if met(m) else "NO")
            if m["non_2xx"]:
                met_s = f"NO ({m['non_2xx']:,} non-2xx)"
            print(f"| {name} | {backend} | {m['rps']:,.0f} | {fmt_ms(m['p50'])} | {fmt_ms(m['p99'])} | {ratio_s} | {target} | {met_s} |")
        for kind in ("signin", "recovery"):
            if f"{kind}_known" not in r:
                continue
            known, unknown = r[f"{kind}_known"]["p50"], r[f"{kind}_unknown"]["p50"]
            gap = abs(known - unknown) / max(known, unknown)
            unexpected = r[f"{kind}_known"]["unexpected"]
            met = f"NO ({unexpected:,} unexpected statuses)" if unexpected else ("yes" if gap <= 0.05 else "NO")
            print(f"| {kind}: known vs unknown median | {backend} | - | {known:.2f} / {unknown:.2f} | - | {gap:.1%} apart | within 5 % | {met} |")
        print(f"| RSS idle / peak under load | {backend} | - | - | - | {r['rss_idle_mib']:.0f} / {r['rss_peak_mib']:.0f} MiB | < 64 / < 200 MiB | {'yes' if r['rss_idle_mib'] < 64 and r['rss_peak_mib'] < 200 else 'NO'} |")
        print(f"| seed-demo | {backend} | - | - | - | {r['seed_seconds']:.1f} s | well under 60 s | {'yes' if r['seed_seconds'] < 60 else 'NO'} |")
    for backend, r in results.items():
        c = r.get("campaign")
        if not c:
            continue
        ratio = c["journeys_per_second"] / c["argon2"]
        others = {k: v for k, v in c["steps"].items() if k != "sign_in" and v["count"]}
        worst = max(others.items(), key=lambda kv: kv[1]["p99_ms"])
        pg = f" + PostgreSQL {c['postgres_cores']:.2f}" if c["postgres_cores"] is not None else ""
        print(f"\nCampaign day, {backend}: {c['users']} RACs, {c['connections']} connections, {c['seconds']:.0f} s, "
              f"{c['journeys']:,} journeys and {c['comebacks']:,} comebacks, {c['errors']:,} errors; CPU: service {c['service_cores']:.2f} cores{pg}")
        print("| campaign day | backend | figure | target | met |")
        print("|---|---|---|---|---|")
        print(f"| completed journeys ÷ Argon2id rate ({c['argon2']:,.1f}/s) | {backend} | {ratio:.2f} | ≥ 0.90 | {'yes' if ratio >= 0.90 and not c['errors'] else 'NO'} |")
        print(f"| p99 of every step but sign-in (worst: {worst[0]}) | {backend} | {worst[1]['p99_ms']:.1f} ms | ≤ 20 ms | {'yes' if worst[1]['p99_ms'] <= 20 else 'NO'} |")
        s_in = c["steps"]["sign_in"]
        print(f"| sign-in p50 / p99 | {backend} | {s_in['p50_ms']:.0f} / {s_in['p99_ms']:.0f} ms | p99 ≤ 1 s | {'yes' if s_in['p99_ms'] <= 1000 else 'NO'} |")
        print("| step | count | p50 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|")
        for step, v in c["steps"].items():
            if v["count"]:
                print(f"| {step} | {v['count']:,} | {v['p50_ms']:.1f} | {v['p99_ms']:.1f} | {v['max_ms']:.1f} |")
    for backend, r in results.items():
        steps = ", ".join(f"{k} {v}" for k, v in r["peak_after"].items())
        print(f"\nPeak RSS (MiB) after each scenario, {backend}: {steps}")
    if "sqlite" in results and "postgres" in results:
        for key, name in (("me", "GET /v1/me"), ("bureaux", "GET …/bureaux")):
            if key not in results["sqlite"] or key not in results["postgres"]:
                continue
            ratio = results["sqlite"][key]["rps"] / results["postgres"][key]["rps"]
            print(f"| {name}: SQLite / PostgreSQL throughput | both | - | - | - | {ratio:.2f} | ≤ 2.0 | {'yes' if ratio <= 2 else 'NO'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", help="comma-separated scenarios (health, me, bureaux, search, refresh, login, storm, timing, campaign); all by default")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    hello = subprocess.Popen([os.path.join(RELEASE, "examples", "hello_world")], env=dict(os.environ, BIND_ADDR=f"127.0.0.1:{HELLO_PORT}"))
    try:
        wait_ready(f"http://127.0.0.1:{HELLO_PORT}/health")
        baseline = {"hello": wrk("/health", args.seconds, args.connections, base=f"http://127.0.0.1:{HELLO_PORT}")}
    finally:
        hello.send_signal(signal.SIGTERM)
        hello.wait(timeout=30)
    baseline.update(argon2=argon2_rate(args.seconds), cores=len(os.sched_getaffinity(0)))
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = {b: run_backend(b, args.seconds, args.connections, baseline, only) for b in backends}
    report(results, baseline)


if __name__ == "__main__":
    main()
