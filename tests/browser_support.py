"""Chromium answered by Django's test client: pages run their CSS and JavaScript on test data.

Chromium's requests to ``http://testserver`` are answered from pages fetched beforehand with
the test client (the caller's ``serve``), static files come from the finders, and anything else
gets an empty answer. Playwright calls the route handler inside its event loop, where Django
would open another database connection that cannot see the test's transaction, so the handler
never touches the database. No server thread shares the test database either.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ORIGIN = "http://testserver"
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's Chromium: apt-get install chromium"
)


class ClientBrowser:
    """One browser context whose pages come from a logged-in Django test client."""

    def __init__(
        self, browser, client, *, width: int = 1280, height: int = 900, init_script: Path | None = None
    ):
        self.client = client
        self.documents: dict[str, tuple[int, str, bytes]] = {}
        self.context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
        self.context.route("**/*", self._handle)
        if init_script:
            self.context.add_init_script(path=str(init_script))
        self.page = self.context.new_page()

    def _handle(self, route, request):
        path = request.url.removeprefix(ORIGIN)
        if not request.url.startswith(ORIGIN):
            route.abort()
        elif path in self.documents:
            status, content_type, body = self.documents[path]
            route.fulfill(status=status, body=body, content_type=content_type)
        elif path.startswith("/static/") and (
            found := finders.find(path.removeprefix("/static/").split("?")[0])
        ):
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            route.fulfill(status=200, body=Path(found).read_bytes(), content_type=content_type)
        else:
            route.fulfill(status=204, body=b"")

    def serve(self, url: str, response=None) -> bytes:
        """Fetch ``url`` with the test client (or take ``response``) for Chromium to load."""
        response = response or self.client.get(url)
        self.documents[url] = (response.status_code, response["Content-Type"], response.content)
        return response.content

    def open(self, url: str, response=None):
        self.serve(url, response)
        self.page.goto(ORIGIN + url, wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for the whole module;
    # the ORM calls of the tests and of the test client stay synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                ],
                headless=True,
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
