"""The carrier's side of a proof of use: narrative report, numerical statement, submission.

Statement rules (DOMAIN.md §3.6, §4.1): one actual amount per plan line (expenditure and
cover; for an interim proof the lines of its budget year), plus expenditure in a category the
plan did not have (plan 0) and unplanned cover (e.g. income nobody expected), which counts as
own or third-party funds. The grant's own cover line (Z) may be stated but is not required:
what was paid out is known from the drawdowns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import User
from budgets.choices import CostCategory
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.models import CoverKind
from grants.applications.models.plan import PlanLineSide
from grants.awards.models import PlanVersionLine, ProofLine, ProofOfUse
from grants.awards.models.proof import EDIT_PROOF
from grants.awards.services.proof._common import (
    OWN_KINDS,
    THIRD_KINDS,
    locked_proof,
    plan_line_labels,
    relevant_lines,
    require_editable,
)
from grants.awards.services.proof.flat_rate import is_flat_rate
from grants.awards.services.proof.receipts import MAX_AMOUNT

NARRATIVE_TYPES = (".pdf", ".docx", ".odt")


@dataclass(frozen=True)
class StatementEntry:
    """One line of the numerical statement as the carrier enters it.

    Either ``plan_line`` (a line of the proof's plan version), or no plan line and a
    ``category`` (unplanned expenditure) or a ``cover_kind`` (unplanned own funds,
    third-party funds or income) with an optional ``text``.
    """

    actual: Decimal
    plan_line: PlanVersionLine | None = None
    category: str = ""
    cover_kind: str = ""
    text: str = ""


@transaction.atomic
def proof_update(*, proof: ProofOfUse, by: User, narrative: str) -> ProofOfUse:
    """Save the narrative report (Sachbericht) as text."""
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    locked.narrative = narrative.strip()
    locked.save_changes()
    return locked


@transaction.atomic
def proof_narrative_upload(*, proof: ProofOfUse, by: User, upload: UploadedFile) -> ProofOfUse:
    """Attach the narrative report as a file (PDF, DOCX or ODT); replaces an earlier file."""
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in NARRATIVE_TYPES:
        raise DomainError(
            _("The narrative report must be a PDF, DOCX or ODT file; “%(name)s” is not.") % {"name": name}
        )
    # Imported here: attachment → application → grant → proof would otherwise be a cycle.
    from grants.applications.services.attachment import attachment_errors

    errors = attachment_errors(upload)
    if errors:
        raise DomainError(errors)
    old = locked.narrative_file.name if locked.narrative_file else ""
    storage = locked.narrative_file.storage
    locked.narrative_file.save(name, upload, save=False)
    locked.narrative_file_name = name[:255]
    try:
        # Named fields: the file is changed in place, which a comparison with the loaded row misses.
        locked.save(update_fields=["narrative_file", "narrative_file_name"])
    except Exception:
        # No row, no file: a failed update must not leave an orphan on disk.
        storage.delete(locked.narrative_file.name)
        raise
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    return locked


@transaction.atomic
def proof_narrative_remove(*, proof: ProofOfUse, by: User) -> ProofOfUse:
    """Remove the narrative report's file (the file goes once the change is committed)."""
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    if locked.narrative_file:
        storage, name = locked.narrative_file.storage, locked.narrative_file.name
        transaction.on_commit(lambda: storage.delete(name))
    locked.narrative_file = ""
    locked.narrative_file_name = ""
    locked.save(update_fields=["narrative_file", "narrative_file_name"])
    return locked


def _entry_errors(entry: StatementEntry, label: str) -> list[str]:
    actual = entry.actual
    if actual is None or actual < 0 or actual > MAX_AMOUNT or actual != actual.quantize(Decimal("0.01")):
        return [
            _("Line “%(line)s”: the actual amount must be an amount in euros and cents of at least 0.")
            % {"line": label}
        ]
    return []


@transaction.atomic
def proof_statement_replace(
    *, proof: ProofOfUse, by: User, lines: Sequence[StatementEntry]
) -> list[ProofLine]:
    """Replace the numerical statement with ``lines``; every broken rule is reported at once."""
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    plan_lines = list(locked.plan.lines.all())
    labels = plan_line_labels(plan_lines)
    allowed = {line.pk for line in relevant_lines(locked, plan_lines)}
    errors: list[str] = []
    seen: set[int] = set()
    rows: list[ProofLine] = []
    for entry in lines:
        line = entry.plan_line
        if line is not None:
            if line.pk not in labels:
                errors.append(_("A statement line refers to a plan line of another financing plan."))
                continue
            label = labels[line.pk]
            if line.pk not in allowed:
                errors.append(
                    _(
                        "Plan line “%(line)s” belongs to another budget year than this interim proof (%(year)s)."
                    )
                    % {"line": label, "year": locked.budget_year}
                )
            if line.pk in seen:
                errors.append(_("Plan line “%(line)s” appears twice in the statement.") % {"line": label})
            seen.add(line.pk)
            errors += _entry_errors(entry, label)
            rows.append(
                ProofLine(
                    proof=locked,
                    side=line.side,
                    plan_line=line,
                    category=line.category,
                    cover_kind=line.cover_kind,
                    text=line.text,
                    actual=entry.actual,
                )
            )
            continue
        label = entry.text.strip() or entry.category or entry.cover_kind
        if bool(entry.category) == bool(entry.cover_kind):
            errors.append(
                _("Line “%(line)s”: a line not in the plan needs either a cost category or a kind of cover.")
                % {"line": label}
            )
            continue
        if entry.category and entry.category not in CostCategory.values:
            errors.append(_("Unknown cost category “%(value)s”.") % {"value": entry.category})
            continue
        if entry.cover_kind and entry.cover_kind not in (*OWN_KINDS, *THIRD_KINDS):
            errors.append(
                _(
                    "Line “%(line)s”: a cover line not in the plan must be own funds, third-party funds or income."
                )
                % {"line": label}
            )
            continue
        if len(entry.text.strip()) > 200:
            errors.append(
                _("Line “%(line)s”: the description may have at most 200 characters.") % {"line": label}
            )
        errors += _entry_errors(entry, label)
        rows.append(
            ProofLine(
                proof=locked,
                side=ProofLine.Side.EXPENDITURE if entry.category else ProofLine.Side.COVER,
                category=entry.category,
                cover_kind=entry.cover_kind,
                text=entry.text.strip()[:200],
                actual=entry.actual,
            )
        )
    if errors:
        raise DomainError(errors)
    locked.lines.all().delete()
    return ProofLine.objects.bulk_create(rows)


def submission_errors(proof: ProofOfUse) -> list[str]:
    """What still keeps ``proof`` from being submitted (empty when it may be)."""
    errors = []
    if not proof.narrative.strip() and not proof.narrative_file:
        errors.append(_("Please write the narrative report or upload it as a file."))
    plan_lines = list(proof.plan.lines.all())
    labels = plan_line_labels(plan_lines)
    stated = {line.plan_line_id: line for line in proof.lines.all() if line.plan_line_id}
    for line in relevant_lines(proof, plan_lines):
        if line.pk not in stated and line.cover_kind != CoverKind.GRANT:
            errors.append(
                _("The statement has no actual amount for plan line “%(line)s”.") % {"line": labels[line.pk]}
            )
    if proof.needs_receipt_list:
        receipts = dict(
            proof.receipts.values("plan_line").annotate(total=Sum("amount")).values_list("plan_line", "total")
        )
        for line in relevant_lines(proof, plan_lines):
            if line.side != PlanLineSide.EXPENDITURE or is_flat_rate(line, proof.grant):
                continue  # a flat rate needs no receipts, only its cap (DOMAIN.md §9)
            actual = stated[line.pk].actual if line.pk in stated else Decimal(0)
            total = receipts.get(line.pk) or Decimal(0)
            if total != actual:
                errors.append(
                    _(
                        "Plan line “%(line)s”: the receipts add up to %(receipts)s, but the statement shows %(actual)s."
                    )
                    % {"line": labels[line.pk], "receipts": format_eur(total), "actual": format_eur(actual)}
                )
    return errors


@transaction.atomic
def proof_submit(*, proof: ProofOfUse, by: User, comment: str = "") -> ProofOfUse:
    """Hand the proof in. Submitting the final proof puts the grant under review.

    Checks: a narrative report (text or file), an actual amount for every plan line, and for the
    final proof a receipt list whose sum per expenditure line equals the statement's actual.
    Expenditure not in the plan cannot carry receipts (a receipt needs a plan line); it is
    recognised at 0 anyway (§4.1), so it is left out of the receipt check. A simple proof
    (:attr:`ProofOfUse.is_simple`: a micro-project within its fund's threshold) has no receipt
    list: its short report and numerical statement suffice.
    """
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    errors = submission_errors(locked)
    if errors:
        raise DomainError(errors)
    locked.submit(by=by, description=comment)
    locked.save_changes()
    if locked.is_final:
        grant = locked.grant
        if not can_proceed(grant.final_proof_submitted):
            # Nothing was paid yet, so the grant never started running; its period is over now.
            grant.period_ended(by=by, description=_("Final proof of use submitted"))
        grant.final_proof_submitted(by=by, description=comment or _("Final proof of use submitted"))
        grant.save_changes()
    return locked
