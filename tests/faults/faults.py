"""Whole-system fault checks, run by tests/faults/run (see its header and the README's Reliability).

Each check starts the real binary, does to it what an outage or a crash would, and judges it from
outside (HTTP answers, and the database read afterwards):

- postgres-outage: the PostgreSQL server stopped and started again under load;
- kill-9 (SQLite and PostgreSQL): the process killed under mixed writes, then restarted;
- smtp-outage (SQLite and PostgreSQL): the mail server down while emails are queued, then back.

PostgreSQL here is a throwaway cluster of its own (initdb in a temporary directory, its own port):
stopping it touches nothing else on the machine.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from harness import (  # noqa: E402
    DEMO_PASSWORD, Cluster, Service, Sink, bearer, call, check, conclude, failures, free_port, leave,
    sign_in,
)

MARIE_EMAIL = "marie.durand@cabinet-durand.example"
PARIS = "/v1/portal/regions/paris-ile-de-france"
B0000001 = PARIS + "/bureaux/B0000001"


def portal_ready(service):
    """Marie Durand signed in, with the Paris email choice made (the portal answers 409 before it)."""
    token = sign_in(service.port, "mdurand", DEMO_PASSWORD)
    assert token, "mdurand cannot sign in"
    call(service.port, "PUT", PARIS + "/email-choice", {"choice": "comptexpert"}, bearer(token))
    return token


def something_to_pay(service, token):
    """Declares Hélène D'Artagnan-Lefèvre in B0000001 (the demo leaves her to declare), so that the
    bureau has a balance to pay; returns what is payable, in cents."""
    auth = bearer(token)
    bureau = call(service.port, "GET", B0000001, headers=auth).json()
    helene = next(p["id"] for p in bureau["natural_persons"] if p["reference"] == "0750342")
    declaration = f"{B0000001}/persons/{helene}/declaration"
    call(service.port, "PUT", declaration, {"category": "salarie"}, auth)
    call(service.port, "POST", declaration + "/submission", None, auth)
    return call(service.port, "GET", B0000001, headers=auth).json()["payable"]["amount_cents"]


# --- PostgreSQL stopped and started under load -----------------------------------------------


def postgres_outage(binary, root, cluster):
    print("== PostgreSQL stopped and restarted under load", flush=True)
    url = cluster.create_database("outage")
    service = Service(binary, "pg-outage", url, root)
    service.seed()
    service.start()
    try:
        token = portal_ready(service)
        log = []  # (started, what, reply)
        stop = threading.Event()

        def load(what, method, path, body=None, headers=None):
            while not stop.is_set():
                started = time.monotonic()
                log.append((started, what, call(service.port, method, path, body, headers)))
                time.sleep(0.02)

        sign_in_body = {"identifier": "rac.demo", "password": DEMO_PASSWORD}
        threads = [threading.Thread(target=load, args=a, daemon=True) for a in [
            ("ready", "GET", "/ready"),
            ("me", "GET", "/v1/me", None, bearer(token)),
            ("bureaux", "GET", PARIS + "/bureaux", None, bearer(token)),
            ("sign-in", "POST", "/v1/sessions", sign_in_body),
        ]]
        for thread in threads:
            thread.start()
        time.sleep(2)
        cluster.stop("fast")
        down_at = time.monotonic()
        time.sleep(5)
        cluster.start()
        up_at = time.monotonic()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join()

        def summary(entries):
            counts = {}
            for _, what, reply in entries:
                counts[(what, reply.status)] = counts.get((what, reply.status), 0) + 1
            return ", ".join(f"{w} {s}: {n}" for (w, s), n in sorted(counts.items(), key=str))

        during = [e for e in log if down_at + 0.5 < e[0] < up_at]
        print(f"   {len(log)} requests; while down: {summary(during)}", flush=True)
        slowest = max(reply.elapsed for _, _, reply in log)
        print(f"   slowest answer {slowest:.3f} s", flush=True)
        check(slowest <= 2.0, f"a request took {slowest:.3f} s (at most 2 s)")
        unanswered = [(w, r.error) for _, w, r in log if r.status is None]
        check(not unanswered, f"requests without an answer: {unanswered[:3]}")
        errors = [(w, r.status, r.body[:200]) for _, w, r in log if r.status is not None and r.status >= 500
                  and r.status != 503]
        check(not errors, f"5xx other than 503: {errors[:3]}")
        unavailable = [r for _, _, r in during if r.status == 503]
        check(unavailable, "no 503 while the database was down")
        check(all("retry-after" in r.headers for r in unavailable), "a 503 without Retry-After")
        check(all(r.headers.get("content-type", "").startswith("application/problem+json") for r in unavailable),
              "a 503 that is not problem+json")
        # Recovered by itself: the first success of each kind after the restart, and nothing but
        # successes in the last three seconds.
        for what in ("ready", "me", "bureaux", "sign-in"):
            back = [s for s, w, r in log if w == what and s > up_at and r.status in (200, 201)]
            check(back, f"{what} never answered again after the restart")
            if back:
                print(f"   {what} answered again {back[0] - up_at:.2f} s after the database was back", flush=True)
        tail = [(w, r.status) for s, w, r in log if s > up_at + 5]
        check(tail and all(st in (200, 201) for _, st in tail),
              f"the service did not recover by itself: {[t for t in tail if t[1] not in (200, 201)][:3]}")
    finally:
        service.stop()
        if failures:
            service.tail()


# --- kill -9 under mixed writes ---------------------------------------------------------------


@dataclass
class Acknowledged:
    registrations: list = field(default_factory=list)  # (identifier, email)
    payments: list = field(default_factory=list)  # payment ids
    recoveries: int = 0
    password: str = DEMO_PASSWORD  # the last password whose change was acknowledged
    password_in_flight: str | None = None  # sent, not answered: it may or may not have landed
    lock: threading.Lock = field(default_factory=threading.Lock)


def kill_under_writes(binary, root, backend, url):
    print(f"== kill -9 under mixed writes on {backend}", flush=True)
    service = Service(binary, f"kill-{backend}", url, root)
    service.seed()
    service.start()
    try:
        marie = portal_ready(service)
        rac = sign_in(service.port, "rac.demo", DEMO_PASSWORD)
        payable = something_to_pay(service, marie)
        print(f"   B0000001 payable before: {payable} cents, paid 10 cents at a time", flush=True)
        check(payable >= 10, "nothing to pay in B0000001")
        acked = Acknowledged()
        stop = threading.Event()
        tag = uuid.uuid4().hex[:8]

        def registrations(lane):
            n = 0
            while not stop.is_set():
                n += 1
                identifier = f"faute.{tag}.{lane}.{n}"
                email = f"{identifier}@faults.example"
                reply = call(service.port, "POST", "/v1/accounts/external", {
                    "identifier": identifier, "email": email, "civility": "MME", "last_name": "Faute",
                    "first_name": "Aline", "address": "1 rue de la Paix", "city": "Paris",
                    "postal_code": "75002", "birth_year": 1990, "accepts_communications": False,
                }, {"Idempotency-Key": uuid.uuid4().hex})
                if reply.status == 202:
                    with acked.lock:
                        acked.registrations.append((identifier, email))

        def payments():
            while not stop.is_set():
                reply = call(service.port, "POST", B0000001 + "/payments",
                             {"method": "transfer", "amount_cents": 10},
                             {**bearer(marie), "Idempotency-Key": uuid.uuid4().hex})
                if reply.status == 201:
                    with acked.lock:
                        acked.payments.append(reply.json()["id"])

        def password_changes():
            n = 0
            while not stop.is_set():
                n += 1
                new = f"Faute-{tag}-{n}!"
                acked.password_in_flight = new
                reply = call(service.port, "PUT", "/v1/me/password", {
                    "current_password": acked.password, "new_password": new, "new_password_confirmation": new,
                }, bearer(rac))
                if reply.status == 204:
                    acked.password = new
                    acked.password_in_flight = None
                elif reply.status is not None:
                    acked.password_in_flight = None

        def recoveries():
            while not stop.is_set():
                reply = call(service.port, "POST", "/v1/recovery", {"email": MARIE_EMAIL})
                if reply.status == 202:
                    with acked.lock:
                        acked.recoveries += 1

        threads = [threading.Thread(target=registrations, args=(lane,), daemon=True) for lane in (1, 2)]
        threads += [threading.Thread(target=f, daemon=True) for f in (payments, password_changes, recoveries)]
        for thread in threads:
            thread.start()
        time.sleep(4)
        service.kill9()
        stop.set()
        for thread in threads:
            thread.join()
        print(f"   acknowledged before the kill: {len(acked.registrations)} registrations, "
              f"{len(acked.payments)} payments, password changes up to {acked.password!r}, "
              f"{acked.recoveries} recoveries", flush=True)
        check(acked.registrations and acked.payments and acked.recoveries and acked.password != DEMO_PASSWORD,
              "the load did not acknowledge every kind of write")

        service.start()
        store = service.store
        # Registrations: each account, with its email queued in the same commit.
        identifiers = [i for i, _ in acked.registrations]
        quoted = ",".join(f"'{i}'" for i in identifiers) or "''"
        found = store.value(f"SELECT COUNT(*) FROM accounts WHERE identifier IN ({quoted})")
        check(found == len(identifiers), f"{len(identifiers) - found} acknowledged registrations lost")
        orphans = store.rows(f"SELECT identifier FROM accounts a WHERE identifier LIKE 'faute.{tag}.%' "
                             "AND NOT EXISTS (SELECT 1 FROM outbox_emails o WHERE o.recipient = a.email)")
        check(not orphans, f"accounts without their email (half-written): {orphans[:3]}")
        # Payments: each one readable, for its amount, with allocations adding up to it.
        marie = sign_in(service.port, "mdurand", DEMO_PASSWORD)
        lost = []
        for payment in acked.payments:
            reply = call(service.port, "GET", f"{PARIS}/payments/{payment}", headers=bearer(marie))
            if reply.status != 200 or reply.json()["amount"]["amount_cents"] != 10:
                lost.append((payment, reply.status))
        check(not lost, f"acknowledged payments lost: {lost[:3]}")
        uneven = store.rows("SELECT p.id FROM payments p LEFT JOIN payment_allocations a ON a.payment_id = p.id "
                            "GROUP BY p.id, p.amount_cents HAVING COALESCE(SUM(a.amount_cents), 0) <> p.amount_cents")
        check(not uneven, f"payments whose allocations do not add up (half-written): {uneven[:3]}")
        # The password: the last acknowledged one signs in (or the one in flight, if it landed).
        candidates = [acked.password] + ([acked.password_in_flight] if acked.password_in_flight else [])
        signs_in = [p for p in candidates if sign_in(service.port, "rac.demo", p)]
        check(signs_in, f"rac.demo signs in with none of {candidates}: an acknowledged password change lost")
        # Recoveries: every acknowledged request is carried out (the sweeper takes up those left).
        deadline = time.monotonic() + 20
        while store.value("SELECT COUNT(*) FROM recovery_requests") and time.monotonic() < deadline:
            time.sleep(0.2)
        left = store.value("SELECT COUNT(*) FROM recovery_requests")
        check(left == 0, f"{left} recovery requests still waiting 20 s after the restart")
        emailed = store.value(f"SELECT COUNT(*) FROM outbox_emails WHERE recipient = '{MARIE_EMAIL}' "
                              "AND kind = 'password_reset'")
        print(f"   after the restart: {found} registrations, {len(acked.payments) - len(lost)} payments, "
              f"password {signs_in[:1]}, {emailed} recovery emails queued", flush=True)
        check(emailed >= acked.recoveries, f"{acked.recoveries} recoveries acknowledged, {emailed} emails queued")
    finally:
        service.stop()
        if failures:
            service.tail()


# --- SMTP down, then back ----------------------------------------------------------------------


def smtp_outage(binary, root, backend, url):
    print(f"== SMTP down, then back, on {backend}", flush=True)
    smtp_port = free_port()
    service = Service(binary, f"smtp-{backend}", url, root, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
                      MAIL_POLL_INTERVAL_MS=100, MAIL_RETRY_BASE_MS=200)
    service.seed()
    service.start()
    sink = None
    try:
        tag = uuid.uuid4().hex[:8]
        expected = []
        for n in range(1, 21):
            identifier = f"courriel.{tag}.{n}"
            email = f"{identifier}@faults.example"
            reply = call(service.port, "POST", "/v1/accounts/external", {
                "identifier": identifier, "email": email, "civility": "M", "last_name": "Courriel",
                "first_name": "Paul", "address": "2 rue de la Paix", "city": "Paris", "postal_code": "75002",
                "birth_year": 1980, "accepts_communications": False,
            })
            if check(reply.status == 202, f"registration {n} answered {reply.status}"):
                expected.append(email)
        time.sleep(3)
        tried = service.store.value("SELECT COUNT(*) FROM outbox_emails WHERE sent_at IS NULL AND attempts > 0")
        print(f"   mail server down for 3 s: {tried} emails tried and kept for later", flush=True)
        check(tried == len(expected), f"{tried} of {len(expected)} emails tried while the server was down")
        sink = Sink(smtp_port)
        sink.start()
        per_address = sink.per_recipient_once_drained(
            service.store, "SELECT COUNT(*) FROM outbox_emails WHERE sent_at IS NULL")
        missing = [e for e in expected if e not in per_address]
        twice = {e: n for e, n in per_address.items() if n > 1}
        print(f"   after the server came back: {len(sink.received)} emails received", flush=True)
        check(not missing, f"emails never delivered: {missing[:3]}")
        check(not twice, f"emails delivered more than once: {dict(list(twice.items())[:3])}")
        check(len(sink.received) == len(expected), f"{len(sink.received)} emails for {len(expected)} expected")
    finally:
        service.stop()
        if sink:
            sink.stop()
        if failures:
            service.tail()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--only", choices=["postgres-outage", "kill-9", "smtp-outage"])
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="comptexpert-faults-")
    cluster = Cluster()
    started = time.monotonic()
    try:
        cluster.init()
        if args.only in (None, "postgres-outage"):
            postgres_outage(args.binary, root, cluster)
        if args.only in (None, "kill-9"):
            kill_under_writes(args.binary, root, "SQLite", f"sqlite://{root}/kill.db")
            kill_under_writes(args.binary, root, "PostgreSQL", cluster.create_database("kill"))
        if args.only in (None, "smtp-outage"):
            smtp_outage(args.binary, root, "SQLite", f"sqlite://{root}/smtp.db")
            smtp_outage(args.binary, root, "PostgreSQL", cluster.create_database("smtp"))
    finally:
        cluster.destroy()
        leave(root, args.keep, "faults")
    conclude("fault checks", started)

if __name__ == "__main__":
    main()
