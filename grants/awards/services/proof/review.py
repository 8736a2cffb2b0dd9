"""The office's review of a proof of use: start, send back, accept (DOMAIN.md §3.7).

Accepting an interim proof only records the review. Accepting the final proof settles the
grant (see ``settlement``): the settlement row, the ledger entries, the reclaim or the last
payment and the grant's transitions happen in one transaction, so a failure writes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from grants.awards.models import ProofOfUse
from grants.awards.models.proof import REVIEW_PROOF
from grants.awards.services.dates import DECIDED_ON, require_true_date
from grants.awards.services.proof._common import locked_proof
from grants.awards.services.proof.in_depth import acceptance_problem
from grants.awards.services.proof.settlement import settle, settlement_preview


def _state_error(proof: ProofOfUse, message: str) -> DomainError:
    return DomainError(
        _("%(message)s (current state: “%(state)s”)")
        % {"message": message, "state": proof.get_state_display()}
    )


@transaction.atomic
def proof_start_review(*, proof: ProofOfUse, by: User, comment: str = "") -> ProofOfUse:
    """A case officer of the granting office takes up a submitted proof."""
    locked = locked_proof(proof)
    require(by, REVIEW_PROOF, locked)
    if not locked.is_submitted:
        raise _state_error(locked, _("Only a submitted proof of use can be taken into review."))
    locked.start_review(by=by, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def proof_request_changes(*, proof: ProofOfUse, by: User, comment: str) -> ProofOfUse:
    """Send the proof back to the carrier with what must change; a final proof is due again."""
    locked = locked_proof(proof)
    require(by, REVIEW_PROOF, locked)
    if not comment.strip():
        raise DomainError(_("Please tell the carrier what needs to be changed."))
    if not locked.is_in_review:
        raise _state_error(locked, _("Changes can only be requested on a proof of use in review."))
    locked.request_changes(by=by, description=comment.strip())
    locked.save_changes()
    if locked.is_final:
        grant = locked.grant
        grant.final_proof_returned(by=by, description=comment.strip())
        grant.save_changes()
    return locked


@transaction.atomic
def proof_accept(
    *, proof: ProofOfUse, by: User, comment: str = "", decided_on: date | None = None
) -> ProofOfUse:
    """Accept the proof; for the final proof book the settlement that :func:`settlement_preview`
    shows (computed here again, under the locks, before anything is written).

    ``decided_on`` (default today) dates the settlement, the reclaim decision and the last
    payment. Returns the accepted proof; its ``settlement`` exists for the final proof.
    """
    locked = locked_proof(proof)
    require(by, REVIEW_PROOF, locked)
    if not locked.is_in_review:
        raise _state_error(locked, _("Only a proof of use in review can be accepted."))
    require_true_date(decided_on, what=DECIDED_ON, grant=locked.grant)
    in_depth_problem = acceptance_problem(locked)
    if in_depth_problem:
        raise DomainError(in_depth_problem)
    preview = None
    if locked.is_final:
        if not locked.grant_awaits_settlement:
            raise DomainError(
                _(
                    "The grant is in state “%(state)s”; only a grant whose final proof is under review can be settled."
                )
                % {"state": locked.grant.get_state_display()}
            )
        preview = settlement_preview(locked)
        if preview.problems:
            raise DomainError(preview.problems)
    locked.accept(by=by, description=comment)
    locked.save_changes()
    if preview is not None:
        settle(proof=locked, by=by, decided_on=decided_on or timezone.localdate(), preview=preview)
    return locked
