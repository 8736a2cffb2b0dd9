"""Layout, navigation, language, lists and the officials' worklist."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.applications.services.application import application_start_formal_check, application_submit
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    root = office(kind="federal")
    sn = office(parent=root, kind="state", name="Demokratie-Zentrum Sachsen")
    leipzig = office(parent=sn, kind="local", name="PfD Leipzig")
    app = ApplicationFactory(office=leipzig, title="Demokratiewerkstatt")
    add_plan(app, expenditure=Decimal("13716.18"), own=Decimal("1234.56"))
    carrier = carrier_user(app.organisation)
    officer = UserFactory()
    membership(officer, sn, "case_officer")
    return {"root": root, "sn": sn, "leipzig": leipzig, "app": app, "carrier": carrier, "officer": officer}


def test_home_sends_every_signed_in_person_to_their_inbox(client, world):
    for user in (world["carrier"], world["officer"], UserFactory(is_superuser=True)):
        client.force_login(user)
        assert client.get(reverse("home"))["Location"] == reverse("inbox")


def test_the_login_page_renders_for_anonymous_users(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_the_layout_is_german_by_default_with_htmx_csrf_and_a_post_logout(client, world):
    client.force_login(world["carrier"])
    html = client.get(reverse("application_list")).content.decode()
    assert '<html lang="de">' in html
    assert "Förderverwaltung" in html
    assert "/static/vendor/htmx.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert f'action="{reverse("logout")}" method="post"' in html
    assert f'action="{reverse("set_language")}" method="post"' in html


def test_amounts_are_shown_as_german_euro_amounts(client, world):
    client.force_login(world["carrier"])
    html = client.get(reverse("application_list")).content.decode()
    assert "12.481,62 €" in html  # requested grant = 13.716,18 − 1.234,56


def test_switching_the_language_to_english(client, world):
    client.force_login(world["carrier"])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("application_list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("application_list")
    html = client.get(reverse("application_list")).content.decode()
    assert '<html lang="en">' in html
    assert "My applications" in html
    assert "€12,481.62" in html


def test_navigation_follows_the_role(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["carrier"])
    html = client.get(reverse("application_list")).content.decode()
    assert f'href="{reverse("application_create")}"' in html
    assert f'href="{reverse("worklist")}"' not in html
    client.force_login(world["officer"])
    html = client.get(reverse("worklist")).content.decode()
    assert f'href="{reverse("worklist")}" aria-current="page"' in html
    assert f'href="{reverse("application_create")}"' not in html


def test_my_applications_lists_only_the_users_organisations(client, world):
    other = ApplicationFactory(office=world["leipzig"], title="Fremder Antrag")
    client.force_login(world["carrier"])
    html = client.get(reverse("application_list")).content.decode()
    assert "Demokratiewerkstatt" in html
    assert other.title not in html


def test_the_worklist_is_only_for_office_staff(client, world):
    client.force_login(world["carrier"])
    assert client.get(reverse("worklist")).status_code == 403


def _submitted(world, title, office_, programme=None, amount=Decimal("10000")):
    organisation = OrganisationFactory()
    kwargs = {"programme": programme} if programme else {}
    app = ApplicationFactory(office=office_, title=title, organisation=organisation, **kwargs)
    add_plan(app, expenditure=amount, own=amount / 10)
    return application_submit(application=app, by=carrier_user(organisation))


def test_the_worklist_filters_by_state_programme_and_office(client, world):
    programme = FundingProgrammeFactory()
    a = _submitted(world, "Antrag Leipzig", world["leipzig"])
    b = _submitted(world, "Antrag Land", world["sn"], programme=programme)
    application_start_formal_check(application=b, by=world["officer"])
    outside = _submitted(world, "Antrag Bund", world["root"])
    client.force_login(world["officer"])

    def titles(**params):
        html = client.get(reverse("worklist"), params).content.decode()
        return {t for t in (a.title, b.title, outside.title, world["app"].title) if t in html}

    assert titles() == {"Antrag Leipzig", "Antrag Land"}  # drafts and other subtrees are not listed
    assert titles(state="formal_check") == {"Antrag Land"}
    assert titles(programme=programme.pk) == {"Antrag Land"}
    assert titles(office=world["leipzig"].pk) == {"Antrag Leipzig"}


def test_worklist_columns_sort_and_the_link_toggles_the_direction(client, world):
    _submitted(world, "Alpha", world["leipzig"], amount=Decimal("30000"))
    _submitted(world, "Beta", world["leipzig"], amount=Decimal("20000"))
    client.force_login(world["officer"])
    html = client.get(reverse("worklist"), {"o": "title"}).content.decode()
    assert html.index("Alpha") < html.index("Beta")
    assert 'href="?o=-title"' in html and 'aria-sort="ascending"' in html
    html = client.get(reverse("worklist"), {"o": "-title"}).content.decode()
    assert html.index("Beta") < html.index("Alpha")
    html = client.get(reverse("worklist"), {"o": "amount"}).content.decode()
    assert html.index("Beta") < html.index("Alpha")
    assert "27.000,00 €" in html


def test_the_worklist_pages_by_25(client, world):
    programme = FundingProgrammeFactory()
    for i in range(26):
        _submitted(world, f"Antrag {i:02d}", world["leipzig"], programme=programme)
    client.force_login(world["officer"])
    first = client.get(reverse("worklist"), {"o": "title"}).content.decode()
    assert first.count('class="badge badge--submitted"') == 25
    assert "page=2" in first
    second = client.get(reverse("worklist"), {"o": "title", "page": 2}).content.decode()
    assert second.count('class="badge badge--submitted"') == 1
    assert "Antrag 25" in second


def test_the_worklist_pages_on_by_cursor_through_ties_and_back_again(client, world):
    # Titles repeat (ties broken by the primary key) and amounts differ: following "next" from
    # the first page to the last, then "previous" back, shows every row exactly once, in order.
    import html as html_module
    import re

    programme = FundingProgrammeFactory()
    for i in range(56):
        _submitted(
            world, f"Antrag {i % 20:02d}", world["leipzig"], programme=programme, amount=Decimal(1000 + i)
        )
    client.force_login(world["officer"])

    def page(url):
        body = client.get(url).content.decode()
        rows = re.findall(r'<a href="/antraege/(\d+)/"', body.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
        links = {
            rel: html_module.unescape(href)
            for href, rel in re.findall(r'href="([^"]+)" rel="(next|prev)"', body)
        }
        number = re.search(r"pagination__info\">[^<]*?(\d+)<", body)
        return rows, links, int(number.group(1)) if number else 1

    base = reverse("worklist")
    for order in ("title", "-title", "amount", "-submitted"):
        seen, pages, url = [], [], f"{base}?o={order}"
        while True:
            rows, links, number = page(url)
            pages.append(rows)
            seen += rows
            assert number == len(pages)
            if "next" not in links:
                break
            assert "after=" in links["next"] and f"o={order}" in links["next"]
            url = base + links["next"]
        assert len(seen) == len(set(seen)) >= 56 and len(pages) == 3
        assert [len(p) for p in pages[:-1]] == [25, 25]
        by_offset = [r for n in (1, 2, 3) for r in page(f"{base}?o={order}&page={n}")[0]]
        assert seen == by_offset
        back = []
        while "prev" in links:
            url = base + links["prev"]
            rows, links, _number = page(url)
            back.insert(0, rows)
        assert back == pages[:-1]


def test_a_broken_cursor_shows_the_first_page(client, world):
    _submitted(world, "Antrag Eins", world["leipzig"])
    client.force_login(world["officer"])
    response = client.get(reverse("worklist"), {"o": "title", "after": "kein-cursor", "page": "3"})
    assert response.status_code == 200
    assert "Antrag Eins" in response.content.decode()
