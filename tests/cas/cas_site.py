"""Two CASified sites of the Ordre sign their users in through ComptExpert with python-cas.

What a site's developer would do after moving from today's CAS server: point the client at
`/cas/`, send the browser to its login URL, let the front end do its part of the headless sign-in
(read the login request, sign in with a password, accept), validate the ticket with the library
(CAS 3.0, attributes), then: a second site gets a ticket without a new sign-in, `renew=true`
forces one, a replayed ticket or one presented by another site is refused, CAS 1.0 and 2.0
validation still work, and the logout reaches the site's listener as a SAML LogoutRequest that
the library's own parser accepts.
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import requests
from cas import CASClient, CASClientV3

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from harness import Service  # noqa: E402

COOKIE = "__Host-comptexpert-sso"
DEMO_PASSWORD = "Demo-2026!"


def check(condition, message):
    if not condition:
        sys.exit(f"cas: {message}")
    print(f"  ok: {message}")


class SingleLogout(http.server.BaseHTTPRequestHandler):
    """The intranet's single-logout endpoint: keeps each logoutRequest POSTed to it."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        SingleLogout.received.extend(urllib.parse.parse_qs(body).get("logoutRequest", []))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Browser:
    """The user's browser: follows nothing by itself, keeps the service's cookies (Secure ones,
    which requests would not send over the test's plain http)."""

    def __init__(self):
        self.cookies = {}

    @property
    def cookie(self):
        return self.cookies.get(COOKIE)

    def get(self, url):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        response = requests.get(url, headers=headers, allow_redirects=False, timeout=30)
        for header, value in response.raw.headers.items():
            if header.lower() == "set-cookie":
                name, _, rest = value.split(";")[0].partition("=")
                if rest and "Max-Age=0" not in value:
                    self.cookies[name] = rest
                else:
                    self.cookies.pop(name, None)
        return response


def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def main(binary):
    root = tempfile.mkdtemp(prefix="comptexpert-cas-")
    listener = http.server.HTTPServer(("127.0.0.1", 0), SingleLogout)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{listener.server_port}"

    service = Service(binary, "server", f"sqlite://{root}/server.db", root,
                      LOGIN_UI_URL="https://portail.example/connexion", MAIL_POLL_INTERVAL_MS="100")
    base = f"http://127.0.0.1:{service.port}"
    service.env["PUBLIC_URL"] = base
    service.seed()
    for args in (
        ["intranet", "--name", "Intranet de l'Ordre", "--service", f"{site}/intranet/*",
         "--attribute", "firstName", "--attribute", "lastName", "--attribute", "email",
         "--attribute", "qualite", "--attribute", "regions", "--logout-url", f"{site}/slo"],
        ["forum", "--name", "Forum des experts", "--service", f"{site}/forum/"],
    ):
        subprocess.run([binary, "clients", "add-cas", *args], env=service.env, cwd=service.dir,
                       check=True, capture_output=True, text=True)
    shown = subprocess.run([binary, "clients", "show", "intranet"], env=service.env, cwd=service.dir,
                           check=True, capture_output=True, text=True).stdout
    check(f"{site}/intranet/*" in shown and "regions" in shown, "clients show prints the CAS service")
    service.start()
    try:
        run(base, site)
    finally:
        service.stop()
        listener.shutdown()


def sign_in(base):
    return requests.post(f"{base}/v1/sessions", json={
        "identifier": "rac.demo", "password": DEMO_PASSWORD, "keep_session_active": True},
        timeout=30).json()["access_token"]


