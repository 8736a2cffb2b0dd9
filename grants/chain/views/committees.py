"""Pages of the committees: the committees of one's offices, a committee with its members and
sessions, a session with its agenda, recusals, votes, and the close."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.rules import allowed, office_roles
from core.errors import DomainError
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.views.common import form_errors_as_messages, require_rule
from grants.chain.forms import ItemForm, OwnVoteForm, RecusalForm, SessionForm, VoteForm
from grants.chain.selectors import committees_visible_to, open_ballots, sessions_visible_to
from grants.chain.services.committee import (
    agenda_item_add,
    agenda_item_remove,
    close_problems,
    committee_session_create,
    item_tallies,
    ready_applications,
    recusal_declare,
    session_close,
    session_open_voting,
    vote_cast,
)

VIEW = "grants.view_committee"
MANAGE = "grants.manage_committee"


@login_required
def committee_list(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.is_superuser and not office_roles(request.user):
        raise PermissionDenied(_("Only staff of an office see its committees."))
    return render(
        request, "grants/chain/committee_list.html", {"committees": committees_visible_to(request.user)}
    )


@login_required
def committee_detail(request: AuthenticatedRequest, pk: int, form: SessionForm | None = None) -> HttpResponse:
    committee = get_object_or_404(committees_visible_to(request.user), pk=pk)
    require_rule(request.user, VIEW, committee)
    can_manage = allowed(request.user, MANAGE, committee)
    return render(
        request,
        "grants/chain/committee_detail.html",
        {
            "committee": committee,
            "seats": _seats(committee),
            "sessions": committee.sessions.order_by("-held_on", "-pk"),
            "can_manage": can_manage,
            "form": form or (SessionForm(auto_id="id_session_%s") if can_manage else None),
        },
    )


def _seats(committee: Any) -> list[tuple[Any, list[Any]]]:
    """Each voting seat with the deputies who may stand in for it, by name."""
    members = list(committee.members.select_related("organisation").order_by("name"))
    deputies: dict[int, list[Any]] = {}
    for m in members:
        if m.deputy_for_id:
            deputies.setdefault(m.deputy_for_id, []).append(m)
    return [(m, deputies.get(m.pk, [])) for m in members if m.is_voting]


@login_required
@require_POST
def session_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(committees_visible_to(request.user), pk=pk)
    require_rule(request.user, MANAGE, committee)
    form = SessionForm(request.POST, auto_id="id_session_%s")
    if not form.is_valid():
        return committee_detail(request, pk, form=form)
    try:
        session = committee_session_create(committee=committee, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_domain_error(request, error)
        return committee_detail(request, pk, form=form)
    messages.success(request, _("The session was created. Now put the applications on its agenda."))
    return redirect("session_detail", pk=session.pk)


def _session(request: AuthenticatedRequest, pk: int) -> Any:
    session = get_object_or_404(sessions_visible_to(request.user), pk=pk)
    require_rule(request.user, VIEW, session)
    return session


@login_required
def session_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    committee = session.committee
    can_manage = allowed(request.user, MANAGE, session)
    tallies = item_tallies(session)
    ready = ready_applications(committee) if can_manage and session.is_planned else []
    rows = [
        {
            "tally": t,
            "votes": sorted(t.item.votes.all(), key=lambda v: v.member.name),
            "vote_form": VoteForm(committee=committee, auto_id=f"id_vote{t.item.pk}_%s"),
            "recusal_form": RecusalForm(committee=committee, auto_id=f"id_recusal{t.item.pk}_%s"),
        }
        for t in tallies
    ]
    return render(
        request,
        "grants/chain/session_detail.html",
        {
            "session": session,
            "committee": committee,
            "rows": rows,
            "can_manage": can_manage,
            "item_form": ItemForm(applications=ready, auto_id="id_item_%s") if ready else None,
            "close_problems": close_problems(session, tallies, timezone.localdate())
            if session.accepts_votes
            else [],
        },
    )


def _after(request: AuthenticatedRequest, pk: int, call: Any, success: str) -> HttpResponse:
    try:
        call()
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, success)
    return redirect("session_detail", pk=pk)


@login_required
@require_POST
def item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    require_rule(request.user, MANAGE, session)
    form = ItemForm(request.POST, applications=ready_applications(session.committee))
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("session_detail", pk=pk)
    application = next(
        a for a in ready_applications(session.committee) if str(a.pk) == form.cleaned_data["application"]
    )
    return _after(
        request,
        pk,
        lambda: agenda_item_add(session=session, application=application, by=request.user),
        _("%(reference)s is on the agenda.") % {"reference": application.reference},
    )


def _item(session: Any, item_pk: int) -> Any:
    return get_object_or_404(session.items.select_related("application"), pk=item_pk)


@login_required
@require_POST
def item_remove(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _session(request, pk)
    require_rule(request.user, MANAGE, session)
    item = _item(session, item_pk)
    return _after(
        request,
        pk,
        lambda: agenda_item_remove(item=item, by=request.user),
        _("%(reference)s was taken off the agenda.") % {"reference": item.application.reference},
    )


@login_required
@require_POST
def recusal_add(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _session(request, pk)
    require_rule(request.user, MANAGE, session)
    item = _item(session, item_pk)
    form = RecusalForm(request.POST, committee=session.committee)
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("session_detail", pk=pk)
    member = form.cleaned_data["member"]
    return _after(
        request,
        pk,
        lambda: recusal_declare(item=item, member=member, note=form.cleaned_data["note"], by=request.user),
        _("%(member)s is recused for item %(position)s.")
        % {"member": member.name, "position": item.position},
    )


@login_required
@require_POST
def vote_add(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _session(request, pk)
    item = _item(session, item_pk)
    form = VoteForm(request.POST, committee=session.committee)
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("session_detail", pk=pk)
    data = form.cleaned_data
    return _after(
        request,
        pk,
        lambda: vote_cast(
            item=item, member=data["member"], deputy=data["deputy"], choice=data["choice"], by=request.user
        ),
        _("The vote of %(member)s on item %(position)s was recorded.")
        % {"member": data["member"].name, "position": item.position},
    )


@login_required
@require_POST
def session_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    require_rule(request.user, MANAGE, session)
    return _after(
        request, pk, lambda: session_open_voting(session=session, by=request.user), _("Voting is open.")
    )


@login_required
@require_POST
def session_close_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    require_rule(request.user, MANAGE, session)
    return _after(
        request,
        pk,
        lambda: session_close(session=session, by=request.user),
        _("The session is closed; its results are the recommendations on which the office now decides."),
    )


@login_required
def my_votes(request: AuthenticatedRequest) -> HttpResponse:
    """A committee member's open circulation votes: each item with its own small form."""
    ballots = [
        {
            "item": item,
            "seat": seat,
            "deputy": deputy,
            "form": OwnVoteForm(auto_id=f"id_own{item.pk}_{seat.pk}_%s"),
        }
        for item, seat, deputy in open_ballots(request.user)
    ]
    return render(request, "grants/chain/my_votes.html", {"ballots": ballots})


