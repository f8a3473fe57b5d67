"""A deployment as the README's "Deploying" section describes it, checked from outside (run by
tests/deploy/run): two instances of the binary on one fresh PostgreSQL database, behind nginx
terminating TLS, with TRUSTED_PROXIES set to the proxy, and an SMTP server for both.

The addresses play their parts on loopback: nginx connects to the instances from 127.0.0.2
(`proxy_bind`); 127.0.0.3 is a load balancer in front of nginx that the operator also trusts
(it writes X-Forwarded-For for the clients it passes on); 127.0.0.1 is anyone else, whose own
X-Forwarded-For must change nothing.
"""

import argparse
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from harness import (  # noqa: E402
    DEMO_PASSWORD, Cluster, Service, Sink, bearer, call, check, conclude, failures, free_port, leave,
)

PROXY_ADDRESS = "127.0.0.2"
BALANCER = "127.0.0.3"
ANYONE = "127.0.0.1"
# The per-client recovery limit (src/limits.rs, RECOVERY_PER_CLIENT).
RECOVERIES_PER_CLIENT = 20
# A revocation through one instance is refused by the other within this.
REVOCATION_TARGET_S = 0.1

NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    upstream comptexpert {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        location / {{
            proxy_pass http://comptexpert;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_bind {proxy_address};
            # Which instance answered, for this script only.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Proxy:
    """nginx in front of the instances, with a self-signed certificate for 127.0.0.1."""

    def __init__(self, root, upstreams):
        self.root = os.path.join(root, "nginx")
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        self.port = free_port()
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", os.path.join(self.root, "key.pem"),
                        "-out", os.path.join(self.root, "cert.pem")],
                       check=True, capture_output=True)
        servers = "\n".join(f"        server 127.0.0.1:{port};" for port in upstreams)
        self.conf = os.path.join(self.root, "nginx.conf")
        with open(self.conf, "w") as conf:
            conf.write(NGINX_CONF.format(root=self.root, servers=servers, port=self.port,
                                         proxy_address=PROXY_ADDRESS))
        self.tls = ssl.create_default_context(cafile=os.path.join(self.root, "cert.pem"))
        self.process = None

    def start(self):
        self.process = subprocess.Popen(["nginx", "-c", self.conf, "-p", self.root, "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.call("GET", "/ready").status == 200:
                return
            time.sleep(0.1)
        with open(os.path.join(self.root, "error.log"), errors="replace") as log:
            print(log.read()[-3000:], file=sys.stderr)
        sys.exit("deploy: nginx does not answer")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def call(self, method, path, body=None, headers=None, source=BALANCER):
        return call(self.port, method, path, body, headers, source=source, tls=self.tls)


class Prometheus:
    """A real Prometheus (Debian's package) scraping each instance's METRICS_ADDR every second."""

    def __init__(self, root, targets):
        self.root = os.path.join(root, "prometheus")
        os.makedirs(self.root, exist_ok=True)
        self.port = free_port()
        self.conf = os.path.join(self.root, "prometheus.yml")
        listed = ", ".join(f"'127.0.0.1:{port}'" for port in targets)
        with open(self.conf, "w") as conf:
            conf.write("global:\n  scrape_interval: 1s\n"
                       "scrape_configs:\n  - job_name: comptexpert\n"
                       f"    static_configs:\n      - targets: [{listed}]\n")
        self.targets = len(targets)
        self.process = None

    def start(self):
        with open(os.path.join(self.root, "prometheus.log"), "ab") as log:
            self.process = subprocess.Popen([
                "prometheus", f"--config.file={self.conf}", f"--storage.tsdb.path={self.root}/data",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ], stdout=log, stderr=subprocess.STDOUT)
        # Every instance scraped at least once.
        if not self.wait_for("sum(up{job='comptexpert'})", lambda v: v == self.targets, 60):
            with open(os.path.join(self.root, "prometheus.log"), errors="replace") as log:
                print(log.read()[-3000:], file=sys.stderr)
            sys.exit("deploy: Prometheus does not scrape both instances")

    def query(self, promql):
        """The scalar value of an instant PromQL query (None while it has no result)."""
        reply = call(self.port, "GET", "/api/v1/query?query=" + urllib.parse.quote(promql))
        if reply.status != 200:
            return None
        result = reply.json()["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, promql, condition, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.query(promql)
            if value is not None and condition(value):
                return value
            time.sleep(0.5)
        return None

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(30)


SIGN_INS = "sum(comptexpert_sign_ins_total{method='pwd',outcome='signed_in'})"


def sessions_across_instances(proxy, instances):
    print("== sign-in, refresh and sign-out through the proxy, whichever instance answers", flush=True)
    answered = set()
    delays = []
    for _ in range(12):
        signed_in = proxy.call("POST", "/v1/sessions", {"identifier": "mdurand", "password": DEMO_PASSWORD})
        if not check(signed_in.status == 201, f"sign-in through the proxy answered {signed_in.status}"):
            return
        answered.add(signed_in.headers.get("x-upstream"))
        tokens = signed_in.json()
        refreshed = proxy.call("POST", "/v1/sessions/refresh", {"refresh_token": tokens["refresh_token"]})
        check(refreshed.status == 200, f"refresh through the proxy answered {refreshed.status}")
        answered.add(refreshed.headers.get("x-upstream"))
        access = refreshed.json()["access_token"] if refreshed.status == 200 else tokens["access_token"]
        # Each instance, asked directly, has seen the session live (its cache would vouch for it).
        for instance in instances:
            me = call(instance.port, "GET", "/v1/me", headers=bearer(access))
            check(me.status == 200, f"GET /v1/me on {instance.port} answered {me.status}")
        signed_out = proxy.call("DELETE", "/v1/sessions/current", headers=bearer(access))
        check(signed_out.status == 204, f"sign-out through the proxy answered {signed_out.status}")
        out_at = time.monotonic()
        for instance in instances:
            while call(instance.port, "GET", "/v1/me", headers=bearer(access)).status != 401:
                if time.monotonic() - out_at > 3:
                    check(False, f"instance {instance.port} still accepts a session signed out 3 s ago")
                    break
                time.sleep(0.001)
        delays.append(time.monotonic() - out_at)
    delays.sort()
    print(f"   answered by {sorted(a for a in answered if a)}; sign-out refused by both instances "
          f"within {delays[len(delays) // 2] * 1000:.1f} ms (median), {delays[-1] * 1000:.1f} ms (slowest)",
          flush=True)
    check(len([a for a in answered if a]) == 2, f"one instance answered everything: {answered}")
    check(delays[-1] <= REVOCATION_TARGET_S, f"a sign-out took {delays[-1]:.3f} s to reach both instances")


def client_addresses(proxy):
    print("== per-address limits and the security history behind the proxy", flush=True)

    def recover(n, forwarded_for, source):
        reply = proxy.call("POST", "/v1/recovery", {"email": f"personne{n}.{uuid.uuid4().hex[:6]}@cabinet.example"},
                           {"X-Forwarded-For": forwarded_for}, source=source)
        return reply.status

    # Clients behind the trusted balancer: each has its own limit.
    first = [recover(n, "203.0.113.10", BALANCER) for n in range(RECOVERIES_PER_CLIENT)]
    check(first == [202] * RECOVERIES_PER_CLIENT, f"a client's first recoveries: {sorted(set(first))}")
    check(recover(99, "203.0.113.10", BALANCER) == 429, "a client over its limit was not refused")
    check(recover(100, "203.0.113.11", BALANCER) == 202, "the next client shared the first one's limit")
    # Someone the proxy's chain does not trust: a new forged address each time buys nothing.
    forged = [recover(200 + n, f"198.51.100.{n}", ANYONE) for n in range(RECOVERIES_PER_CLIENT)]
    check(forged == [202] * RECOVERIES_PER_CLIENT, f"the outsider's first recoveries: {sorted(set(forged))}")
    check(recover(299, "198.51.100.250", ANYONE) == 429, "a forged X-Forwarded-For bought a new limit")
    print("   each client behind the balancer limited on its own; a forged header from outside changed nothing",
          flush=True)

    def recorded_address(forwarded_for, source):
        signed_in = proxy.call("POST", "/v1/sessions", {"identifier": "rac.demo", "password": DEMO_PASSWORD},
                               {"X-Forwarded-For": forwarded_for}, source=source)
        token = signed_in.json()["access_token"]
        history = proxy.call("GET", "/v1/me/security-events?limit=1", headers=bearer(token)).json()
        return history["items"][0]["client_address"]

    behind = recorded_address("192.0.2.44", BALANCER)
    outside = recorded_address("192.0.2.45", ANYONE)
    print(f"   security history: {behind} (behind the balancer), {outside} (from outside, header forged)",
          flush=True)
    check(behind == "192.0.2.44", f"the history recorded {behind} for a client behind the balancer")
    check(outside == ANYONE, f"the history recorded {outside} for an outsider who forged the header")


def emails_once(proxy, instances, sink):
    print("== the outbox with two dispatchers: each email once", flush=True)
    tag = uuid.uuid4().hex[:8]
    expected = []
    for n in range(30):
        identifier = f"deploiement.{tag}.{n}"
        email = f"{identifier}@deploy.example"
        reply = proxy.call("POST", "/v1/accounts/external", {
            "identifier": identifier, "email": email, "civility": "MME", "last_name": "Déploiement",
            "first_name": "Inès", "address": "3 rue de la Paix", "city": "Paris", "postal_code": "75002",
            "birth_year": 1988, "accepts_communications": False,
        }, {"X-Forwarded-For": f"203.0.113.{100 + n}"})
        if check(reply.status == 202, f"registration {n} answered {reply.status}"):
            expected.append(email)
    received = sink.per_recipient_once_drained(
        instances[0].store,
        f"SELECT COUNT(*) FROM outbox_emails WHERE recipient LIKE 'deploiement.{tag}.%' AND sent_at IS NULL",
        prefix=f"deploiement.{tag}.")
    print(f"   {sum(received.values())} emails received for {len(expected)} registrations", flush=True)
    check(all(received.get(e) == 1 for e in expected),
          f"not exactly once: {[(e, received.get(e, 0)) for e in expected if received.get(e) != 1][:3]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="comptexpert-deploy-")
    cluster = Cluster()
    instances = []
    proxy = None
    prometheus = None
    sink = Sink(free_port())
    started = time.monotonic()
    try:
        cluster.init()
        url = cluster.create_database("comptexpert")
        sink.start()
        ports = [free_port(), free_port()]
        metrics_ports = [free_port(), free_port()]
        settings = {
            "TRUSTED_PROXIES": f"{PROXY_ADDRESS}, {BALANCER}",
            "RATE_LIMITS": "on",
            "SMTP_URL": f"smtp://127.0.0.1:{sink.controller.port}",
            "MAIL_POLL_INTERVAL_MS": 100,
            "FRONTEND_URL": "https://comptexpert.example",
        }
        instances = [Service(args.binary, f"instance-{n}", url, root, port=port,
                             METRICS_ADDR=f"127.0.0.1:{metrics_port}", **settings)
                     for n, (port, metrics_port) in enumerate(zip(ports, metrics_ports), start=1)]
        # One key file for both: a token signed by one instance is valid on the other.
        keys = os.path.join(root, "jwt-keys.pem")
        for instance in instances:
            instance.env["JWT_KEY_FILE"] = keys
            instance.env["ID_TOKEN_KEY_FILE"] = os.path.join(root, "id-token-keys.pem")
        instances[0].seed()
        for instance in instances:
            instance.start()
        proxy = Proxy(root, ports)
        proxy.start()
        print(f"== two instances ({', '.join(map(str, ports))}) behind nginx (https://127.0.0.1:{proxy.port}) "
              f"on one PostgreSQL database", flush=True)
        prometheus = Prometheus(root, metrics_ports)
        prometheus.start()
        before = prometheus.query(SIGN_INS) or 0.0
        sessions_across_instances(proxy, instances)
        client_addresses(proxy)
        emails_once(proxy, instances, sink)
        print("== Prometheus scrapes both instances' METRICS_ADDR", flush=True)
        # Twelve password sign-ins through the proxy above, spread over both instances.
        after = prometheus.wait_for(SIGN_INS, lambda v: v >= before + 12, 20)
        print(f"   {SIGN_INS}: {before:.0f} before the checks, {after} after", flush=True)
        check(after is not None, "Prometheus did not see the sign-in counter move by the twelve sign-ins")
    finally:
        if prometheus:
            prometheus.stop()
        if proxy:
            proxy.stop()
        for instance in instances:
            instance.stop()
            if failures:
                instance.tail()
        sink.stop()
        cluster.destroy()
        leave(root, args.keep, "deploy")
    conclude("deployment checks", started)

if __name__ == "__main__":
    main()