def front_end_accepts(base, login_page, access_token):
    """The front end's part: read what the site asks, accept with the user's session."""
    request_id = query(login_page)["login_request"]
    asked = requests.get(f"{base}/v1/login-requests/{request_id}", timeout=10).json()
    accepted = requests.post(f"{base}/v1/login-requests/{request_id}/accept",
                             headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
    return asked, accepted


def run(base, site):
    server_url = f"{base}/cas/"
    intranet = CASClient(version=3, service_url=f"{site}/intranet/login?next=%2Fdossiers",
                         server_url=server_url)
    forum = CASClient(version=2, service_url=f"{site}/forum/", server_url=server_url)

    browser = Browser()
    login_page = browser.get(intranet.get_login_url()).headers["Location"]
    check(login_page.startswith("https://portail.example/connexion?login_request="),
          "without an SSO session the browser goes to the front end's login page")
    access_token = sign_in(base)
    asked, accepted = front_end_accepts(base, login_page, access_token)
    check(asked["protocol"] == "cas" and asked["client_name"] == "Intranet de l'Ordre",
          "the login request names the CAS site")
    back = browser.get(accepted.json()["redirect_to"]).headers["Location"]
    ticket = query(back).get("ticket", "")
    check(browser.cookie is not None and back.startswith(intranet.service_url)
          and ticket.startswith("ST-"), "back at the site with a service ticket and the SSO cookie")

    user, attributes, pgtiou = intranet.verify_ticket(ticket)
    check(user == "rac.demo", "python-cas validates the ticket (p3/serviceValidate) and reads the user")
    check(attributes.get("isFromNewLogin") == "true"
          and attributes.get("longTermAuthenticationRequestTokenUsed") == "true"
          and "@" in attributes.get("email", "") and attributes.get("regions")
          and "supraNumber" not in attributes and pgtiou is None,
          "the attributes are the service's, with the authentication's")
    check(intranet.verify_ticket(ticket)[0] is None, "a ticket validates once")

    # A second site: a ticket at once from the SSO cookie, validated by the CAS 2.0 client.
    back = browser.get(forum.get_login_url()).headers["Location"]
    check(back.startswith(forum.service_url) and "ticket" in query(back),
          "a second site gets a ticket without a new sign-in")
    check(forum.verify_ticket(query(back)["ticket"])[0] == "rac.demo",
          "python-cas validates it through serviceValidate")

    # A ticket of the intranet presented by the forum: refused, and void for the intranet too.
    stolen = query(browser.get(intranet.get_login_url()).headers["Location"])["ticket"]
    check(forum.verify_ticket(stolen)[0] is None, "a ticket presented for another service is refused")
    check(intranet.verify_ticket(stolen)[0] is None, "and it is void from then on")

    # CAS 1.0 validation.
    v1 = CASClient(version=1, service_url=forum.service_url, server_url=server_url)
    one = query(browser.get(v1.get_login_url()).headers["Location"])["ticket"]
    check(v1.verify_ticket(one)[0] == "rac.demo", "CAS 1.0 /validate answers yes and the user")

    # renew=true: the SSO cookie is not enough; only a new sign-in is accepted.
    renewing = CASClient(version=3, service_url=forum.service_url, server_url=server_url, renew=True)
    other = Browser()
    other.get(forum.get_login_url())  # no cookie yet: the login page
    first = front_end_accepts(base, other.get(forum.get_login_url()).headers["Location"], sign_in(base))[1]
    other.get(first.json()["redirect_to"])
    login_page = other.get(renewing.get_login_url()).headers["Location"]
    check(other.cookie is not None and login_page.startswith("https://portail.example/connexion"),
          "renew=true sends a signed-in browser to the login page")
    _, stale = front_end_accepts(base, login_page, access_token)
    check(stale.status_code == 403 and stale.json()["code"] == "fresh_sign_in_required",
          "an older session cannot accept a renew request")
    time.sleep(1.1)
    _, fresh = front_end_accepts(base, login_page, sign_in(base))
    renewed = query(other.get(fresh.json()["redirect_to"]).headers["Location"])["ticket"]
    user, attributes, _ = renewing.verify_ticket(renewed)
    check(user == "rac.demo" and attributes.get("isFromNewLogin") == "true",
          "a ticket from the new sign-in validates with renew=true")

    # Logout: back to the site, and the intranet told by a SAML LogoutRequest.
    out = browser.get(intranet.get_logout_url(redirect_url=forum.service_url))
    check(out.status_code == 302 and out.headers["Location"] == forum.service_url
          and browser.cookie is None, "logout clears the SSO cookie and returns to the site")
    deadline = time.monotonic() + 15
    while not SingleLogout.received and time.monotonic() < deadline:
        time.sleep(0.1)
    check(len(SingleLogout.received) == 1, "one LogoutRequest reached the intranet")
    check(CASClientV3.verify_logout_request(SingleLogout.received[0], ticket),
          "python-cas reads its SessionIndex: the ticket that opened the intranet's session")
    me = requests.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
    check(me.status_code == 401, "the front end's session ended with the logout")
    again = browser.get(intranet.get_login_url()).headers["Location"]
    check(again.startswith("https://portail.example/connexion"), "the next visit signs in again")
    print(json.dumps({"cas": "passed"}))


if __name__ == "__main__":
    main(sys.argv[1])
