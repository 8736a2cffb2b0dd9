"""The kinds of task an inbox lists: which rows wait for whose step, and where the full list is.

Each kind is one queryset over one model, narrowed in the database to the rows waiting for this
user's step: officials only in the office subtrees where they hold the role that takes the step
(``budgets.rules.office_roles``), carriers only for their own organisations
(``grants.rules.carrier_organisation_ids``). Nobody is shown a case of their own organisation,
and a step the four-eyes rule keeps from the user (certifying one's own request, ordering what
one certified, deciding on one's own proposal) is not offered. These filters are the database
reading of the named rules in :mod:`grants.rules`; the services the inbox calls still ask the
rules themselves before they write.

Every queryset carries two annotations, ``inbox_since`` (waiting since) and ``inbox_due`` (due
date, may be NULL), so the selectors filter (overdue), order and limit all kinds alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DateField, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from budgets.choices import StaffRole
from budgets.rules import office_roles
from grants.applications.models import Application, ApplicationState
from grants.applications.models.correspondence import Message, MessageKind
from grants.awards.models import Amendment, AmendmentState, Grant, GrantInstalment, ProofOfUse, Reclaim
from grants.awards.models.grant import GrantState
from grants.awards.payments.models import OPEN_DRAWDOWN_STATES, Drawdown, DrawdownState
from grants.rules import carrier_organisation_ids

CARRIER = "carrier"
PROOF_HORIZON_DAYS = ProofOfUse.DUE_SOON_DAYS


def _offices_q(user: Any, roles: tuple[str, ...], office: str) -> Q | None:
    """Rows whose office lies in a subtree where the user holds one of ``roles``; None: no such role.

    A superuser without memberships gets no tasks: the rules give an administrator no decision.
    """
    paths = sorted({path for path, role in office_roles(user) if role in roles})
    if not paths:
        return None
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{office}__path__startswith": path})
    return q


def _staff_rows(
    user: Any, roles: tuple[str, ...], qs: QuerySet[Any], *, office: str, organisation: str
) -> QuerySet[Any] | None:
    subtree = _offices_q(user, roles, office)
    if subtree is None:
        return None
    return qs.filter(subtree).exclude(**{f"{organisation}__in": carrier_organisation_ids(user)})


def _carrier_rows(user: Any, qs: QuerySet[Any], *, organisation: str) -> QuerySet[Any] | None:
    orgs = carrier_organisation_ids(user)
    if not orgs:
        return None
    return qs.filter(**{f"{organisation}__in": orgs})


def _annotated(qs: QuerySet[Any], since: Any, due: Any) -> QuerySet[Any]:
    due_expr = Value(None, output_field=DateField()) if due is None else due
    return qs.annotate(inbox_since=since, inbox_due=due_expr)


@dataclass(frozen=True)
class Kind:
    """One kind of task.

    ``rows(user, today)`` is the scoped, annotated queryset (None when the user never takes this
    step, so the inbox spends no query on it); ``describe(obj)`` gives (reference, title, link);
    ``more()`` the address of the full existing list.
    """

    key: str
    label: Promise
    action: Promise
    roles: tuple[str, ...]  # staff roles taking the step; (CARRIER,) for the carrier's own tasks
    rows: Callable[[Any, date], QuerySet[Any] | None]
    describe: Callable[[Any], tuple[str, str, str]]
    more: Callable[[], str]
    related: tuple[str, ...] = ()
    bulk: str = ""  # the bulk action of this kind's section ("certify", "order")
    amount: Callable[[Any], Decimal | None] = lambda obj: None
    # The office handling the task (default: the grant's or the object's own office) and the
    # carrier it concerns (default: the grant's or the object's organisation).
    office: Callable[[Any], Any] | None = None
    party: Callable[[Any], str] | None = None

    @property
    def for_carriers(self) -> bool:
        return self.roles == (CARRIER,)

    def office_path(self, obj: Any) -> str:
        """The materialised path of the office handling the task's case."""
        if self.office is not None:
            return str(self.office(obj).path)
        grant = getattr(obj, "grant", None)
        return str((grant.office if grant is not None else obj.office).path)

    def party_of(self, obj: Any) -> str:
        if self.party is not None:
            return self.party(obj)
        grant = getattr(obj, "grant", None)
        return str((grant or obj).organisation.name)


# --- officials ----------------------------------------------------------------------------------

A = ApplicationState
CHECK_STATES = (A.SUBMITTED, A.FORMAL_CHECK, A.CONTENT_REVIEW)
DECISION_STATES = (A.APPROVAL_PROPOSED, A.REJECTION_PROPOSED)


def _application(obj: Application) -> tuple[str, str, str]:
    return obj.reference, obj.title, reverse("application_detail", args=[obj.pk])


def _on_grant(name: str) -> Callable[[Any], tuple[str, str, str]]:
    def describe(obj: Any) -> tuple[str, str, str]:
        if name == "grant_drawdowns":
            url = reverse(name, args=[obj.grant_id]) + f"#drawdown-{obj.pk}"
        elif name in ("proof_detail", "amendment_detail", "reclaim_detail"):
            url = reverse(name, args=[obj.grant_id, obj.pk])
        else:
            url = reverse(name, args=[obj.grant_id])
        return obj.grant.file_number, obj.grant.title, url

    return describe


