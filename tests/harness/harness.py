"""What the whole-system scripts share (tests/faults, tests/deploy): the binary started as a
process of its own, HTTP judged from outside on fresh connections, a throwaway PostgreSQL cluster,
reads of the database afterwards, and an SMTP sink.
"""

import glob
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

DEMO_PASSWORD = "Demo-2026!"
# Seeding the generated part of the register takes time in a debug build; the checks need only
# the demo's fixed people and bureaux.
DEMO_MEMBERS = "200"

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"   FAIL {message}", flush=True)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP, judged from outside ---------------------------------------------------------------


@dataclass
class Reply:
    status: int | None
    headers: dict
    body: bytes
    elapsed: float
    error: str | None = None

    def json(self):
        return json.loads(self.body) if self.body else None


def call(port, method, path, body=None, headers=None, timeout=5.0, source=None, tls=None):
    """One request on a connection of its own (a killed service leaves no half-used one), from
    the loopback address `source` when given (127.0.0.1 otherwise), over TLS with the
    `ssl.SSLContext` `tls` when given."""
    sent = {"Content-Type": "application/json"} if body is not None else {}
    sent.update(headers or {})
    started = time.monotonic()
    where = {"timeout": timeout, "source_address": (source, 0) if source else None}
    conn = (http.client.HTTPSConnection("127.0.0.1", port, context=tls, **where) if tls
            else http.client.HTTPConnection("127.0.0.1", port, **where))
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        data = response.read()
        return Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data,
            time.monotonic() - started,
        )
    except (OSError, http.client.HTTPException) as error:
        return Reply(None, {}, b"", time.monotonic() - started, f"{type(error).__name__}: {error}")
    finally:
        conn.close()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def sign_in(port, identifier, password):
    reply = call(port, "POST", "/v1/sessions", {"identifier": identifier, "password": password})
    if reply.status != 201:
        return None
    return reply.json()["access_token"]


# --- the service and its databases -----------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of our own, run as the `postgres` user when we are root."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions:
            sys.exit("faults: no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = versions[-1]
        self.root = tempfile.mkdtemp(prefix="comptexpert-faults-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args, check=True):
        command = [os.path.join(self.bin, args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def init(self):
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
        self.start()

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "server.log"), "-w", "-t", "60",
                  "-o", options, "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def create_database(self, name):
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                        "-qc", f'CREATE DATABASE "{name}"'], check=True)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Store:
    """Reads the database behind the service, after the fact (counts and ids only)."""

    def __init__(self, url):
        self.url = url

    def rows(self, query):
        if self.url.startswith("sqlite://"):
            with sqlite3.connect(self.url[len("sqlite://"):], timeout=30) as conn:
                return [tuple(str(v) for v in row) for row in conn.execute(query)]
        out = subprocess.run(["psql", self.url.split("?")[0], "-At", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
                              "-c", query], check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\x1f")) for line in out.splitlines() if line]

    def value(self, query):
        return int(self.rows(query)[0][0])


class Service:
    def __init__(self, binary, name, url, root, port=None, **env):
        self.binary = binary
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = port or free_port()
        self.url = url
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": url,
            "BIND_ADDR": f"127.0.0.1:{self.port}",
            "MAIL_DIR": os.path.join(self.dir, "mail"),
            "JWT_KEY_FILE": os.path.join(self.dir, "keys.pem"),
            "ID_TOKEN_KEY_FILE": os.path.join(self.dir, "id-token-keys.pem"),
            "RATE_LIMITS": "off",
            "RUST_LOG": "warn",
        })
        self.env.update({k: str(v) for k, v in env.items()})
        self.process = None
        self.store = Store(url)

    def seed(self):
        with open(os.path.join(self.dir, "seed.log"), "ab") as log:
            subprocess.run([self.binary, "seed-demo", "--members", DEMO_MEMBERS], env=self.env, cwd=self.dir,
                           stdout=log, stderr=subprocess.STDOUT, check=True)

    def start(self):
        log = open(os.path.join(self.dir, "service.log"), "ab")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, cwd=self.dir,
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if call(self.port, "GET", "/ready", timeout=2).status == 200:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.tail()
        sys.exit(f"faults: the service did not become ready ({self.dir})")

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        """SIGTERM, as an orchestrator stops it: the service finishes and exits 0."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                status = self.process.wait(30)
                check(status == 0, f"{os.path.basename(self.dir)}: SIGTERM ended the service with status {status}")
            except subprocess.TimeoutExpired:
                check(False, f"{os.path.basename(self.dir)}: still running 30 s after SIGTERM")
                self.kill9()

    def tail(self, lines=30):
        try:
            with open(os.path.join(self.dir, "service.log"), errors="replace") as log:
                print("".join(log.readlines()[-lines:]), file=sys.stderr)
        except OSError:
            pass


class Sink:
    """An SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller

        self.received = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.received.append((tuple(envelope.rcpt_tos), envelope.content))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self):
        self.controller.start()

    def per_recipient_once_drained(self, store, pending_query, prefix=""):
        """Waits (30 s at most) until `pending_query` counts no email left to send, then 2 s more
        for a duplicate to show up if one were coming; returns how many times each recipient
        starting with `prefix` received one."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and store.value(pending_query) != 0:
            time.sleep(0.2)
        time.sleep(2)
        received = {}
        for recipients, _ in self.received:
            for recipient in recipients:
                if recipient.startswith(prefix):
                    received[recipient] = received.get(recipient, 0) + 1
        return received

    def stop(self):
        self.controller.stop()


def leave(root, keep, what):
    """Removes the working directory `root`, or says where it is kept (`--keep`)."""
    if keep:
        print(f"{what}: working directory kept at {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


def conclude(what, started):
    """Prints the verdict of the checks named `what` and exits 1 when any failed."""
    took = time.monotonic() - started
    if failures:
        print(f"== {what} FAILED ({len(failures)}) in {took:.0f} s", flush=True)
        for failure in failures:
            print(f"   - {failure}")
        sys.exit(1)
    print(f"== {what} passed in {took:.0f} s", flush=True)
