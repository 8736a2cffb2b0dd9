"""Every named permission of the grants app, in one place (django-rules).

Transitions carry these names as ``permission=`` (through :func:`budgets.rules.fsm_permission`);
services call :func:`budgets.rules.require` before they write; views, templates
(``{% has_perm %}``), admin actions and the API ask the same names. This module imports no model
of ours: predicates read the object they are given (an application, a grant, or anything that
belongs to one).

Conflict of interest is written once, :data:`not_own_organisation`, and composed into every
decision: nobody decides on a case of an organisation they belong to.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_lazy as _

from budgets.choices import StaffRole
from budgets.rules import (
    Check,
    add_permission,
    covers,
    has_office_role,
    holds_role_anywhere,
    is_admin,
    is_approver,
    is_auditor,
    is_case_officer,
    is_finance,
    is_office_staff,
)

# --- carriers -------------------------------------------------------------------------------


def carrier_organisation_ids(user: Any) -> set[int]:
    """The organisations the user belongs to as a carrier member, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_carrier_org_ids_cache", None)
    if cached is None:
        cached = set(user.organisations.values_list("pk", flat=True))
        user._carrier_org_ids_cache = cached
    return cached


def organisation_id_of(obj: Any) -> int | None:
    """The organisation a case belongs to: the object itself, its applicant or its recipient."""
    if obj is None:
        return None
    meta = getattr(obj, "_meta", None)
    if meta is not None and meta.model_name == "organisation":
        return obj.pk
    org_id = getattr(obj, "organisation_id", None)
    if org_id is not None:
        return int(org_id)
    for via in ("grant", "application", "reclaim", "proof", "drawdown", "amendment"):
        inner = getattr(obj, via, None)
        if inner is not None and inner is not obj:
            return organisation_id_of(inner)
    return None


@rules.predicate
def is_carrier_member(user: Any, obj: Any) -> bool:
    org_id = organisation_id_of(obj)
    return org_id is not None and org_id in carrier_organisation_ids(user)


@rules.predicate
def is_carrier_user(user: Any) -> bool:
    return bool(carrier_organisation_ids(user))


# Conflict of interest (defined once): nobody decides on a case of their own organisation.
not_own_organisation = ~is_carrier_member

OWN_ORGANISATION = Check(not_own_organisation, _("Nobody may decide on a case of their own organisation."))


def _by(field: str) -> rules.Predicate:
    @rules.predicate(name=f"did_not_{field}")
    def predicate(user: Any, obj: Any) -> bool:
        return obj is not None and getattr(obj, f"{field}_id", None) != user.pk

    return predicate


@rules.predicate
def is_not_proposer_or_reviewer(user: Any, obj: Any) -> bool:
    """Four-eyes principle: who decides did not propose and did not review the content."""
    return obj is not None and user.pk not in {obj.proposed_by_id, obj.content_reviewed_by_id}


@rules.predicate
def is_handed_in(user: Any, obj: Any) -> bool:
    """Office staff see an application only once the carrier has handed it in."""
    return obj is not None and bool(getattr(obj, "is_handed_in", True))


# --- carriers -------------------------------------------------------------------------------

add_permission(
    "grants.view_organisation",
    Check(is_carrier_member | is_admin, _("Only members of the organisation can see it.")),
)
# A change of bank details is a request (by a member, or an administrator through the admin)
# that finance of an office responsible for the organisation confirms: never the requester,
# never for their own organisation. Until then the payout account stays as it was.
add_permission(
    "grants.change_bank_details",
    Check(
        is_carrier_member | is_admin,
        _("Only members of the organisation can request a change of its bank details."),
    ),
)
add_permission(
    "grants.withdraw_bank_details_change",
    Check(
        is_carrier_member | is_admin,
        _("Only members of the organisation can withdraw a requested change of its bank details."),
    ),
)


@rules.predicate
def is_finance_of_responsible_office(user: Any, change: Any) -> bool:
    """Finance of an office that handles a grant or handed-in application of the organisation."""
    paths: set[str] = set(getattr(change, "responsible_office_paths", None) or ())
    return any(covers(user, path, (StaffRole.FINANCE,)) for path in paths)