def application_checks(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.CASE_OFFICER,),
        Application.objects.filter(state__in=CHECK_STATES),
        office="office",
        organisation="organisation_id",
    )
    return None if qs is None else _annotated(qs, F("submitted_at"), None)


def application_decisions(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.APPROVER,),
        Application.objects.filter(state__in=DECISION_STATES),
        office="office",
        organisation="organisation_id",
    )
    if qs is None:
        return None
    # Four eyes: not on one's own proposal or content review (grants.decide_application).
    qs = qs.exclude(proposed_by=user).exclude(content_reviewed_by=user)
    return _annotated(qs, F("proposed_at"), None)


def drawdowns_to_certify(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.CASE_OFFICER,),
        Drawdown.objects.filter(state=DrawdownState.REQUESTED),
        office="grant__office",
        organisation="grant__organisation_id",
    )
    if qs is None:
        return None
    return _annotated(qs.exclude(requested_by=user), F("requested_at"), F("needed_on"))


def payments_to_order(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.FINANCE,),
        Drawdown.objects.filter(state=DrawdownState.CERTIFIED),
        office="grant__office",
        organisation="grant__organisation_id",
    )
    if qs is None:
        return None
    # Four eyes (grants.order_payment): never what one certified or requested.
    qs = qs.exclude(certified_by=user).exclude(requested_by=user)
    return _annotated(qs, F("certified_at"), F("needed_on"))


def first_checks(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.CASE_OFFICER,),
        ProofOfUse.objects.awaiting_first_check(),
        office="grant__office",
        organisation="grant__organisation_id",
    )
    return None if qs is None else _annotated(qs, F("submitted_at"), F("first_check_due_on"))


def amendments_to_propose(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.CASE_OFFICER,),
        Amendment.objects.filter(state=AmendmentState.SUBMITTED),
        office="grant__office",
        organisation="grant__organisation_id",
    )
    return None if qs is None else _annotated(qs, F("submitted_at"), None)


def amendments_to_decide(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.APPROVER,),
        Amendment.objects.filter(state=AmendmentState.PROPOSED),
        office="grant__office",
        organisation="grant__organisation_id",
    )
    if qs is None:
        return None
    return _annotated(qs.exclude(proposed_by=user), F("submitted_at"), None)


def repayments_to_book(user: Any, today: date) -> QuerySet[Any] | None:
    qs = _staff_rows(
        user,
        (StaffRole.FINANCE,),
        Reclaim.objects.open(),
        office="grant__office",
        organisation="grant__organisation_id",
    )
    return None if qs is None else _annotated(qs, F("created_at"), None)


# --- carriers -----------------------------------------------------------------------------------


def revision_requests(user: Any, today: date) -> QuerySet[Any] | None:
    """Applications sent back for revision: waiting since the open revision request (Nachforderung)
    was sent, due on the answer date it names (``Message.due_on``)."""
    qs = _carrier_rows(
        user, Application.objects.filter(state=A.REVISION_REQUESTED), organisation="organisation_id"
    )
    if qs is None:
        return None
    request = Message.objects.filter(
        application=OuterRef("pk"), kind=MessageKind.REVISION_REQUEST, answered_by__isnull=True
    ).order_by("-created_at", "-pk")
    return _annotated(
        qs,
        Coalesce(Subquery(request.values("created_at")[:1]), F("updated_at")),
        Subquery(request.values("due_on")[:1]),
    )


def notices(user: Any, today: date) -> QuerySet[Any] | None:
    """Notices whose objection period still runs (the carrier may waive or object)."""
    qs = _carrier_rows(
        user,
        Grant.objects.filter(
            state=GrantState.NOTIFIED, objection_waived_on__isnull=True, objection_deadline__gte=today
        ),
        organisation="organisation_id",
    )
    return None if qs is None else _annotated(qs, F("approved_at"), F("objection_deadline"))


def proofs_due(user: Any, today: date) -> QuerySet[Any] | None:
    """Proofs not handed in and due within the horizon, or overdue (``ProofOfUse.outstanding``)."""
    qs = _carrier_rows(
        user,
        ProofOfUse.objects.outstanding().filter(due_on__lte=today + timedelta(days=PROOF_HORIZON_DAYS)),
        organisation="grant__organisation_id",
    )
    return None if qs is None else _annotated(qs, F("created_at"), F("due_on"))