@login_required
@require_POST
def my_vote_cast(request: AuthenticatedRequest, item_pk: int, seat_pk: int) -> HttpResponse:
    ballot = next(
        (
            (item, seat, deputy)
            for item, seat, deputy in open_ballots(request.user)
            if item.pk == item_pk and seat.pk == seat_pk
        ),
        None,
    )
    if ballot is None:
        raise Http404
    item, seat, deputy = ballot
    form = OwnVoteForm(request.POST)
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("my_votes")
    try:
        vote_cast(item=item, member=seat, deputy=deputy, choice=form.cleaned_data["choice"], by=request.user)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request, _("Your vote on %(reference)s was recorded.") % {"reference": item.application.reference}
        )
    return redirect("my_votes")


urlpatterns: list[URLPattern] = [
    path("gremien/meine-stimmen/", my_votes, name="my_votes"),
    path("gremien/meine-stimmen/<int:item_pk>/<int:seat_pk>/", my_vote_cast, name="my_vote_cast"),
    path("gremien/", committee_list, name="committee_list"),
    path("gremien/<int:pk>/", committee_detail, name="committee_detail"),
    path("gremien/<int:pk>/sitzung/", session_create, name="session_create"),
    path("gremien/sitzungen/<int:pk>/", session_detail, name="session_detail"),
    path("gremien/sitzungen/<int:pk>/punkte/", item_add, name="session_item_add"),
    path(
        "gremien/sitzungen/<int:pk>/punkte/<int:item_pk>/absetzen/", item_remove, name="session_item_remove"
    ),
    path(
        "gremien/sitzungen/<int:pk>/punkte/<int:item_pk>/befangenheit/",
        recusal_add,
        name="session_recusal_add",
    ),
    path("gremien/sitzungen/<int:pk>/punkte/<int:item_pk>/stimme/", vote_add, name="session_vote_add"),
    path("gremien/sitzungen/<int:pk>/abstimmung/", session_open, name="session_open"),
    path("gremien/sitzungen/<int:pk>/abschliessen/", session_close_view, name="session_close"),
]
