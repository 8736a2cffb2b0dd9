"""The task inbox, walked by the demo roles through the test client (issue 11 §2, first bullet).

Every demo user starts in their inbox; carriers see only their organisations' tasks, officials
only their office subtrees and only the steps their role takes. Assignment goes to a colleague of
the office handling the case; bulk certification and bulk payment orders are all or nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.formatting import format_date, format_eur
from grants.applications.models import Application, Message, MessageKind
from grants.applications.models.correspondence import MessageSide
from grants.awards.models import ProofOfUse
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.awards.payments.services.drawdown import drawdown_certify
from grants.inbox.models import TaskAssignment
from grants.inbox.selectors import inbox

pytestmark = pytest.mark.django_db


# The demo cases these tests read, by title: their references depend on the database's
# sequences (PostgreSQL keeps counting across tests), so they are looked up.
TITLES = {
    "werkstatt": "Demokratiewerkstatt Eisenbahnstraße",
    "stadtteilmuetter": "Stadtteilmütter im Leipziger Osten",
    "erinnerungsorte": "Erinnerungsorte in der Neustadt – Jugendliche recherchieren Stadtgeschichte",
    "jugendfeuerwehr": "Jugendfeuerwehr mischt mit – Beteiligung in der Jugendarbeit",
    "filmreihe": "Filmreihe „Hinschauen“ 2027",
    "brueckengespraeche": "Brückengespräche 2027",
}


def ref(key: str) -> str:
    return Application.objects.get(title=TITLES[key]).reference


INBOX = "/eingang/"
DRESDEN_GRANT = "SN-DD-DL-PFD-2026-0002"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _login(client, username: str) -> User:
    user = _user(username)
    client.force_login(user)
    return user


def _page(client, username: str, query: str = "") -> str:
    _login(client, username)
    response = client.get(INBOX + query)
    assert response.status_code == 200
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _drawdown(state: str, **extra) -> Drawdown:
    return Drawdown.objects.filter(grant__file_number=DRESDEN_GRANT, state=state, **extra).earliest("pk")


def _new_request(requested_by: User, amount: str = "100.00") -> Drawdown:
    """A further request on the Dresden grant (its headroom does not matter to certifying)."""
    template = _drawdown(DrawdownState.REQUESTED)
    return Drawdown.objects.create(
        grant=template.grant,
        budget_year=template.budget_year,
        amount=Decimal(amount),
        needed_on=template.needed_on,
        purpose="Honorare Herbstseminar",
        requested_by=requested_by,
    )


# --- the start page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["traeger", "sachbearbeitung", "bewilligung", "finanzen", "pruefung", "admin"]
)
def test_the_start_page_of_every_role_is_the_inbox(demo_world, client, username):
    _login(client, username)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_the_worklist_and_the_lists_stay_in_the_navigation(demo_world, client):
    html = _page(client, "sachbearbeitung")
    assert 'href="/eingang/" aria-current="page"' in html
    assert f'href="{reverse("worklist")}"' in html
    html = _page(client, "traeger")
    assert f'href="{reverse("application_list")}"' in html


# --- what each role sees --------------------------------------------------------------------


def test_carrier_sees_revision_requests_notices_and_money_to_draw_of_own_organisations_only(
    demo_world, client
):
    html = _page(client, "traeger")
    assert 'id="inbox-revision"' in html
    assert ref("stadtteilmuetter") in html  # Bürgerbündnis Leipziger Osten: revision requested
    assert "SN-DD-DL-PFD-2026-0001" in html  # notice, objection period running
    assert 'id="inbox-money_to_draw"' in html
    assert "31.12." in html
    # Another carrier's revision request (Feuerwehr, M-V) is not in this inbox, and vice versa.
    assert ref("jugendfeuerwehr") not in html
    other = _page(client, "traeger_feuerwehr")
    assert ref("jugendfeuerwehr") in other
    assert ref("stadtteilmuetter") not in other
    # A carrier has no office steps: no drawdowns to certify, no assignment links.
    assert "Zuweisen" not in html
    assert 'action="/eingang/sammel/' not in html


def test_carrier_sees_a_revision_request_with_its_answer_due_date(demo_world, client):
    today = timezone.localdate()
    application = Application.objects.get(reference=ref("stadtteilmuetter"))
    Message.objects.create(
        application=application,
        side=MessageSide.OFFICE,
        kind=MessageKind.REVISION_REQUEST,
        body="Bitte den Kostenplan erläutern.",
        due_on=today - timedelta(days=2),
    )
    html = _page(client, "traeger")
    row = html[html.index(ref("stadtteilmuetter")) : html.index("</tr>", html.index(ref("stadtteilmuetter")))]
    assert format_date(today - timedelta(days=2)) in row
    assert "2 Tage überfällig" in row
    overdue = _page(client, "traeger", "?overdue=on")
    assert ref("stadtteilmuetter") in overdue
    assert ref("erinnerungsorte") not in overdue  # its revision request names no due date


def test_carrier_sees_an_overdue_proof_with_its_due_date_and_days_overdue(demo_world, client):
    today = timezone.localdate()
    proof = ProofOfUse.objects.overdue(today).get(grant__organisation__name="Stadt Görlitz")
    html = _page(client, "traeger_kommune")
    assert 'id="inbox-proof_due"' in html
    assert format_date(proof.due_on) in html
    assert f"{(today - proof.due_on).days} Tage überfällig" in html


def test_case_officer_sees_only_the_office_subtree(demo_world, client):
    leipzig = _page(client, "fachstelle_leipzig")
    assert ref("werkstatt") in leipzig
    assert ref("brueckengespraeche") not in leipzig  # Görlitz
    assert 'id="inbox-drawdown_certify"' not in leipzig  # the Dresden request is not Leipzig's
    goerlitz = _page(client, "pfd-goerlitz")
    assert ref("brueckengespraeche") in goerlitz
    assert ref("werkstatt") not in goerlitz
    state = _page(client, "sachbearbeitung")
    assert '<h2 id="inbox-drawdown_certify">Mittelabrufe zur Bescheinigung <span' in state
    assert 'id="inbox-drawdown_certify"' in state
    assert DRESDEN_GRANT in state


def test_each_role_sees_only_the_steps_it_takes(demo_world, client):
    approver = _page(client, "bewilligung")
    assert 'id="inbox-application_decision"' in approver
    assert 'id="inbox-drawdown_certify"' not in approver
    assert 'id="inbox-payment_order"' not in approver
    finance = _page(client, "finanzen")
    assert 'id="inbox-payment_order"' in finance
    assert format_eur(_drawdown(DrawdownState.CERTIFIED).amount) in finance
    assert 'id="inbox-application_decision"' not in finance
    auditor = _page(client, "pruefung")
    assert "Für Sie liegt nichts an." in auditor


def test_nobody_sees_a_case_of_their_own_organisation(demo_world, client):
    application = Application.objects.get(reference=ref("filmreihe"))
    assert ref("filmreihe") in _page(client, "pfd-goerlitz-leitung")
    application.organisation.members.add(_user("pfd-goerlitz-leitung"))
    assert ref("filmreihe") not in _page(client, "pfd-goerlitz-leitung")


def test_days_waiting_and_due_date_are_computed_from_the_request(demo_world):
    today = timezone.localdate()
    drawdown = _drawdown(DrawdownState.REQUESTED)
    drawdown.needed_on = today - timedelta(days=3)
    drawdown.save(update_fields=["needed_on"])
    Drawdown.objects.filter(pk=drawdown.pk).update(requested_at=timezone.now() - timedelta(days=5))
    sections = {s.key: s for s in inbox(_user("sachbearbeitung"), today=today)}
    task = next(t for t in sections["drawdown_certify"].tasks if t.object_id == drawdown.pk)
    assert task.days_waiting == 5
    assert task.due_on == today - timedelta(days=3)
    assert task.days_overdue == 3
    assert task.amount == drawdown.amount


# --- assignment -----------------------------------------------------------------------------


def test_a_task_is_assigned_to_a_colleague_of_the_office_handling_the_case(demo_world, client):
    drawdown = _drawdown(DrawdownState.REQUESTED)
    officer = _login(client, "sachbearbeitung")
    colleague = _user("sachbearbeitung_bund")
    url = reverse("inbox_assign", args=["drawdown_certify", drawdown.pk])
    page = client.get(url).content.decode()
    assert colleague.get_full_name() in page
    assert _user("fachstelle_leipzig").get_full_name() not in page  # Leipzig does not handle Dresden
    response = client.post(url, {"assignee": colleague.pk})
    assert response.status_code == 302
    assert _messages(response) == [f"Die Aufgabe wurde {colleague.get_full_name()} zugewiesen."]
    assignment = TaskAssignment.objects.get(kind="drawdown_certify", object_id=drawdown.pk)
    assert (assignment.assignee, assignment.assigned_by) == (colleague, officer)
    assert colleague.get_full_name() in client.get(INBOX).content.decode()


@pytest.mark.parametrize(
    ("username", "role"), [("fachstelle_leipzig", "Sachbearbeitung"), ("finanzen", "Sachbearbeitung")]
)
def test_assigning_to_someone_outside_the_handling_office_or_role_is_refused(
    demo_world, client, username, role
):
    drawdown = _drawdown(DrawdownState.REQUESTED)
    _login(client, "sachbearbeitung")
    other = _user(username)
    response = client.post(
        reverse("inbox_assign", args=["drawdown_certify", drawdown.pk]), {"assignee": other.pk}
    )
    assert response.status_code == 200
    assert _messages(response) == [
        f"{other.get_full_name()} kann diese Aufgabe nicht übernehmen: Sie braucht die Rolle „{role}“ "
        f"in der Stelle, die {DRESDEN_GRANT} bearbeitet."
    ]
    assert not TaskAssignment.objects.exists()


def test_a_task_outside_the_own_inbox_cannot_be_assigned(demo_world, client):
    drawdown = _drawdown(DrawdownState.REQUESTED)
    _login(client, "fachstelle_leipzig")
    response = client.post(
        reverse("inbox_assign", args=["drawdown_certify", drawdown.pk]),
        {"assignee": _user("sachbearbeitung").pk},
    )
    assert response.status_code == 404
    assert not TaskAssignment.objects.exists()


# --- filters --------------------------------------------------------------------------------


def test_filters_by_assignment_kind_and_overdue(demo_world, client):
    officer = _login(client, "sachbearbeitung")
    drawdown = _drawdown(DrawdownState.REQUESTED)
    TaskAssignment.objects.create(
        kind="drawdown_certify", object_id=drawdown.pk, assignee=officer, assigned_by=officer
    )
    mine = _page(client, "sachbearbeitung", "?assignment=mine")
    assert DRESDEN_GRANT in mine
    assert ref("brueckengespraeche") not in mine  # not assigned to anyone
    unassigned = _page(client, "sachbearbeitung", "?assignment=unassigned")
    assert 'id="inbox-drawdown_certify"' not in unassigned
    assert ref("brueckengespraeche") in unassigned
    kind = _page(client, "sachbearbeitung", "?kind=first_check")
    assert 'id="inbox-first_check"' in kind
    assert ref("brueckengespraeche") not in kind
    assert 'id="inbox-drawdown_certify"' not in kind
    Drawdown.objects.filter(pk=drawdown.pk).update(needed_on=timezone.localdate() - timedelta(days=1))
    overdue = _page(client, "sachbearbeitung", "?overdue=on")
    assert DRESDEN_GRANT in overdue
    assert "1 Tag überfällig" in overdue
    assert ref("brueckengespraeche") not in overdue  # applications to check have no due date
    assert "Keine Aufgaben passen zu diesen Filtern." in _page(client, "pruefung", "?overdue=on")


def test_a_kind_the_person_does_not_take_shows_nothing(demo_world, client):
    html = _page(client, "traeger", "?kind=payment_order")
    assert "Keine Aufgaben passen zu diesen Filtern." in html


def test_enter_in_a_filter_field_never_submits_a_bulk_form(demo_world, client):
    html = _page(client, "sachbearbeitung")
    filter_form = html[html.index('role="search"') : html.index("</form>", html.index('role="search"'))]
    assert 'name="drawdown"' not in filter_form
    start = html.index('action="/eingang/sammel/certify/"')
    bulk_form = html[start : html.index("</form>", start)]
    assert 'name="kind"' not in bulk_form and 'name="overdue"' not in bulk_form
    assert bulk_form.count("<form") == 0


# --- bulk actions ---------------------------------------------------------------------------


def test_bulk_certify_certifies_every_selected_request(demo_world, client):
    first = _drawdown(DrawdownState.REQUESTED)
    second = _new_request(first.requested_by)
    officer = _login(client, "sachbearbeitung")
    response = client.post(reverse("inbox_bulk", args=["certify"]), {"drawdown": [first.pk, second.pk]})
    assert response.status_code == 302
    assert _messages(response) == ["2 Mittelabrufe wurden als sachlich und rechnerisch richtig bescheinigt."]
    for drawdown in (first, second):
        drawdown.refresh_from_db()
        assert drawdown.state == DrawdownState.CERTIFIED
        assert drawdown.certified_by == officer


def test_bulk_certify_with_one_refused_item_writes_nothing_and_names_it(demo_world, client):
    first = _drawdown(DrawdownState.REQUESTED)
    officer = _login(client, "sachbearbeitung")
    own = _new_request(officer, amount="1234.56")  # four eyes: nobody certifies their own request
    response = client.post(reverse("inbox_bulk", args=["certify"]), {"drawdown": [first.pk, own.pk]})
    assert _messages(response) == [
        "Nichts wurde gespeichert; abgelehnt:",
        f"{DRESDEN_GRANT}, 1.234,56 €: Wer die Mittel abgerufen hat, kann den Abruf nicht sachlich und rechnerisch richtig zeichnen.",
    ]
    assert set(Drawdown.objects.filter(pk__in=[first.pk, own.pk]).values_list("state", flat=True)) == {
        DrawdownState.REQUESTED
    }


def test_bulk_order_orders_every_selected_payment(demo_world, client):
    certified = _drawdown(DrawdownState.CERTIFIED)
    second = _new_request(certified.requested_by)
    drawdown_certify(drawdown=second, by=_user("sachbearbeitung"))
    finance = _login(client, "finanzen")
    assert format_eur(second.amount) in client.get(INBOX).content.decode()
    response = client.post(reverse("inbox_bulk", args=["order"]), {"drawdown": [certified.pk, second.pk]})
    assert _messages(response) == ["2 Auszahlungen wurden angeordnet."]
    for drawdown in (certified, second):
        drawdown.refresh_from_db()
        assert drawdown.state == DrawdownState.ORDERED
        assert drawdown.ordered_by == finance


def test_bulk_order_with_one_refused_item_writes_nothing_and_names_it(demo_world, client):
    certified = _drawdown(DrawdownState.CERTIFIED)
    requested = _drawdown(DrawdownState.REQUESTED)
    _login(client, "finanzen")
    response = client.post(reverse("inbox_bulk", args=["order"]), {"drawdown": [certified.pk, requested.pk]})
    assert _messages(response) == [
        "Nichts wurde gespeichert; abgelehnt:",
        f"{DRESDEN_GRANT}, {format_eur(requested.amount)}: "
        "Nur ein sachlich und rechnerisch richtig gezeichneter Mittelabruf kann zur Auszahlung angeordnet werden.",
    ]
    certified.refresh_from_db()
    assert certified.state == DrawdownState.CERTIFIED


def test_bulk_order_refuses_a_drawdown_of_another_office_without_revealing_it(demo_world, client):
    certified = _drawdown(DrawdownState.CERTIFIED)
    _login(client, "finanzen_zt")
    response = client.post(reverse("inbox_bulk", args=["order"]), {"drawdown": [certified.pk]})
    assert _messages(response) == [
        "Nichts wurde gespeichert; abgelehnt:",
        f"Mittelabruf Nr. {certified.pk}: nicht gefunden oder für Sie nicht sichtbar.",
    ]
    certified.refresh_from_db()
    assert certified.state == DrawdownState.CERTIFIED


def test_a_bulk_step_without_a_selection_says_so(demo_world, client):
    _login(client, "sachbearbeitung")
    response = client.post(reverse("inbox_bulk", args=["certify"]), {})
    assert _messages(response) == ["Bitte mindestens einen Mittelabruf auswählen."]


# --- cost -----------------------------------------------------------------------------------


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX).status_code == 200
    return len(queries)


def test_the_inbox_costs_the_same_queries_for_few_and_many_tasks(
    demo_world, client, django_assert_max_num_queries
):
    requester = _drawdown(DrawdownState.REQUESTED).requested_by
    _login(client, "sachbearbeitung")
    for _ in range(9):  # a full first page of this kind, so its COUNT runs as well
        _new_request(requester)
    few = _queries(client)
    for _ in range(30):
        _new_request(requester)
    with django_assert_max_num_queries(few):
        html = client.get(INBOX).content.decode()
    assert "alle 40 anzeigen" in html
    assert html.count('name="drawdown"') == 10
    assert few <= 25


# --- finance: open bank-statement lines (registered by reporting) ---------------------------


def test_finance_sees_open_bank_statement_lines_of_its_offices_only(demo_world, client):
    from budgets.models import CoordinatingOffice
    from reporting.bankstatements.models import BankStatement, StatementLine, StatementLineState

    statement = BankStatement.objects.create(
        office=CoordinatingOffice.objects.get(code="SN"),
        schema="camt.053.001.08",
        message_id="MSG-INBOX-1",
        statement_id="STMT-INBOX-1",
        account_iban="DE02120300000000202051",
        file_name="auszug.xml",
        imported_by=_user("finanzen"),
    )
    StatementLine.objects.create(
        statement=statement,
        position=3,
        account_iban=statement.account_iban,
        amount=Decimal("1234.56"),
        currency="EUR",
        credit=True,
        counterparty_name="Unbekannter Einzahler",
        state=StatementLineState.UNASSIGNED,
    )
    html = _page(client, "finanzen")
    assert '<h2 id="inbox-statement_line">Offene Posten aus Kontoauszügen <span' in html
    assert "STMT-INBOX-1 / 3" in html
    assert "Unbekannter Einzahler" in html
    assert "1.234,56 €" in html
    assert 'id="inbox-statement_line"' not in _page(client, "sachbearbeitung")
    assert 'id="inbox-statement_line"' not in _page(client, "finanzen_zt")
