"""Fixtures for the webhook tests: the reporting world (a Saxon office with a case officer and an
approver, a carrier), more people around it, and a receiver on a local port.

The receiver is a real HTTP server in a thread: it records every request (headers and body) and
answers with the status codes it is told, and it deduplicates by ``Webhook-Id`` as the docs ask
a receiver to do (``processed`` holds each event once).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.budgets.factories import UserFactory, membership, office
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import make_world


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers ``statuses`` in turn (then 200)."""

    server: ThreadingHTTPServer
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    processed: dict[str, Any] = field(default_factory=dict)
    # Set by a test to hold the answer (a worker killed while it waits for it).
    hold: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}/hooks"

    def ids(self) -> list[str]:
        return [r.headers["Webhook-Id"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            me = state["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with me.lock:
                me.requests.append(Received(dict(self.headers.items()), body))
                status = me.statuses.pop(0) if me.statuses else 200
            if me.hold is not None:
                me.hold.wait(timeout=60)
            if 200 <= status < 300:
                me.processed.setdefault(self.headers["Webhook-Id"], json.loads(body))
            try:
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"no")
            except OSError:
                pass  # the sender is gone (a killed worker)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    if state["receiver"].hold is not None:
        state["receiver"].hold.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(db) -> dict[str, Any]:
    """make_world() plus: a local office below Saxony, staff of several kinds, a foreign carrier."""
    w = make_world()
    w["leipzig"] = office(parent=w["sn"], name="Koordinierungsstelle Leipzig", code="SN-L", state="SN")
    w["finance"] = UserFactory(first_name="Annegret", last_name="Kühn")
    membership(w["finance"], w["sn"], "finance")
    w["auditor"] = UserFactory(first_name="Heike", last_name="Prüfer")
    membership(w["auditor"], w["sn"], "auditor")
    w["federal_officer"] = UserFactory(first_name="Bernd", last_name="Bund")
    membership(w["federal_officer"], w["root"], "case_officer")
    w["other_officer"] = UserFactory(first_name="Maik", last_name="Nachbar")
    membership(w["other_officer"], w["other"], "case_officer")
    w["leipzig_officer"] = UserFactory(first_name="Lena", last_name="Lindner")
    membership(w["leipzig_officer"], w["leipzig"], "case_officer")
    w["foreign_organisation"] = OrganisationFactory(name="Anderer Verein e.V.")
    w["foreign_carrier"] = carrier_user(w["foreign_organisation"])
    return w


ALL_EVENTS = ("application.state_changed", "notice.issued", "payment.executed", "proof.due")


@pytest.fixture
def endpoint(world):
    """``endpoint(owner_user, url, organisation=… | office=…, events=…)`` through the service."""
    from webhooks.services import endpoint_create

    def make(by, url: str, *, organisation=None, office=None, events=ALL_EVENTS, description: str = ""):
        return endpoint_create(
            by=by,
            url=url,
            event_types=list(events),
            description=description,
            organisation_id=organisation.pk if organisation is not None else None,
            office=office,
        )

    return make
