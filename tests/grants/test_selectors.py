"""Who sees which applications, and what the staff worklist contains in which order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grants.applications.models import Application, ApplicationState
from grants.applications.selectors import (
    WORKLIST_ORDERINGS,
    applications_visible_to,
    carrier_applications,
    offices_for,
    timeline,
    worklist,
)
from grants.carriers.models import OrganisationMembership
from tests.budgets.factories import FundingProgrammeFactory

S = ApplicationState


@pytest.fixture
def spread(workflow):
    """One submitted application in each office of the tree, one draft, one of another carrier."""
    w = workflow
    made = {
        "local": w.bring_to(S.SUBMITTED, w.draft(title="Leipzig")),
        "local_draft": w.draft(title="Leipzig Entwurf"),
        "sibling": w.bring_to(S.SUBMITTED, w.draft(title="Dresden", office=w.sibling_office)),
        "state": w.bring_to(S.SUBMITTED, w.draft(title="Land", office=w.state_office)),
        "unrelated": w.bring_to(S.SUBMITTED, w.draft(title="MV", office=w.unrelated_office)),
        "other_org": w.draft(title="Fremd", organisation=w.other_organisation, office=w.office),
    }
    # Distinct submission times, oldest first in this order: unrelated, state, sibling, local.
    for hour, key in enumerate(["unrelated", "state", "sibling", "local"]):
        Application.objects.filter(pk=made[key].pk).update(
            submitted_at=datetime(2026, 2, 1, 8 + hour, tzinfo=UTC)
        )
    return made


def _titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def _visible(workflow, role):
    return _titles(applications_visible_to(workflow.person(role)))


def test_carrier_sees_only_its_own_organisations_applications(workflow, spread):
    assert _visible(workflow, "carrier") == ["Dresden", "Land", "Leipzig", "Leipzig Entwurf", "MV"]
    assert _visible(workflow, "other_carrier") == ["Fremd"]


def test_staff_see_their_office_subtree_but_no_draft_that_was_never_handed_in(workflow, spread):
    assert _visible(workflow, "officer") == ["Leipzig"]
    assert _visible(workflow, "finance") == ["Leipzig"]
    assert _visible(workflow, "auditor") == ["Leipzig"]


def test_staff_keep_seeing_an_application_sent_back_for_revision(workflow, spread):
    revised = workflow.step(spread["local"], "request_revision")
    assert revised.state == S.REVISION_REQUESTED
    assert _visible(workflow, "officer") == ["Leipzig"]


def test_staff_of_an_ancestor_office_see_every_descendant(workflow, spread):
    assert _visible(workflow, "ancestor_officer") == ["Dresden", "Land", "Leipzig"]
    assert _visible(workflow, "approver") == ["Dresden", "Land", "Leipzig"]


def test_staff_of_a_sibling_or_unrelated_office_see_nothing_outside_their_subtree(workflow, spread):
    assert _visible(workflow, "sibling_officer") == ["Dresden"]
    assert _visible(workflow, "unrelated_officer") == ["MV"]


def test_superuser_sees_everything_and_anonymous_nothing(workflow, spread):
    assert _visible(workflow, "superuser") == _titles(Application.objects.all())
    assert _visible(workflow, "anonymous") == []


def test_a_user_with_both_roles_sees_the_union(workflow, spread):
    OrganisationMembership.objects.create(
        user=workflow.sibling_officer, organisation=workflow.other_organisation
    )
    assert _visible(workflow, "sibling_officer") == ["Dresden", "Fremd"]


def test_carrier_applications_lists_the_own_organisations_newest_change_first(workflow, spread):
    Application.objects.filter(pk=spread["sibling"].pk).update(updated_at=datetime(2030, 1, 1, tzinfo=UTC))
    titles = list(carrier_applications(workflow.carrier).values_list("title", flat=True))
    assert titles[0] == "Dresden"
    assert sorted(titles) == ["Dresden", "Land", "Leipzig", "Leipzig Entwurf", "MV"]
    assert list(carrier_applications(workflow.officer)) == []


def _worklist(workflow, role, **kwargs):
    return list(worklist(workflow.person(role), **kwargs).values_list("title", flat=True))


def test_worklist_excludes_drafts_and_is_limited_to_the_subtree(workflow, spread):
    assert _worklist(workflow, "officer") == ["Leipzig"]
    assert _worklist(workflow, "ancestor_officer") == ["Leipzig", "Dresden", "Land"]
    assert _worklist(workflow, "sibling_officer") == ["Dresden"]
    assert _worklist(workflow, "superuser") == ["Leipzig", "Dresden", "Land", "MV"]


@pytest.mark.parametrize("role", ["carrier", "anonymous"])
def test_worklist_is_empty_for_people_without_an_office_role(workflow, spread, role):
    assert _worklist(workflow, role) == []


def test_worklist_filters_by_state(workflow, spread):
    workflow.step(spread["sibling"], "start_formal_check", by=workflow.ancestor_officer)
    assert _worklist(workflow, "ancestor_officer", state=S.FORMAL_CHECK) == ["Dresden"]
    assert _worklist(workflow, "ancestor_officer", state=S.SUBMITTED) == ["Leipzig", "Land"]
    assert _worklist(workflow, "ancestor_officer", state=S.DRAFT) == []


def test_worklist_filters_by_programme(workflow, spread):
    other = FundingProgrammeFactory(name="Demokratie leben!", code="DL")
    Application.objects.filter(pk=spread["state"].pk).update(programme=other)
    assert _worklist(workflow, "ancestor_officer", programme_id=other.pk) == ["Land"]
    assert _worklist(workflow, "ancestor_officer", programme_id=workflow.programme.pk) == [
        "Leipzig",
        "Dresden",
    ]


def test_worklist_office_filter_includes_the_offices_subtree(workflow, spread):
    w = workflow
    assert _worklist(w, "ancestor_officer", office_id=w.state_office.pk) == ["Leipzig", "Dresden", "Land"]
    assert _worklist(w, "ancestor_officer", office_id=w.sibling_office.pk) == ["Dresden"]
    # An office outside the user's subtree is no choice of the filter: it shows nothing, never more.
    assert _worklist(w, "officer", office_id=w.state_office.pk) == []
    assert _worklist(w, "officer", office_id=w.unrelated_office.pk) == []
    assert _worklist(w, "superuser", office_id=987654) == []


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-submitted", ["Leipzig", "Dresden", "Land", "MV"]),
        ("submitted", ["MV", "Land", "Dresden", "Leipzig"]),
        ("title", ["Dresden", "Land", "Leipzig", "MV"]),
        ("-title", ["MV", "Leipzig", "Land", "Dresden"]),
        ("office", ["Land", "MV", "Dresden", "Leipzig"]),
        ("-office", ["Leipzig", "Dresden", "MV", "Land"]),
        ("nonsense", ["Leipzig", "Dresden", "Land", "MV"]),
    ],
)
def test_worklist_orders_by_the_chosen_column(workflow, spread, ordering, expected):
    assert _worklist(workflow, "superuser", ordering=ordering) == expected


def test_every_worklist_ordering_can_be_applied(workflow, spread):
    for key in WORKLIST_ORDERINGS:
        assert len(_worklist(workflow, "superuser", ordering=key)) == 4


def test_worklist_orders_by_reference_and_carrier(workflow, spread):
    w = workflow
    Application.objects.filter(pk=spread["unrelated"].pk).update(organisation=w.other_organisation)
    by_reference = sorted(
        ["Leipzig", "Dresden", "Land", "MV"], key=lambda t: Application.objects.get(title=t).reference
    )
    assert _worklist(w, "superuser", ordering="reference") == by_reference
    assert _worklist(w, "superuser", ordering="-reference") == by_reference[::-1]
    assert _worklist(w, "superuser", ordering="carrier")[0] == "MV"  # "Anderer Verein" sorts first
    assert _worklist(w, "superuser", ordering="-carrier")[-1] == "MV"


def test_worklist_costs_one_query_whatever_its_length(workflow, spread, django_assert_num_queries):
    officer = workflow.ancestor_officer
    list(worklist(officer))  # loads and caches the memberships
    with django_assert_num_queries(1):
        rows = list(worklist(officer))
        labels = [(a.organisation.name, a.programme.name, a.office.name) for a in rows]
    assert len(labels) == 3


def test_offices_for_lists_the_staff_members_subtree(workflow):
    w = workflow
    assert list(offices_for(w.ancestor_officer)) == [w.state_office, w.sibling_office, w.office]
    assert list(offices_for(w.officer)) == [w.office]
    assert list(offices_for(w.carrier)) == []
    assert list(offices_for(w.superuser)) == [
        w.federal,
        w.state_office,
        w.sibling_office,
        w.office,
        w.unrelated_office,
    ]


def test_timeline_lists_the_history_oldest_first(workflow):
    application = workflow.bring_to(S.CONTENT_REVIEW)
    assert [(log.transition, log.by) for log in timeline(application)] == [
        ("submit", workflow.carrier),
        ("start_formal_check", workflow.officer),
        ("complete_formal_check", workflow.officer),
    ]
    assert list(timeline(workflow.draft())) == []
