"""Reads of records management: a case's legal holds, what is due for retention, the log.

``retention_plan`` is the first half of the retention run (the dry run prints it, the run
executes it), so what an operator previews is exactly what the run does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from budgets.choices import StaffRole
from budgets.models import FundingProgramme
from budgets.rules import allowed, role_paths
from budgets.selectors import subtree_q
from core.formatting import format_date
from grants.applications.models import Application, ApplicationState, Attachment
from grants.awards.models import Grant, GrantState, Reclaim
from grants.records.models import (
    VIEW_RETENTION_LOG,
    HoldReason,
    LegalHold,
    RetentionAction,
    RetentionLog,
    RetentionRule,
    period_end,
)

# --- legal holds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """One reason a case is held: a row a person placed, or a fact of the grant."""

    reason: str
    label: str
    detail: str
    hold: LegalHold | None = None

    @property
    def is_manual(self) -> bool:
        return self.hold is not None

    def __str__(self) -> str:
        return f"{self.label}: {self.detail}" if self.detail else self.label


def _automatic_holds(grant: Grant | None, open_reclaims: list[Reclaim]) -> list[Hold]:
    holds = []
    if grant is not None:
        for reclaim in open_reclaims:
            holds.append(
                Hold(
                    HoldReason.RECLAIM,
                    str(HoldReason.RECLAIM.label),
                    _("%(kind)s decided on %(date)s")
                    % {"kind": reclaim.get_kind_display(), "date": format_date(reclaim.decided_on)},
                )
            )
        if grant.has_objection_pending:
            assert grant.objection_lodged_on is not None
            holds.append(
                Hold(
                    HoldReason.OBJECTION,
                    str(HoldReason.OBJECTION.label),
                    _("lodged on %(date)s") % {"date": format_date(grant.objection_lodged_on)},
                )
            )
    return holds


def _manual_hold(hold: LegalHold) -> Hold:
    return Hold(hold.reason, hold.get_reason_display(), hold.note, hold)


def case_holds(application: Application) -> list[Hold]:
    """Every reason that keeps the case from being anonymised now (empty: none)."""
    grant = Grant.objects.filter(application=application).first()
    reclaims = list(Reclaim.objects.open().filter(grant=grant)) if grant is not None else []
    manual = LegalHold.objects.active().filter(application=application).order_by("placed_at", "pk")
    return _automatic_holds(grant, reclaims) + [_manual_hold(h) for h in manual]


def legal_holds_of(application: Application) -> QuerySet[LegalHold]:
    """All holds persons placed on the case, active ones first, then the newest."""
    return (
        LegalHold.objects.filter(application=application)
        .select_related("placed_by", "lifted_by")
        .order_by(F("lifted_at").desc(nulls_first=True), "-placed_at", "-pk")
    )


def active_legal_holds_visible_to(user: Any) -> QuerySet[LegalHold]:
    """Active holds on cases of the offices where the user is an auditor (every one for an admin)."""
    holds = LegalHold.objects.active().select_related("application__office", "placed_by")
    paths = role_paths(user, (StaffRole.AUDITOR,))
    if paths is None:
        return holds.order_by("-placed_at", "-pk")
    return holds.filter(subtree_q(paths, prefix="application__office__")).order_by("-placed_at", "-pk")


# --- when a case's periods end ----------------------------------------------------------------


def _latest_transition(model: type, state: str) -> Subquery:
    return Subquery(
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), state=state
        )
        .order_by("-timestamp", "-pk")
        .values("timestamp")[:1],
        output_field=DateTimeField(),
    )


def _local_day(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


@dataclass
class RetentionStep:
    """One case whose period under ``rule`` has ended by ``today``.

    ``holds`` non-empty: the run skips it and logs why. ``attachments`` are the files the step
    deletes; a grant-file or unfunded step also anonymises the case and deletes its documents.
    """

    rule: RetentionRule
    application: Application
    grant: Grant | None
    ended_on: dt.date  # the decision, the closing or the revocation that started the period
    due_on: dt.date
    holds: list[Hold] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def is_held(self) -> bool:
        return bool(self.holds)

    @property
    def reference(self) -> str:
        return self.grant.file_number if self.grant is not None else self.application.reference

    @property
    def anonymises_case(self) -> bool:
        return self.rule != RetentionRule.ATTACHMENTS


def _anonymised_ids() -> QuerySet[RetentionLog, Any]:
    return RetentionLog.objects.anonymised_cases().values("application_id")


def _unfunded_steps(today: dt.date, programmes: list[FundingProgramme]) -> list[RetentionStep]:
    """Rejected or withdrawn applications whose unfunded period has ended."""
    if not programmes:
        return []
    # Rejection: the decision; withdrawal: the step in the history (the row has no date of its own).
    applications = (
        Application.objects.filter(state__in=(ApplicationState.REJECTED, ApplicationState.WITHDRAWN))
        .exclude(pk__in=_anonymised_ids())
        .annotate(
            ended_at=Coalesce(
                "decided_at", _latest_transition(Application, ApplicationState.WITHDRAWN), "updated_at"
            )
        )
    )
    due = Q(pk__in=[])
    for programme in programmes:
        # Due from 1 January of the year after the period: ended before 1 January of (today - years).
        boundary = _year_start(today.year - programme.retention_unfunded_years)
        due |= Q(programme=programme, ended_at__lt=boundary)
    steps = []
    for application in applications.filter(due).select_related("programme", "organisation", "office"):
        ended_on = _local_day(application.ended_at)  # type: ignore[attr-defined]
        steps.append(
            RetentionStep(
                rule=RetentionRule.UNFUNDED,
                application=application,
                grant=None,
                ended_on=ended_on,
                due_on=period_end(ended_on, application.programme.retention_unfunded_years),
            )
        )
    return steps


def _year_start(year: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, 1, 1))


def grant_file_ended_on(grant: Grant) -> dt.date | None:
    """The day the grant file was closed (its period starts at the end of that year): the
    closing after the last reclaim, or the revocation of a grant that owes nothing; None while
    the grant lives."""
    if grant.is_revoked:
        return grant.revoked_on
    if not grant.is_closed:
        return None
    log = (
        StateLog.objects.for_(grant)  # type: ignore[attr-defined]
        .filter(state=GrantState.CLOSED)
        .order_by("-timestamp", "-pk")
        .first()
    )
    return _local_day(log.timestamp) if log is not None else None


def _grant_steps(today: dt.date, programmes: list[FundingProgramme]) -> list[RetentionStep]:
    """Closed (or wholly revoked) grants whose attachment or file period has ended."""
    if not programmes:
        return []
    grants = (
        Grant.objects.filter(state__in=(GrantState.CLOSED, GrantState.REVOKED))
        .exclude(application_id__in=_anonymised_ids())
        .annotate(closed_at=_latest_transition(Grant, GrantState.CLOSED))
        .select_related("application__programme", "application__organisation", "application__office")
    )
    shortest = _year_start(today.year - min(p.retention_attachment_years for p in programmes))
    grants = grants.filter(Q(closed_at__lt=shortest) | Q(revoked_on__lt=shortest.date()))
    with_attachments = set(
        Attachment.objects.filter(application__grant__in=grants).values_list("application_id", flat=True)
    )
    steps = []
    for grant in grants:
        closed_at = grant.closed_at  # type: ignore[attr-defined]
        ended_on = grant.revoked_on if grant.is_revoked else (_local_day(closed_at) if closed_at else None)
        if ended_on is None:
            continue
        application = grant.application
        programme = application.programme
        file_due = period_end(ended_on, programme.retention_grant_years)
        attachments_due = period_end(ended_on, programme.retention_attachment_years)
        if file_due <= today:
            rule, due_on = RetentionRule.GRANT_FILE, file_due
        elif attachments_due <= today and application.pk in with_attachments:
            rule, due_on = RetentionRule.ATTACHMENTS, attachments_due
        else:
            continue
        steps.append(
            RetentionStep(rule=rule, application=application, grant=grant, ended_on=ended_on, due_on=due_on)
        )
    return steps


def _attach_holds_and_files(steps: list[RetentionStep]) -> None:
    application_ids = [s.application.pk for s in steps]
    grant_ids = [s.grant.pk for s in steps if s.grant is not None]
    reclaims: dict[int, list[Reclaim]] = defaultdict(list)
    for reclaim in Reclaim.objects.open().filter(grant_id__in=grant_ids).order_by("decided_on", "pk"):
        reclaims[reclaim.grant_id].append(reclaim)
    manual: dict[int, list[LegalHold]] = defaultdict(list)
    for hold in (
        LegalHold.objects.active().filter(application_id__in=application_ids).order_by("placed_at", "pk")
    ):
        manual[hold.application_id].append(hold)
    files: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(application_id__in=application_ids).order_by("pk"):
        files[attachment.application_id].append(attachment)
    for step in steps:
        grant_reclaims = reclaims.get(step.grant.pk, []) if step.grant is not None else []
        step.holds = _automatic_holds(step.grant, grant_reclaims) + [
            _manual_hold(h) for h in manual.get(step.application.pk, [])
        ]
        step.attachments = files.get(step.application.pk, [])


def retention_plan(*, today: dt.date) -> list[RetentionStep]:
    """Everything whose retention period has ended by ``today``, held or not, in file order.

    A case already anonymised is never due again; attachments are due only while some are left.
    """
    programmes = list(FundingProgramme.objects.all())
    steps = _unfunded_steps(today, programmes) + _grant_steps(today, programmes)
    _attach_holds_and_files(steps)
    return sorted(steps, key=lambda s: (s.due_on, s.reference))


def skip_logged(step: RetentionStep, *, run_on: dt.date) -> bool:
    """The run has already logged today that this step is held (a second run adds nothing)."""
    return RetentionLog.objects.filter(
        application=step.application, rule=step.rule, action=RetentionAction.SKIPPED, run_on=run_on
    ).exists()


def live_cases_of_organisation(organisation_id: int, *, besides: Iterable[int] = ()) -> bool:
    """The organisation still has a case that is not anonymised (other than ``besides``)."""
    return (
        Application.objects.filter(organisation_id=organisation_id)
        .exclude(pk__in=list(besides))
        .exclude(pk__in=_anonymised_ids())
        .exists()
    )


# --- the log ----------------------------------------------------------------------------------


def retention_log_visible_to(user: Any) -> QuerySet[RetentionLog]:
    """Entries of cases in the offices where the user is an auditor; an administrator sees all."""
    if not allowed(user, VIEW_RETENTION_LOG):
        return RetentionLog.objects.none()
    entries = RetentionLog.objects.select_related("by").order_by("-created_at", "-pk")
    paths = role_paths(user, (StaffRole.AUDITOR,))
    if paths is None:
        return entries
    return entries.filter(subtree_q(paths, prefix="application__office__"))


def retention_log_of(application: Application) -> QuerySet[RetentionLog]:
    return (
        RetentionLog.objects.filter(application=application)
        .select_related("by")
        .order_by("-created_at", "-pk")
    )


# --- one case's standing ------------------------------------------------------------------------


@dataclass
class CaseRetention:
    """Where a case stands: when its periods started and end, and whether it was anonymised."""

    application: Application
    grant: Grant | None
    ended_on: dt.date | None  # None: the case still runs, no period has started
    attachments_due: dt.date | None
    file_due: dt.date | None  # the unfunded period for an application without a grant
    anonymised: RetentionLog | None

    @property
    def is_unfunded(self) -> bool:
        return self.grant is None


def case_retention(application: Application) -> CaseRetention:
    programme = application.programme
    grant = Grant.objects.filter(application=application).first()
    anonymised = RetentionLog.objects.anonymised_cases().filter(application=application).first()
    ended_on: dt.date | None = None
    attachments_due = file_due = None
    if grant is not None:
        ended_on = grant_file_ended_on(grant)
        if ended_on is not None:
            attachments_due = period_end(ended_on, programme.retention_attachment_years)
            file_due = period_end(ended_on, programme.retention_grant_years)
    elif application.state in (ApplicationState.REJECTED, ApplicationState.WITHDRAWN):
        withdrawn = (
            StateLog.objects.for_(application)  # type: ignore[attr-defined]
            .filter(state=ApplicationState.WITHDRAWN)
            .order_by("-timestamp", "-pk")
            .first()
        )
        moment = application.decided_at or (withdrawn.timestamp if withdrawn else application.updated_at)
        ended_on = _local_day(moment)
        file_due = attachments_due = period_end(ended_on, programme.retention_unfunded_years)
    return CaseRetention(application, grant, ended_on, attachments_due, file_due, anonymised)
