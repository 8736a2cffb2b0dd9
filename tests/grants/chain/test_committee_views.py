"""The committee pages as the PfD office uses them: prepare a session, record votes item by
item (one form per item: pressing Enter in one sends only that one), close, download minutes."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from grants.applications.models import Application
from grants.chain.models import CommitteeSession, Recusal, Vote
from grants.chain.services.committee import session_open_voting
from tests.grants.chain.committee_world import add_committee, session_with
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "de"
    w = build_chain_world()
    w.approve_first_grant("100000")
    w.people["fund"] = w.open_fund(w.action_kind, "50000")
    w.people["committee"] = add_committee(w, w.fund)
    return w


def test_the_office_prepares_a_session_and_puts_ready_applications_on_the_agenda(client, world):
    app = world.micro_project(world.fund, world.verein, grant="2000")
    client.force_login(world.pfd_officer)
    assert "Begleitausschuss Landkreis Görlitz" in client.get(reverse("committee_list")).content.decode()
    response = client.post(
        reverse("session_create", args=[world.committee.pk]),
        {"procedure": "session", "held_on": "2026-03-20"},
    )
    session = CommitteeSession.objects.get()
    assert response["Location"] == reverse("session_detail", args=[session.pk])
    page = client.get(response["Location"]).content.decode()
    assert app.reference in page and "Auf die Tagesordnung" in page
    client.post(reverse("session_item_add", args=[session.pk]), {"application": app.pk})
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Anna Berger" in page and "Organisation des Mitglieds ist Antragstellerin" in page


def test_a_circulation_without_deadline_is_refused_with_a_message(client, world):
    client.force_login(world.pfd_officer)
    response = client.post(
        reverse("session_create", args=[world.committee.pk]),
        {"procedure": "circulation", "held_on": "2026-03-20"},
    )
    assert response.status_code == 200 and "Frist" in response.content.decode()
    assert not CommitteeSession.objects.exists()


def test_votes_are_recorded_item_by_item_and_a_recused_members_vote_is_refused(client, world):
    own = world.micro_project(world.fund, world.verein, grant="2000")
    other = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item1, item2) = session_with(world, world.committee, own, other)
    session_open_voting(session=session, by=world.pfd_officer)
    seats = world.seats
    client.force_login(world.pfd_officer)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    # Every item has its own vote form: Enter in one submits that one only.
    assert page.count('action="/gremien/sitzungen/') >= 6
    url2 = reverse("session_vote_add", args=[session.pk, item2.pk])
    response = client.post(url2, {"member": seats["Bernd Claus"].pk, "deputy": "", "choice": "yes"})
    assert response.status_code == 302
    assert list(Vote.objects.values_list("item_id", "member__name", "choice")) == [
        (item2.pk, "Bernd Claus", "yes")
    ]
    url1 = reverse("session_vote_add", args=[session.pk, item1.pk])
    response = client.post(
        url1, {"member": seats["Anna Berger"].pk, "deputy": "", "choice": "yes"}, follow=True
    )
    assert "befangen" in response.content.decode()
    assert Vote.objects.filter(item=item1).count() == 0
    # A vote form without a choice names the field and writes nothing.
    response = client.post(url1, {"member": seats["Carla Dietz"].pk}, follow=True)
    assert "Stimme" in response.content.decode() and Vote.objects.filter(item=item1).count() == 0


def test_closing_without_quorum_is_explained_and_after_the_votes_the_minutes_name_the_recusal(client, world):
    own = world.micro_project(world.fund, world.verein, grant="2000")
    session, (item,) = session_with(world, world.committee, own)
    session_open_voting(session=session, by=world.pfd_officer)
    client.force_login(world.pfd_officer)
    response = client.post(reverse("session_close", args=[session.pk]), follow=True)
    assert "beschlussfähig" in response.content.decode()
    assert CommitteeSession.objects.get().state == "voting"
    for name, choice in [("Bernd Claus", "yes"), ("Carla Dietz", "yes"), ("Dirk Engel", "abstain")]:
        client.post(
            reverse("session_vote_add", args=[session.pk, item.pk]),
            {"member": world.seats[name].pk, "choice": choice},
        )
    response = client.post(reverse("session_close", args=[session.pk]), follow=True)
    assert "abgeschlossen" in response.content.decode()
    assert Application.objects.get(pk=own.pk).recommendation == "adopted"
    minutes = client.get(reverse("committee_minutes", args=[session.pk]))
    assert minutes.status_code == 200 and minutes.content.startswith(b"%PDF")
    text = pdf_text(minutes.content)
    assert "Anna Berger" in text and "Befangenheit" in text and "angenommen" in text


def test_other_offices_and_carriers_see_no_committee(client, world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(world, world.committee, app)
    client.force_login(world.other_pfd_officer)
    assert client.get(reverse("committee_detail", args=[world.committee.pk])).status_code == 404
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404
    assert client.post(reverse("session_open", args=[session.pk])).status_code == 404
    assert client.get(reverse("committee_minutes", args=[session.pk])).status_code == 404
    client.force_login(world.municipal_carrier)
    assert client.get(reverse("committee_list")).status_code == 403
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404
    assert not Recusal.objects.exclude(item=item).exists()


def test_the_federal_auditor_reads_but_cannot_prepare(client, world):
    from tests.budgets.factories import UserFactory, membership

    auditor = UserFactory(username="pruefung")
    membership(auditor, world.federal, "auditor")
    client.force_login(auditor)
    page = client.get(reverse("committee_detail", args=[world.committee.pk])).content.decode()
    assert "Sitzung anlegen" not in page
    response = client.post(
        reverse("session_create", args=[world.committee.pk]),
        {"procedure": "session", "held_on": "2026-03-20"},
    )
    assert response.status_code == 403 and not CommitteeSession.objects.exists()
    assert date(2026, 3, 20)


def test_a_member_casts_their_own_vote_in_a_circulation_and_only_theirs(client, world):
    from tests.budgets.factories import UserFactory

    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(
        world, world.committee, app, procedure="circulation", deadline=date(2099, 12, 31)
    )
    session_open_voting(session=session, by=world.pfd_officer)
    member_user = UserFactory(username="ausschuss")
    eva = world.seats["Eva Fuchs"]
    eva.user = member_user
    eva.save()
    client.force_login(member_user)
    page = client.get(reverse("my_votes")).content.decode()
    assert "Meine Abstimmungen" in page and app.reference in page
    # Another seat's ballot is not theirs.
    other = reverse("my_vote_cast", args=[item.pk, world.seats["Dirk Engel"].pk])
    assert client.post(other, {"choice": "yes"}).status_code == 404
    response = client.post(reverse("my_vote_cast", args=[item.pk, eva.pk]), {"choice": "yes"}, follow=True)
    assert "wurde erfasst" in response.content.decode()
    assert list(Vote.objects.values_list("member__name", "choice", "recorded_by")) == [
        ("Eva Fuchs", "yes", member_user.pk)
    ]
    assert app.reference not in client.get(reverse("my_votes")).content.decode()
    # The member sees no committee administration.
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404


class _Forms(HTMLParser):
    """Each form of a page with the names of its inputs and its submit buttons; a form inside a
    form would make Enter send the outer one, so nesting is recorded too."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.depth = 0
        self.nested = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.nested = self.nested or self.depth > 0
            self.depth += 1
            self.forms.append({"action": a.get("action"), "names": set(), "submits": 0})
        elif self.depth and tag in ("input", "select", "textarea", "button"):
            if a.get("name"):
                self.forms[-1]["names"].add(a["name"])
            if tag == "button" and a.get("type", "submit") == "submit":
                self.forms[-1]["submits"] += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def test_each_items_vote_form_stands_alone_so_enter_sends_only_that_item(client, world):
    first = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    second = world.micro_project(world.fund, OrganisationFactory(), grant="2500")
    session, (item1, item2) = session_with(world, world.committee, first, second)
    session_open_voting(session=session, by=world.pfd_officer)
    client.force_login(world.pfd_officer)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    parser = _Forms()
    parser.feed(page)
    assert not parser.nested
    vote_forms = {f["action"]: f for f in parser.forms if f["action"].endswith("/stimme/")}
    url1 = reverse("session_vote_add", args=[session.pk, item1.pk])
    url2 = reverse("session_vote_add", args=[session.pk, item2.pk])
    assert set(vote_forms) == {url1, url2}
    for form in vote_forms.values():
        assert form["names"] == {"csrfmiddlewaretoken", "idempotency_key", "member", "deputy", "choice"}
        assert form["submits"] == 1
    # What Enter in the second item's form sends: its own fields to its own URL.
    client.post(url2, {"member": world.seats["Carla Dietz"].pk, "deputy": "", "choice": "no"})
    assert list(Vote.objects.values_list("item_id", "member__name", "choice")) == [
        (item2.pk, "Carla Dietz", "no")
    ]
    # The agenda names the amount each carrier asks for.
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Beantragte Zuwendung: 1.500,00 €" in page and "Beantragte Zuwendung: 2.500,00 €" in page


def test_the_committee_page_lists_each_seat_with_its_deputy_the_funds_and_the_sessions(client, world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, _ = session_with(world, world.committee, app)
    client.force_login(world.pfd_officer)
    page = client.get(reverse("committee_detail", args=[world.committee.pk])).content.decode()
    assert "Noch keine Mitglieder" not in page
    for name in ("Anna Berger", "Bernd Claus", "Eva Fuchs", "Frank Graf", "Gisela Horn"):
        assert name in page
    # A deputy is listed under the seat it stands in for.
    assert page.index("Bernd Claus") < page.index("Frank Graf") < page.index("Carla Dietz")
    assert world.fund.name in page
    assert reverse("session_detail", args=[session.pk]) in page