def money_to_draw(user: Any, today: date) -> QuerySet[Any] | None:
    """This year's instalments of payable grants with money not yet requested: what is not drawn
    by the end of the budget year is lost to the carrier."""
    requested = (
        Drawdown.objects.filter(
            grant_id=OuterRef("grant_id"), budget_year=OuterRef("budget_year"), state__in=OPEN_DRAWDOWN_STATES
        )
        .order_by()
        .values("grant_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    qs = _carrier_rows(
        user,
        GrantInstalment.objects.filter(budget_year=today.year, grant__state__in=Grant.PAYABLE_STATES)
        .annotate(
            inbox_requested=Coalesce(
                Subquery(requested),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            )
        )
        .filter(amount__gt=F("inbox_requested")),
        organisation="grant__organisation_id",
    )
    if qs is None:
        return None
    year_end = Value(date(today.year, 12, 31), output_field=DateField())
    return _annotated(qs, F("grant__approved_at"), year_end)


KINDS: tuple[Kind, ...] = (
    Kind(
        "drawdown_certify",
        _("Drawdowns to certify"),
        _("Certify"),
        (StaffRole.CASE_OFFICER,),
        drawdowns_to_certify,
        _on_grant("grant_drawdowns"),
        lambda: reverse("drawdown_queue") + "?state=requested",
        related=("grant", "grant__organisation", "grant__office"),
        bulk="certify",
        amount=lambda d: d.amount,
    ),
    Kind(
        "payment_order",
        _("Payments to order"),
        _("Order payment"),
        (StaffRole.FINANCE,),
        payments_to_order,
        _on_grant("grant_drawdowns"),
        lambda: reverse("drawdown_queue") + "?state=certified",
        related=("grant", "grant__organisation", "grant__office"),
        bulk="order",
        amount=lambda d: d.amount,
    ),
    Kind(
        "application_check",
        _("Applications to check"),
        _("Check"),
        (StaffRole.CASE_OFFICER,),
        application_checks,
        _application,
        lambda: reverse("worklist"),
        related=("organisation", "office"),
    ),
    Kind(
        "application_decision",
        _("Applications to decide"),
        _("Decide"),
        (StaffRole.APPROVER,),
        application_decisions,
        _application,
        lambda: reverse("worklist") + "?state=approval_proposed",
        related=("organisation", "office"),
    ),
    Kind(
        "first_check",
        _("Proofs of use awaiting their first check"),
        _("Check proof"),
        (StaffRole.CASE_OFFICER,),
        first_checks,
        _on_grant("proof_detail"),
        lambda: reverse("worklist"),
        related=("grant", "grant__organisation", "grant__office"),
    ),
    Kind(
        "amendment_propose",
        _("Amendments to review"),
        _("Review amendment"),
        (StaffRole.CASE_OFFICER,),
        amendments_to_propose,
        _on_grant("amendment_detail"),
        lambda: reverse("grant_list"),
        related=("grant", "grant__organisation", "grant__office"),
    ),
    Kind(
        "amendment_decide",
        _("Amendments to decide"),
        _("Decide on amendment"),
        (StaffRole.APPROVER,),
        amendments_to_decide,
        _on_grant("amendment_detail"),
        lambda: reverse("grant_list"),
        related=("grant", "grant__organisation", "grant__office"),
    ),
    Kind(
        "repayment_book",
        _("Open reclaims (repayment to book)"),
        _("Book repayment"),
        (StaffRole.FINANCE,),
        repayments_to_book,
        _on_grant("reclaim_detail"),
        lambda: reverse("grant_list"),
        related=("grant", "grant__organisation", "grant__office"),
        amount=lambda r: r.principal,
    ),
    Kind(
        "revision",
        _("Revision requests"),
        _("Revise application"),
        (CARRIER,),
        revision_requests,
        _application,
        lambda: reverse("application_list") + "?state=revision_requested",
        related=("organisation", "office"),
    ),
    Kind(
        "notice",
        _("Grant notices (objection period running)"),
        _("Read notice"),
        (CARRIER,),
        notices,
        lambda g: (g.file_number, g.title, reverse("grant_detail", args=[g.pk])),
        lambda: reverse("grant_list"),
        related=("organisation", "office"),
        amount=lambda g: g.granted_amount,
    ),
    Kind(
        "proof_due",
        _("Proofs of use due and overdue"),
        _("Hand in proof"),
        (CARRIER,),
        proofs_due,
        _on_grant("proof_detail"),
        lambda: reverse("grant_list"),
        related=("grant", "grant__organisation", "grant__office"),
    ),
    Kind(
        "money_to_draw",
        _("Money to draw before the budget year ends"),
        _("Request funds"),
        (CARRIER,),
        money_to_draw,
        _on_grant("grant_drawdowns"),
        lambda: reverse("grant_list"),
        related=("grant", "grant__organisation", "grant__office"),
        amount=lambda i: i.amount - i.inbox_requested,
    ),
)

# Kinds of the apps above grants (reporting's open bank-statement lines), registered when those
# apps are ready: grants never imports them.
REGISTERED: list[Kind] = []


def register(kind: Kind) -> None:
    if all(k.key != kind.key for k in REGISTERED):
        REGISTERED.append(kind)


def all_kinds() -> tuple[Kind, ...]:
    return (*KINDS, *REGISTERED)


def kind_by_key(key: str) -> Kind | None:
    return next((k for k in all_kinds() if k.key == key), None)
