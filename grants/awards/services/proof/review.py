"""The office's review of a proof of use: start, send back, accept (DOMAIN.md §3.7).

Accepting an interim proof only records the review. Accepting the final proof settles the
grant (see ``settlement``): the settlement row, the ledger entries, the reclaim or the last
payment and the grant's transitions happen in one transaction, so a failure writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from grants.awards.models import ProofKind, ProofOfUse, ProofState
from grants.awards.services._locks import locked_grant
from grants.awards.services.proof._common import locked_proof, require_case_officer
from grants.awards.services.proof.settlement import settle

P = ProofState


def _locked_for_review(proof: ProofOfUse) -> ProofOfUse:
    grant = locked_grant(proof.grant_id)
    return locked_proof(proof, grant=grant)


def _state_error(proof: ProofOfUse, message: str) -> DomainError:
    return DomainError(
        _("%(message)s (current state: “%(state)s”)")
        % {"message": message, "state": proof.get_state_display()}
    )


@transaction.atomic
def proof_start_review(*, proof: ProofOfUse, by: Any, comment: str = "") -> ProofOfUse:
    """A case officer of the granting office takes up a submitted proof."""
    locked = _locked_for_review(proof)
    require_case_officer(locked, by)
    if locked.state != P.SUBMITTED:
        raise _state_error(locked, _("Only a submitted proof of use can be taken into review."))
    locked.start_review(by=by, description=comment)
    locked.save(update_fields=["state", "reviewed_by"])
    return locked


@transaction.atomic
def proof_request_changes(*, proof: ProofOfUse, by: Any, comment: str) -> ProofOfUse:
    """Send the proof back to the carrier with what must change; a final proof is due again."""
    locked = _locked_for_review(proof)
    require_case_officer(locked, by)
    if not comment.strip():
        raise DomainError(_("Please tell the carrier what needs to be changed."))
    if locked.state != P.IN_REVIEW:
        raise _state_error(locked, _("Changes can only be requested on a proof of use in review."))
    locked.request_changes(by=by, description=comment.strip())
    locked.save(update_fields=["state"])
    if locked.kind == ProofKind.FINAL:
        grant = locked.grant
        grant.final_proof_returned(by=by, description=comment.strip())
        grant.save(update_fields=["state"])
    return locked


@transaction.atomic
def proof_accept(
    *, proof: ProofOfUse, by: Any, comment: str = "", decided_on: date | None = None
) -> ProofOfUse:
    """Accept the proof; for the final proof compute and book the settlement.

    ``decided_on`` (default today) dates the settlement, the reclaim decision and the last
    payment. Returns the accepted proof; its ``settlement`` exists for the final proof.
    """
    locked = _locked_for_review(proof)
    require_case_officer(locked, by)
    if locked.state != P.IN_REVIEW:
        raise _state_error(locked, _("Only a proof of use in review can be accepted."))
    final = locked.kind == ProofKind.FINAL
    if final and locked.grant.state != "proof_under_review":
        raise DomainError(
            _(
                "The grant is in state “%(state)s”; only a grant whose final proof is under review can be settled."
            )
            % {"state": locked.grant.get_state_display()}
        )
    locked.accept(by=by, description=comment)
    locked.save(update_fields=["state", "accepted_at"])
    if final:
        settle(proof=locked, grant=locked.grant, by=by, decided_on=decided_on or timezone.localdate())
    return locked