add_permission(
    "grants.view_bank_details_changes",
    Check(
        holds_role_anywhere(StaffRole.FINANCE), _("Changes of bank details are confirmed by finance staff.")
    ),
)
add_permission(
    "grants.confirm_bank_details",
    Check(
        is_finance_of_responsible_office,
        _(
            "Only finance staff of an office responsible for the organisation can confirm its new bank details."
        ),
    ),
    Check(not_own_organisation, _("Nobody may confirm bank details of their own organisation.")),
    Check(
        _by("requested_by"),
        _("Four-eyes principle: whoever requested the change of bank details cannot confirm it."),
    ),
)
add_permission(
    "grants.reject_bank_details",
    Check(
        is_finance_of_responsible_office,
        _(
            "Only finance staff of an office responsible for the organisation can reject its new bank details."
        ),
    ),
    Check(not_own_organisation, _("Nobody may decide on bank details of their own organisation.")),
)

# --- applications (pre-award) ---------------------------------------------------------------

add_permission(
    "grants.view_application",
    Check(
        is_carrier_member | is_admin | (is_office_staff & is_handed_in),
        _("You may not see this application."),
    ),
)
add_permission(
    "grants.create_application",
    Check(is_carrier_member, _("You can only apply on behalf of your own organisation.")),
)
add_permission(
    "grants.edit_application",
    Check(is_carrier_member, _("Only members of the applying organisation may change this application.")),
)
add_permission(
    "grants.process_application",
    Check(is_case_officer, _("Only a case officer of the responsible office can take this step.")),
    OWN_ORGANISATION,
)
add_permission(
    "grants.decide_application",
    Check(is_approver, _("Only an approver of the responsible office can decide on the application.")),
    OWN_ORGANISATION,
    Check(
        is_not_proposer_or_reviewer,
        _(
            "Four-eyes principle: the decision must be taken by someone other than the person who proposed it or reviewed its content."
        ),
    ),
)

# Early start (vorzeitiger Maßnahmebeginn, DOMAIN.md §9): the carrier asks, an official of the
# responsible office decides (one person suffices: the permission promises nothing).
add_permission(
    "grants.request_early_start",
    Check(is_carrier_member, _("Only members of the applying organisation may ask to start early.")),
)
add_permission(
    "grants.decide_early_start",
    Check(
        is_case_officer | is_approver,
        _("Only a case officer or approver of the responsible office can decide on an early start."),
    ),
    OWN_ORGANISATION,
)

# --- grants: notice, finality, objection ----------------------------------------------------

add_permission(
    "grants.view_grant",
    Check(is_carrier_member | is_office_staff | is_admin, _("You may not see this grant.")),
)
add_permission(
    "grants.record_notice_posting",
    Check(
        is_case_officer | is_approver,
        _("Only case officers or approvers of the granting office may record the posting of the notice."),
    ),
    OWN_ORGANISATION,
)
add_permission(
    "grants.record_objection",
    Check(
        is_case_officer | is_approver,
        _("Only case officers or approvers of the granting office may record an objection."),
    ),
    OWN_ORGANISATION,
)
add_permission(
    "grants.conclude_objection",
    Check(
        is_case_officer | is_approver,
        _("Only case officers or approvers of the granting office may conclude an objection."),
    ),
    OWN_ORGANISATION,
)
add_permission(
    "grants.waive_objection",
    Check(is_carrier_member, _("Only the grant recipient can waive the right to object.")),
)
# Steps that follow from another use case or from the daily tasks (a notice becomes final when
# the objection period ends, a grant closes with its last reclaim): nobody takes them on their own.
add_permission(
    "grants.follow_on_step",
    Check(rules.always_deny, _("This step follows from another one and cannot be taken on its own.")),
)

# --- payments: drawdowns and payment runs ---------------------------------------------------

add_permission(
    "grants.request_drawdown",
    Check(is_carrier_member, _("Only the grant recipient can request funds.")),
)
add_permission(
    "grants.cancel_drawdown",
    Check(is_carrier_member, _("Only the grant recipient can withdraw its request.")),
)
add_permission(
    "grants.certify_drawdown",
    Check(is_case_officer, _("Only a case officer of the granting office can certify a request.")),
    OWN_ORGANISATION,
    Check(_by("requested_by"), _("Whoever requested the funds cannot certify the request.")),
)
add_permission(
    "grants.reject_drawdown",
    Check(is_case_officer, _("Only a case officer of the granting office can reject a request.")),
    OWN_ORGANISATION,
)
add_permission(
    "grants.order_payment",
    Check(is_finance, _("Only finance staff of the granting office can order a payment.")),
    Check(not_own_organisation, _("Nobody may order a payment to their own organisation.")),
    Check(
        _by("certified_by") & _by("requested_by"),
        _(
            "Four-eyes principle: the payment must be ordered by someone other than the person who certified it."
        ),
    ),
)
add_permission(
    "grants.book_payment",
    Check(is_finance, _("Only finance staff of the granting office can book a payment.")),
    OWN_ORGANISATION,
)
add_permission(
    "grants.record_use_of_funds",
    Check(
        is_carrier_member | is_case_officer,
        _("Only the grant recipient or a case officer can record when the money was used."),
    ),
)
add_permission(
    "grants.use_payment_runs",
    Check(holds_role_anywhere(StaffRole.FINANCE), _("Payment runs are for finance staff.")),
)
add_permission(
    "grants.create_payment_run",
    Check(is_finance, _("Only finance staff of the granting office can put a payment into a payment run.")),
    Check(not_own_organisation, _("Nobody may order a payment to their own organisation.")),
)


