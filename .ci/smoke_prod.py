"""Production smoke run against `make serve-prod`: health, login with a second factor, one approval,
the worker's notice.

Usage: smoke_prod.py BASE_URL USERNAME PASSWORD

Acts as the TLS-terminating proxy would: every request carries ``X-Forwarded-Proto: https``,
so the production settings (HTTPS redirect, Secure cookies, CSRF origin checks) stay as they
are; the cookies are kept by hand because a Secure cookie is never sent over plain HTTP by a
standard cookie jar. Standard library only. Prints the approval's request id on the last line
(``approval-request-id: …``) so that CI can find it in the worker's log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import struct
import sys
import time
import urllib.parse

TIMEOUT = 30  # seconds per HTTP request
HEALTH_WAIT = 180  # seconds for the three processes to come up
NOTICE_WAIT = 120  # seconds for the worker to issue the grant notice


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        parts = urllib.parse.urlsplit(self.base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin = f"https://{parts.netloc}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        headers = {"X-Forwarded-Proto": "https", "Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response

    def get(self, path: str) -> tuple[http.client.HTTPResponse, str]:
        response = self.request("GET", path)
        return response, response.body.decode("utf-8", "replace")  # type: ignore[attr-defined]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        fail("no CSRF token on the page")
    return match.group(1)


def fail(message: str) -> None:
    print(f"SMOKE FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def wait_for_health(browser: Browser) -> None:
    deadline = time.monotonic() + HEALTH_WAIT
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(browser.host, browser.port, timeout=5)
            connection.request("GET", "/health/")  # plain HTTP, any host: as a load balancer probes
            response = connection.getresponse()
            last = f"{response.status} {response.read().decode()}"
            connection.close()
            if response.status == 200:
                print(f"health: {last}")
                return
        except OSError as exc:
            last = repr(exc)
        time.sleep(2)
    fail(f"/health/ did not answer 200 within {HEALTH_WAIT} s (last: {last})")


def log_in(browser: Browser, username: str, password: str) -> None:
    response, html = browser.get("/anmelden/")
    if response.status != 200:
        fail(f"login page answered {response.status}")
    for header in ("Strict-Transport-Security", "Content-Security-Policy", "X-Request-ID"):
        if not response.headers.get(header):
            fail(f"the login page has no {header} header")
    response = browser.request(
        "POST",
        "/anmelden/",
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(html)},
    )
    if response.status != 302:
        fail(f"login as {username} answered {response.status}, not a redirect")
    cookies = response.headers.get_all("Set-Cookie") or []
    if not cookies or not all("Secure" in cookie for cookie in cookies):
        fail(f"a cookie is not Secure: {cookies}")
    print(f"logged in as {username}")


def totp(key: bytes, at: float) -> str:
    """The six digits an authenticator app shows for ``key`` at ``at`` (RFC 6238: SHA-1, 30 s)."""
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def set_up_second_factor(browser: Browser, username: str) -> None:
    """Production requires a second factor of an approver: every page leads to its set-up until
    an authenticator app is enrolled, as a person does it (the key the page shows, a code)."""
    response = browser.request("GET", "/arbeitsliste/")
    setup = "/konto/zwei-faktor/einrichten/"
    if response.status != 302 or not response.headers.get("Location", "").startswith(setup):
        fail(f"{username} reached the worklist without a second factor ({response.status})")
    response, html = browser.get(setup)
    match = re.search(r'id="totp-key">([A-Z2-7 ]+)<', html)
    if response.status != 200 or not match:
        fail(f"the two-factor set-up page answered {response.status} without a key")
    key = base64.b32decode(match.group(1).replace(" ", ""))
    response = browser.request(
        "POST", setup, {"code": totp(key, time.time()), "csrfmiddlewaretoken": csrf_token(html)}
    )
    if response.status != 302 or "wiederherstellungscodes" not in response.headers.get("Location", ""):
        fail(f"setting up the second factor answered {response.status}")
    print(f"{username} set up two-factor authentication")


def find_approvable(browser: Browser) -> tuple[int, str]:
    """An application this approver may approve: its detail page shows the approve form."""
    _, html = browser.get("/arbeitsliste/?state=approval_proposed")
    ids = sorted({int(pk) for pk in re.findall(r'href="/antraege/(\d+)/"', html)})
    for pk in ids:
        _, detail = browser.get(f"/antraege/{pk}/")
        action = re.escape(f'action="/antraege/{pk}/schritt/approve/"')
        form = re.search(r"<form[^>]+" + action + r"(.*?)</form>", detail, re.S)
        if form:
            return pk, csrf_token(form.group(1))
    fail(f"none of the proposed applications {ids} can be approved by this user")
    raise AssertionError  # unreachable


def approve(browser: Browser, pk: int, token: str) -> str:
    response = browser.request(
        "POST",
        f"/antraege/{pk}/schritt/approve/",
        {"csrfmiddlewaretoken": token, "comment": "Smoke run: approved through the production set-up."},
    )
    if response.status != 302:
        fail(f"approving application {pk} answered {response.status}")
    request_id = response.headers.get("X-Request-ID", "")
    _, detail = browser.get(f"/antraege/{pk}/")
    if "/schritt/approve/" in detail:
        fail(f"application {pk} still offers the approval after approving it")
    print(f"approved application {pk}")
    return request_id


def wait_for_notice(browser: Browser, pk: int) -> None:
    """The grant notice is issued by the Celery worker; the application page lists it."""
    deadline = time.monotonic() + NOTICE_WAIT
    while time.monotonic() < deadline:
        _, detail = browser.get(f"/antraege/{pk}/")
        links = re.findall(r'href="(/dokumente/\d+/)"', detail)
        if links:
            response = browser.request("GET", links[-1])
            pdf = response.body  # type: ignore[attr-defined]
            if response.status != 200 or not pdf.startswith(b"%PDF"):
                fail(f"the notice {links[-1]} answered {response.status} without a PDF")
            print(f"the worker issued the grant notice {links[-1]} ({len(pdf)} bytes)")
            return
        time.sleep(2)
    fail(f"no grant notice for application {pk} within {NOTICE_WAIT} s: is the worker running?")


def main() -> None:
    base, username, password = sys.argv[1:4]
    browser = Browser(base)
    wait_for_health(browser)
    log_in(browser, username, password)
    set_up_second_factor(browser, username)
    pk, token = find_approvable(browser)
    request_id = approve(browser, pk, token)
    wait_for_notice(browser, pk)
    _, health = browser.get("/health/")
    print(json.dumps(json.loads(health)))
    print(f"approval-request-id: {request_id}")


if __name__ == "__main__":
    main()
