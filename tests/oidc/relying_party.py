"""A site of the Ordre signs its users in through ComptExpert with Authlib's OpenID Connect client.

What a relying party's developer would do, step by step: discovery, an authorization URL with PKCE
and a nonce, the front end's part of the headless sign-in (read the login request, sign in with a
password, accept), the code exchanged with client_secret_basic, the ID token validated by Authlib
against the published JWKS, userinfo, a refresh, a second sign-in from the SSO cookie, a replayed
code refused, and RP-initiated logout whose back-channel logout token reaches the site's listener.
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
import warnings

import requests
# Authlib 1.x announces joserfc for 2.0; its JOSE API is still the one its OIDC claims use.
warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session, OAuthError  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from harness import Service  # noqa: E402

COOKIE = "__Host-comptexpert-sso"
DEMO_PASSWORD = "Demo-2026!"


def check(condition, message):
    if not condition:
        sys.exit(f"oidc: {message}")
    print(f"  ok: {message}")


class BackChannel(http.server.BaseHTTPRequestHandler):
    """The site's back-channel logout endpoint: keeps each logout token POSTed to it."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = urllib.parse.parse_qs(body)
        BackChannel.received.extend(form.get("logout_token", []))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Browser:
    """The user's browser: follows nothing by itself, keeps the service's cookies (the SSO cookie
    and the login request's). They are Secure: requests would not send them over the test's
    plain http, as a browser does for 127.0.0.1, so they are kept here."""

    def __init__(self, base):
        self.base = base
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
    root = tempfile.mkdtemp(prefix="comptexpert-oidc-")
    listener = http.server.HTTPServer(("127.0.0.1", 0), BackChannel)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    backchannel_uri = f"http://127.0.0.1:{listener.server_port}/backchannel"

    service = Service(binary, "provider", f"sqlite://{root}/provider.db", root,
                      LOGIN_UI_URL="https://portail.example/connexion", MAIL_POLL_INTERVAL_MS="100")
    base = f"http://127.0.0.1:{service.port}"
    service.env["PUBLIC_URL"] = base
    service.seed()
    site = "https://annuaire.example"
    added = subprocess.run(
        [binary, "clients", "add", "annuaire", "--name", "Annuaire de l'Ordre",
         "--redirect-uri", f"{site}/callback", "--post-logout-redirect-uri", f"{site}/",
         "--scope", "openid", "--scope", "profile", "--scope", "email", "--scope", "ordre",
         "--backchannel-logout-uri", backchannel_uri],
        env=service.env, cwd=service.dir, check=True, capture_output=True, text=True).stdout
    secret = next(line.split(":", 1)[1].strip() for line in added.splitlines()
                  if line.strip().startswith("client secret:"))
    service.start()
    try:
        run(base, site, secret)
    finally:
        service.stop()
        listener.shutdown()


def run(base, site, secret):
    metadata = requests.get(f"{base}/.well-known/openid-configuration", timeout=10).json()
    check(metadata["issuer"] == base, "discovery names the issuer PUBLIC_URL")
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    client = OAuth2Session("annuaire", secret, scope="openid profile email ordre",
                           redirect_uri=f"{site}/callback", code_challenge_method="S256")

    def authorization_url():
        verifier, nonce = generate_token(48), generate_token(20)
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        return url, state, verifier, nonce

    def validated(id_token, nonce):
        claims = jwt.decode(id_token, keys, claims_cls=CodeIDToken,
                            claims_options={"iss": {"essential": True, "value": base}},
                            claims_params={"nonce": nonce, "client_id": "annuaire"})
        claims.validate(leeway=5)
        return claims

    browser = Browser(base)
    url, state, verifier, nonce = authorization_url()
    login_page = browser.get(url).headers["Location"]
    check(login_page.startswith("https://portail.example/connexion?login_request="),
          "without an SSO session the browser goes to the front end's login page")

    # The front end: what is asked, the sign-in, the acceptance.
    request_id = query(login_page)["login_request"]
    asked = requests.get(f"{base}/v1/login-requests/{request_id}", timeout=10).json()
    check(asked["client_name"] == "Annuaire de l'Ordre", "the login request names the site")
    signed_in = requests.post(f"{base}/v1/sessions", json={
        "identifier": "rac.demo", "password": DEMO_PASSWORD, "keep_session_active": True}, timeout=30).json()
    accepted = requests.post(f"{base}/v1/login-requests/{request_id}/accept",
                             headers={"Authorization": f"Bearer {signed_in['access_token']}"}, timeout=10).json()
    callback = browser.get(accepted["redirect_to"]).headers["Location"]
    check(browser.cookie is not None, "the browser holds the SSO cookie")
    check(callback.startswith(f"{site}/callback") and query(callback)["state"] == state
          and query(callback)["iss"] == base, "back at the site with the code, its state and iss")

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                               code_verifier=verifier)
    claims = validated(token["id_token"], nonce)
    check(claims["amr"] == ["pwd"] and claims["preferred_username"] == "rac.demo",
          "Authlib validates the ID token (RS256, JWKS, iss, aud, nonce, exp) and reads its claims")
    info = client.get(metadata["userinfo_endpoint"]).json()
    check(info["sub"] == claims["sub"] and info["email"] == claims["email"]
          and "regions" in info["ordre"], "userinfo answers the same subject and the ordre claim")
    try:
        client.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                           code_verifier=verifier)
        check(False, "a code works once")
    except OAuthError as error:
        check(error.error == "invalid_grant", "a code presented twice is invalid_grant")

    # The replay revoked the first exchange's grant: sign in to the site again, from the cookie.
    url, state, verifier, nonce = authorization_url()
    callback = browser.get(url).headers["Location"]
    check(callback.startswith(f"{site}/callback") and "code" in query(callback),
          "with the SSO cookie, the next authorization returns a code at once")
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                               code_verifier=verifier)
    sid = validated(token["id_token"], nonce)["sid"]
    refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    check(refreshed["refresh_token"] != token["refresh_token"], "a refresh rotates the refresh token")

    logout = browser.get(f"{metadata['end_session_endpoint']}?" + urllib.parse.urlencode({
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": f"{site}/", "state": "bye"}))
    check(logout.headers["Location"] == f"{site}/?state=bye", "logout returns to the registered URI with state")
    deadline = time.monotonic() + 15
    while not BackChannel.received and time.monotonic() < deadline:
        time.sleep(0.1)
    check(BackChannel.received, "a back-channel logout token reached the site")
    logout_claims = jwt.decode(BackChannel.received[0], keys,
                               claims_options={"iss": {"essential": True, "value": base},
                                               "aud": {"essential": True, "value": "annuaire"}})
    logout_claims.validate(leeway=5)
    check(logout_claims["sid"] == sid and
          "http://schemas.openid.net/event/backchannel-logout" in logout_claims["events"]
          and "nonce" not in logout_claims, "the logout token verifies and names the ended session")
    me = requests.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {signed_in['access_token']}"}, timeout=10)
    check(me.status_code == 401, "the front end's session ended with the logout")
    print(json.dumps({"oidc": "passed"}))


if __name__ == "__main__":
    main(sys.argv[1])