@rules.predicate
def is_finance_for_every_payment(user: Any, run: Any) -> bool:
    """Finance over every office of a payment run's payments (its file carries all their accounts)."""
    paths: set[str] = set(getattr(run, "office_paths", None) or ())
    return bool(paths) and all(covers(user, path, (StaffRole.FINANCE,)) for path in paths)


@rules.predicate
def pays_no_own_organisation(user: Any, run: Any) -> bool:
    """Conflict of interest for a run: none of its payments goes to the user's organisation."""
    return not (set(getattr(run, "organisation_ids", ())) & carrier_organisation_ids(user))


RUN_PAYS_OWN_ORGANISATION = Check(
    pays_no_own_organisation, _("Nobody may order a payment to their own organisation.")
)


add_permission(
    "grants.execute_payment_run",
    Check(
        is_finance_for_every_payment,
        _("Only finance staff responsible for every payment in the run can book it."),
    ),
    RUN_PAYS_OWN_ORGANISATION,
    Check(
        _by("created_by"),
        _("The execution of a payment run is booked by someone other than the person who created it."),
    ),
)
add_permission(
    "grants.cancel_payment_run",
    Check(
        is_finance_for_every_payment,
        _("Only finance staff responsible for every payment in the run can cancel it."),
    ),
    RUN_PAYS_OWN_ORGANISATION,
)

# --- proofs of use and settlement -----------------------------------------------------------

add_permission(
    "grants.edit_proof",
    Check(is_carrier_member, _("Only members of the grant recipient may change this proof of use.")),
)
add_permission(
    "grants.review_proof",
    Check(is_case_officer, _("Only a case officer of the granting office can review a proof of use.")),
    Check(not_own_organisation, _("Nobody may review a proof of use of their own organisation.")),
)
# In-depth checks (VV Nr. 11.2): the head of an office (approver) selects once a year; every
# official of the office's subtree sees the selection; carriers never do.
add_permission(
    "grants.select_in_depth_checks",
    Check(is_approver, _("Only the head of the office (approver) selects proofs for in-depth checks.")),
)
add_permission(
    "grants.view_in_depth_checks",
    Check(is_office_staff, _("Only officials of the office see its selection for in-depth checks.")),
)

# --- reclaims, interest, revocation ---------------------------------------------------------

add_permission(
    "grants.decide_reclaim",
    Check(
        is_case_officer | is_approver,
        _("Only a case officer or approver of the granting office can decide a reclaim."),
    ),
    OWN_ORGANISATION,
)
add_permission(
    "grants.claim_late_use_interest",
    Check(
        is_case_officer | is_approver,
        _("Only a case officer or approver of the granting office can decide a reclaim."),
    ),
    OWN_ORGANISATION,
)
add_permission(
    "grants.book_repayment",
    Check(is_finance, _("Only finance staff of the granting office can book a repayment.")),
    OWN_ORGANISATION,
)
add_permission(
    "grants.waive_interest",
    Check(is_approver, _("Only an approver of the granting office can waive interest.")),
    OWN_ORGANISATION,
)
add_permission(
    "grants.revoke_grant",
    Check(is_approver, _("Only an approver of the granting office can revoke a grant.")),
    OWN_ORGANISATION,
)

# --- amendments -----------------------------------------------------------------------------
# The carrier creates, changes, submits and withdraws; a case officer proposes; an approver
# decides (approves or rejects) — never for their own organisation and never on their own
# proposal. A submitted amendment can be rejected before anyone proposed it.

add_permission(
    "grants.request_amendment",
    Check(is_carrier_member, _("Only the grant recipient can apply for an amendment.")),
)
add_permission(
    "grants.propose_amendment",
    Check(
        is_case_officer,
        _("Only a case officer of the granting office can propose to approve an amendment."),
    ),
    Check(not_own_organisation, _("Nobody may decide on an amendment for their own organisation.")),
)
add_permission(
    "grants.decide_amendment",
    Check(is_approver, _("Only an approver of the granting office can decide on an amendment.")),
    Check(not_own_organisation, _("Nobody may decide on an amendment for their own organisation.")),
    Check(
        _by("proposed_by"),
        _(
            "Four-eyes principle: the decision must be taken by someone other than the person who proposed it."
        ),
    ),
)


