"""The carrier's editor: fields and financing plan in one POST, German amounts, live check."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from grants.applications.forms import parse_amount
from grants.applications.models import Application
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def app():
    root = office(kind="federal")
    application = ApplicationFactory(office=office(parent=root, kind="state"))
    add_plan(application)
    return application


@pytest.fixture
def carrier(app):
    return carrier_user(app.organisation)


def _post_data(app, expenditure, cover, **fields):
    data = {
        "programme": str(app.programme_id),
        "office": str(app.office_id),
        "title": app.title,
        "summary": app.summary,
        "goals": app.goals,
        "target_groups": app.target_groups,
        "region": app.region,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "financing_type": "deficit",
        "expenditure-TOTAL_FORMS": str(len(expenditure)),
        "expenditure-INITIAL_FORMS": "0",
        "cover-TOTAL_FORMS": str(len(cover)),
        "cover-INITIAL_FORMS": "0",
        **fields,
    }
    for i, (category, description, year, amount) in enumerate(expenditure):
        data |= {
            f"expenditure-{i}-category": category,
            f"expenditure-{i}-description": description,
            f"expenditure-{i}-budget_year": str(year),
            f"expenditure-{i}-amount": amount,
        }
    for i, (kind, source, year, amount) in enumerate(cover):
        data |= {
            f"cover-{i}-kind": kind,
            f"cover-{i}-source": source,
            f"cover-{i}-budget_year": str(year),
            f"cover-{i}-amount": amount,
        }
    return data


BALANCED = {
    "expenditure": [
        ("staff", "Projektleitung", 2026, "10.000,00"),
        ("fees", "Honorare", 2026, "1234,56"),
        ("material", "Material", 2026, "1234.56"),
        ("", "", 2026, ""),  # a blank row is ignored
    ],
    "cover": [
        ("own", "Mitgliedsbeiträge", 2026, "1.246,91"),
        ("third_party", "Stadt Leipzig", 2026, "500"),
        ("grant", "", 2026, "10.722,21"),
    ],
}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1.234", "1234.00"),
        ("1.234.567,8", "1234567.80"),
        ("12,5", "12.50"),
        (" 2 500,00 € ", "2500.00"),
        ("0", "0.00"),
    ],
)
def test_amounts_are_read_the_german_way_and_the_plain_decimal_way(typed, expected):
    with translation.override("de"):
        assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["1.234,5x", "12.34.56", "1,234,56", "abc", "1..2", ",50"])
def test_malformed_amounts_are_refused_with_a_clear_german_message(typed):
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        parse_amount(typed)
    with translation.override("de"):
        assert caught.value.messages == [
            f"„{typed}“ ist kein gültiger Betrag. Bitte geben Sie ihn im Format 1.234,56 ein."
        ]


def test_more_than_two_decimals_are_refused_with_a_clear_german_message():
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        parse_amount("1.234,567")
    with translation.override("de"):
        assert caught.value.messages == ["Bitte geben Sie höchstens zwei Nachkommastellen (Cent) ein."]


def test_saving_the_edit_page_replaces_fields_and_financing_plan_in_one_post(client, app, carrier):
    client.force_login(carrier)
    data = _post_data(app, BALANCED["expenditure"], BALANCED["cover"], title="Neuer Titel")
    response = client.post(reverse("application_edit", args=[app.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("application_detail", args=[app.pk])
    app.refresh_from_db()
    assert app.title == "Neuer Titel"
    assert [(x.category, x.description, x.budget_year, x.amount) for x in app.expenditure_lines.all()] == [
        ("staff", "Projektleitung", 2026, Decimal("10000.00")),
        ("fees", "Honorare", 2026, Decimal("1234.56")),
        ("material", "Material", 2026, Decimal("1234.56")),
    ]
    assert [(c.kind, c.source, c.amount) for c in app.cover_lines.all()] == [
        ("own", "Mitgliedsbeiträge", Decimal("1246.91")),
        ("third_party", "Stadt Leipzig", Decimal("500.00")),
        ("grant", "", Decimal("10722.21")),
    ]


def test_a_malformed_amount_keeps_the_page_with_a_german_or_english_message_and_saves_nothing(
    client, app, carrier
):
    client.force_login(carrier)
    client.cookies["django_language"] = "en"
    expenditure = [("staff", "Projektleitung", 2026, "1.234,5x")]
    data = _post_data(app, expenditure, BALANCED["cover"], title="Nicht gespeichert")
    response = client.post(reverse("application_edit", args=[app.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“1.234,5x” is not a valid amount. Please enter it like 1.234,56." in html
    assert 'aria-invalid="true"' in html
    app.refresh_from_db()
    assert app.title == "Demokratiewerkstatt im Stadtteil"
    assert app.expenditure_lines.get().amount == Decimal("10000.00")


def test_the_edit_page_shows_saved_amounts_in_german(client, app, carrier):
    client.force_login(carrier)
    html = client.get(reverse("application_edit", args=[app.pk])).content.decode()
    assert 'value="10.000,00"' in html
    assert "10.000,00 €" in html


def test_the_live_check_returns_totals_and_every_broken_rule(client, app, carrier):
    client.force_login(carrier)
    client.cookies["django_language"] = "en"
    expenditure = [("staff", "Projektleitung", 2026, "12.000,00"), ("travel", "Reisen", 2027, "500")]
    cover = [("own", "", 2026, "1000"), ("grant", "", 2026, "9.000,00")]
    data = _post_data(app, expenditure, cover, summary="")
    response = client.post(reverse("plan_preview", args=[app.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "€12,500.00" in html  # expenditure
    assert "€1,000.00" in html  # own funds
    assert "€9,000.00" in html  # grant
    assert "€2,500.00" in html  # difference
    assert "The financing plan does not balance: expenditure €12,500.00, cover €10,000.00" in html
    assert "The field “Summary” is empty." in html
    assert "assigned to budget year 2027, outside the project period" in html
    assert 'id="expenditure-total" hx-swap-oob="true"' in html
    # Nothing was saved.
    assert app.expenditure_lines.count() == 1


def test_the_live_check_reports_a_malformed_amount_and_a_met_plan(client, app, carrier):
    client.force_login(carrier)
    client.cookies["django_language"] = "en"
    data = _post_data(app, BALANCED["expenditure"], BALANCED["cover"])
    html = client.post(reverse("plan_preview", args=[app.pk]), data).content.decode()
    assert "All programme rules are met." in html
    data["cover-2-amount"] = "10.722,2x"
    html = client.post(reverse("plan_preview", args=[app.pk]), data).content.decode()
    assert "Cover line 3, Amount (EUR): “10.722,2x” is not a valid amount." in html


def test_adding_a_line_returns_the_editor_with_one_more_blank_row_and_saves_nothing(client, app, carrier):
    client.force_login(carrier)
    data = _post_data(app, BALANCED["expenditure"][:2], BALANCED["cover"], add_line="expenditure")
    response = client.post(reverse("application_edit", args=[app.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<div") and "<html" not in html  # a partial for htmx
    assert 'name="expenditure-TOTAL_FORMS" value="3"' in html
    assert 'name="expenditure-2-description"' in html
    assert 'id="plan-preview" hx-swap-oob="innerHTML"' in html
    assert "errorlist" not in html and 'class="errors"' not in html
    assert app.expenditure_lines.count() == 1


def test_removing_a_line_renumbers_the_rows_that_follow(client, app, carrier):
    client.force_login(carrier)
    data = _post_data(app, BALANCED["expenditure"][:3], BALANCED["cover"], remove_line="expenditure-0")
    response = client.post(reverse("application_edit", args=[app.pk]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'name="expenditure-TOTAL_FORMS" value="2"' in html
    assert 'name="expenditure-0-description" value="Honorare"' in html
    assert 'name="expenditure-1-description" value="Material"' in html
    assert "expenditure-2-description" not in html
    assert "Projektleitung" not in html
    assert app.expenditure_lines.get().description == "Projektleitung"


def test_row_buttons_work_without_javascript_too(client, app, carrier):
    client.force_login(carrier)
    data = _post_data(app, BALANCED["expenditure"][:1], BALANCED["cover"], add_line="cover")
    response = client.post(reverse("application_edit", args=[app.pk]), data)
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert 'name="cover-TOTAL_FORMS" value="4"' in response.content.decode()


def test_a_carrier_creates_a_draft_and_continues_with_the_plan(client):
    root = office(kind="federal")
    sn = office(parent=root, kind="state")
    programme = FundingProgrammeFactory()
    envelope(office=root, programme=programme, budget_year=2026)  # the programme is run above
    organisation = OrganisationFactory()
    carrier = carrier_user(organisation)
    client.force_login(carrier)
    page = client.get(reverse("application_create")).content.decode()
    assert 'name="organisation"' not in page  # only one organisation: nothing to choose
    response = client.post(
        reverse("application_create"),
        {
            "programme": programme.pk,
            "office": sn.pk,
            "title": "Neues Projekt",
            "start_date": "2026-02-01",
            "end_date": "2026-11-30",
            "financing_type": "share",
        },
    )
    app = Application.objects.get(title="Neues Projekt")
    assert response["Location"] == reverse("application_edit", args=[app.pk])
    assert (app.organisation, app.state, app.created_by, app.start_date) == (
        organisation,
        "draft",
        carrier,
        date(2026, 2, 1),
    )


def test_the_organisation_is_asked_for_only_when_the_user_belongs_to_several(client):
    first, second = OrganisationFactory(), OrganisationFactory()
    carrier = carrier_user(first)
    carrier.organisations.add(second)
    client.force_login(carrier)
    page = client.get(reverse("application_create")).content.decode()
    assert 'name="organisation"' in page


def test_users_without_an_organisation_cannot_open_the_create_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse("application_create")).status_code == 403


def test_three_digits_after_a_lone_separator_are_thousands_only_in_the_languages_convention():
    with translation.override("en"):
        assert parse_amount("1,234") == Decimal("1234.00")
        with pytest.raises(ValidationError, match="at most two decimal places"):
            parse_amount("1.234")
    with translation.override("de"), pytest.raises(ValidationError):
        parse_amount("1,234")


def test_an_application_to_an_office_that_never_holds_the_programmes_money_is_refused_at_once(client):
    root = office(kind="federal", name="Bundesamt")
    sn = office(parent=root, kind="state", name="Demokratie-Zentrum Sachsen")
    other = office(kind="state", name="Landeszentrale Thüringen")
    programme = FundingProgrammeFactory(name="Weltoffenes Sachsen")
    envelope(office=other, programme=programme, budget_year=2026)  # money elsewhere only
    carrier = carrier_user(OrganisationFactory())
    client.force_login(carrier)
    data = {
        "programme": programme.pk,
        "office": sn.pk,
        "title": "Neues Projekt",
        "start_date": "2026-02-01",
        "end_date": "2026-11-30",
        "financing_type": "share",
    }
    response = client.post(reverse("application_create"), data)
    assert response.status_code == 200
    assert (
        "Demokratie-Zentrum Sachsen und die ihr übergeordneten Stellen verwalten keine Mittel des Programms "
        "„Weltoffenes Sachsen“"
    ) in response.content.decode()
    assert not Application.objects.filter(title="Neues Projekt").exists()
    # Addressed to the office that runs the programme, the same application is created.
    response = client.post(reverse("application_create"), data | {"office": other.pk})
    assert response.status_code == 302
    assert Application.objects.filter(title="Neues Projekt", office=other).exists()
