"""The amendment editor works like the application editor: lines are added and removed by the
server (with or without htmx), the live check shows what the save and the submission say, and
old and new plan stand side by side with every change named in words."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils.html import escape

from grants.awards.models import Amendment
from tests.grants.test_services_amendment import SHIFT_4000, create, plan
from tests.grants.test_services_amendment import world as world
from tests.grants.test_views_grant_amendments import _post_data

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _new(world):
    return reverse("amendment_new", args=[world["grant"].pk])


def test_adding_a_line_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world["carrier"])
    data = _post_data(**SHIFT_4000) | {"row_1_text": "Workshops (mehr)", "add_line": "1"}
    page = html(client.post(_new(world), data))
    assert Amendment.objects.count() == 0
    assert 'name="row_8_kind"' in page and 'name="row_9_kind"' not in page
    assert 'value="Workshops (mehr)"' in page and "Mehr Workshops im zweiten Jahr</textarea>" in page
    assert re.search(r'<select name="row_8_kind"[^>]*autofocus', page)
    assert "errorlist" not in page and 'class="errors"' not in page  # an empty new line is no error


def test_removing_a_line_moves_the_others_up_with_their_typed_values(client, world):
    client.force_login(world["carrier"])
    data = _post_data(**SHIFT_4000) | {"row_3_text": "Zuwendung 2026", "remove_line": "1"}
    response = client.post(_new(world), data)
    form = response.context["form"]
    assert Amendment.objects.count() == 0
    assert form.row_count == 7
    assert form.data["row_1_kind"] == "c:own" and form.data["row_1_amount"] == "2500"
    assert form.data["row_2_text"] == "Zuwendung 2026"
    assert form.data["row_6_kind"] == "c:grant" and "row_7_kind" not in form.data
    assert 'value="Workshops"' not in html(response).split('id="amendment-compare"')[0].split("row_4")[0]


def test_htmx_line_buttons_swap_the_editor_and_refresh_totals_and_comparison(client, world):
    client.force_login(world["carrier"])
    data = _post_data(**SHIFT_4000) | {"remove_line": "1"}
    page = html(client.post(_new(world), data, HTTP_HX_REQUEST="true"))
    assert page.startswith('\n<div id="amendment-editor">') or page.lstrip().startswith(
        '<div id="amendment-editor">'
    )
    assert "<html" not in page
    assert 'id="amendment-preview" hx-swap-oob="innerHTML"' in page
    assert 'id="amendment-compare" hx-swap-oob="innerHTML"' in page
    # Workshops 2026 (5.000,00 €) is gone from the new plan: the comparison says so in words.
    assert "entfällt" in page or "dropped" in page


def test_the_page_works_without_javascript_and_enter_saves(client, world):
    client.force_login(world["carrier"])
    page = html(client.get(_new(world)))
    form = page[page.index('<form id="amendment-form"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'class="default-submit"' in first_button and "name=" not in first_button
    assert form.index('name="remove_line"') > form.index("default-submit")
    assert 'name="add_line"' in form and 'hx-post="' + reverse("amendment_preview", args=[world["grant"].pk])
    # What Enter posts (no button name) saves the amendment.
    response = client.post(_new(world), _post_data(**SHIFT_4000))
    assert response.status_code == 302 and Amendment.objects.count() == 1


def test_the_live_check_names_the_rules_the_submission_names(client, world):
    unbalanced = plan(y2026=(20000, 5000, 2500), y2027=(30000, 5000, 2500))
    instalments = {2026: D("22500"), 2027: D("22500")}
    draft = create(world, unbalanced, instalments)
    client.force_login(world["carrier"])
    preview = client.post(
        reverse("amendment_preview", args=[world["grant"].pk]), _post_data(unbalanced, instalments)
    )
    shown = preview.context["preview"].rule_errors
    submitted = client.post(
        reverse("amendment_step", args=[world["grant"].pk, draft.pk, "submit"]), {"comment": ""}, follow=True
    )
    refused = [str(m) for m in submitted.context["messages"]]
    assert Amendment.objects.get(pk=draft.pk).state == "draft"
    assert shown and refused
    assert set(shown) <= set(refused)
    for message in shown:
        assert escape(message) in html(preview)
    # The totals are those of the typed plan.
    assert preview.context["preview"].totals.expenditure == D("60000")


def test_the_live_check_shows_the_message_the_save_shows(client, world):
    client.force_login(world["carrier"])
    data = _post_data(**SHIFT_4000) | {"row_1_amount": "-5"}
    saved = html(client.post(_new(world), data))
    previewed = html(client.post(reverse("amendment_preview", args=[world["grant"].pk]), data))
    assert Amendment.objects.count() == 0
    message = "Der Betrag darf nicht negativ sein."
    assert message in saved and message in previewed
    assert "Zeile 2" in previewed  # the live check names the line


def test_the_comparison_marks_changed_new_and_dropped_lines_in_words(client, world):
    client.force_login(world["carrier"])
    lines = [x for x in SHIFT_4000["lines"] if not (x.get("category") == "fees" and x["budget_year"] == 2026)]
    lines.append({"category": "travel", "text": "Fahrten", "budget_year": 2027, "amount": D("1000")})
    page = html(client.post(reverse("amendment_preview", args=[world["grant"].pk]), _post_data(lines, {})))
    rows = (
        client.post(reverse("amendment_preview", args=[world["grant"].pk]), _post_data(lines, {}))
        .context["preview"]
        .lines
    )
    status = {(r.text, r.year): r.status for r in rows}
    assert status[("Projektleitung", 2026)] == "changed"  # 20.000 → 16.000
    assert status[("Workshops", 2026)] == "removed"
    assert status[("Fahrten", 2027)] == "new"
    assert status[("Workshops", 2027)] == "same"
    for word in ("geändert", "neu", "entfällt", "unverändert"):
        assert f">{word}</span>" in page
    assert "compare__cell--changed" in page


def test_the_amendment_page_shows_the_comparison(client, world):
    amendment = create(world, **SHIFT_4000)
    client.force_login(world["carrier"])
    page = html(client.get(reverse("amendment_detail", args=[world["grant"].pk, amendment.pk])))
    assert page.count('class="mark mark--changed"') == 6  # 4 lines, 2 instalments
    assert "16.000,00 €" in page and "20.000,00 €" in page


def test_the_live_check_is_refused_to_other_organisations(client, world):
    from tests.budgets.factories import UserFactory

    client.force_login(UserFactory(username="stranger"))
    response = client.post(reverse("amendment_preview", args=[world["grant"].pk]), _post_data(**SHIFT_4000))
    assert response.status_code in (403, 404)