# --- passing money on: funds, committees, micro-projects (DOMAIN §7) -----------------------


def first_recipient_office_path(grant: Any) -> str | None:
    """The path of the office whose legal body received ``grant`` (where its funds sit)."""
    office = getattr(getattr(grant, "organisation", None), "runs_office", None)
    return getattr(office, "path", None)


@rules.predicate
def is_first_recipient_staff(user: Any, grant: Any) -> bool:
    """A case officer or approver of the office run by the grant's recipient (or above it)."""
    path = first_recipient_office_path(grant)
    return path is not None and covers(user, path, (StaffRole.CASE_OFFICER, StaffRole.APPROVER))


add_permission(
    "grants.open_fund",
    Check(
        is_first_recipient_staff,
        _("Only a case officer or approver of the first recipient's office can open a fund from this grant."),
    ),
)
add_permission(
    "grants.manage_fund",
    Check(
        is_case_officer | is_approver,
        _("Only a case officer or approver of the fund's office can change its rules."),
    ),
)
add_permission(
    "grants.view_fund",
    Check(is_office_staff | is_admin, _("Only staff of the fund's office can see its figures.")),
)
add_permission(
    "grants.manage_committee",
    Check(
        is_case_officer | is_approver,
        _(
            "Only a case officer or approver of the committee's office can prepare its sessions and record votes."
        ),
    ),
)
add_permission(
    "grants.view_committee",
    Check(is_office_staff | is_admin, _("Only staff of the committee's office can see its sessions.")),
)


@rules.predicate
def casts_own_vote(user: Any, ballot: Any) -> bool:
    """In a circulation procedure a member (or the deputy standing in) casts their own vote."""
    session = getattr(ballot, "session", None)
    voter = getattr(ballot, "voter", None)
    return bool(
        session is not None and session.is_circulation and voter is not None and voter.user_id == user.pk
    )


add_permission(
    "grants.cast_vote",
    Check(
        is_case_officer | is_approver | casts_own_vote,
        _("Only the committee's office records votes; in a circulation members cast their own."),
    ),
)


# --- records management: legal holds, retention, case files ----------------------------------
# An auditor of the case's office (or above) places and lifts a legal hold; staff of the office
# see a case's holds and export its whole file for archiving (never the carrier); the retention
# log is for administrators and auditors; only an administrator starts a retention run by hand.

add_permission(
    "grants.view_case_records",
    Check(is_office_staff | is_admin, _("Only staff of the responsible office can see the case's records.")),
)
add_permission(
    "grants.place_legal_hold",
    Check(
        has_office_role(StaffRole.AUDITOR),
        _("Only an auditor of the responsible office can place a legal hold on a case."),
    ),
)
add_permission(
    "grants.lift_legal_hold",
    Check(
        has_office_role(StaffRole.AUDITOR),
        _("Only an auditor of the responsible office can lift a legal hold."),
    ),
)
add_permission(
    "grants.view_retention_log",
    Check(
        is_admin | holds_role_anywhere(StaffRole.AUDITOR),
        _("Only administrators and auditors can see the retention log."),
    ),
)
add_permission(
    "grants.run_retention",
    Check(is_admin, _("Only an administrator can start the retention run.")),
)
add_permission(
    "grants.export_case_file",
    Check(
        is_office_staff | is_admin,
        _("Only staff of the responsible office can export the whole case file."),
    ),
)


# --- individual help in exit programmes (DOMAIN.md §6) ---------------------------------------
# Sums per case and purpose, never identities: the service holds pseudonyms only.
add_permission(
    "grants.view_individual_help",
    Check(is_carrier_member | is_office_staff | is_admin, _("You may not see this grant.")),
)
add_permission(
    "grants.draw_case_sample",
    Check(is_auditor, _("Only an auditor of the granting office can draw a sample of cases.")),
    Check(not_own_organisation, _("Nobody may audit their own organisation.")),
)

# --- correspondence (issue 11 §3) ------------------------------------------------------------
# The carrier writes on its own cases; staff of the responsible office (its subtree) write once
# the application was handed in, never on a case of their own organisation.
add_permission(
    "grants.send_message",
    Check(
        is_carrier_member | (is_office_staff & is_handed_in & not_own_organisation),
        _("Only the carrier and staff of the responsible office may write on this case."),
    ),
)
