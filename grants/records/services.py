"""Legal holds and the retention run (records management, docs/records.md).

What anonymising a case removes, and what it keeps on purpose:

- **deleted**: every application attachment and every file sent with a message (file and row),
  the narrative report files of the
  proofs, and (through ``case_file_erasing``, in reporting) every stored document of the case;
- **anonymised**: the application's free texts (summary, goals, target groups, region, reasons
  for the decision; an unfunded application's title and plan-line texts as well) and the same
  texts of every submitted version, the bodies of the case's messages, the receipt
  list's payees and reasons, the proofs' narrative reports, the reasons of reclaims and of a
  revocation, and, once the carrier has no case left that is not anonymised, its contact
  person, e-mail address and phone number;
- **kept**: everything the ledger and the statistics need: references and file numbers,
  programme, office, dates, states, every amount, the plan versions, payments and the
  ledger itself (§ 71 BHO), the state history (append-only), the grant's title and purpose
  (published as open data), the carrier's name and seat, and its bank details (changed only
  through the confirmed bank-details service; a payment keeps the account it was ordered to).

Lock order: the grant row (when there is one), then the application row.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import translation
from django.utils.translation import gettext as _

from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_number
from grants.applications.models import (
    Application,
    Attachment,
    CoverLine,
    ExpenditureLine,
    Message,
    MessageAttachment,
    SubmittedVersion,
)
from grants.awards.locks import lock_grant
from grants.awards.models import Grant, ProofOfUse, Receipt, Reclaim, ReviewNote
from grants.carriers.models import Organisation
from grants.records.models import (
    LIFT_LEGAL_HOLD,
    PLACE_LEGAL_HOLD,
    RUN_RETENTION,
    HoldReason,
    LegalHold,
    RecordType,
    RetentionAction,
    RetentionLog,
)
from grants.records.selectors import (
    RetentionStep,
    case_holds,
    live_cases_of_organisation,
    retention_plan,
    skip_logged,
)
from grants.records.signals import case_file_erasing

if TYPE_CHECKING:
    from accounts.models import User

# What an anonymised text field holds: it says that something was there.
ANONYMISED = "[anonymisiert]"
# An address that can never receive mail (RFC 2606 reserves .invalid).
ANONYMISED_EMAIL = "anonymisiert@anonymisiert.invalid"

# --- legal holds ----------------------------------------------------------------------------


def _lock_case(application_id: int) -> Application:
    """The grant row first (when the application has one), then the application row."""
    grant_id = Grant.objects.filter(application_id=application_id).values_list("pk", flat=True).first()
    if grant_id is not None:
        lock_grant(grant_id)
    return Application.objects.select_for_update(of=("self",)).select_related("office").get(pk=application_id)


@transaction.atomic
def legal_hold_place(*, application: Application, by: User, reason: str, note: str) -> LegalHold:
    """An auditor holds the case: nothing of it is anonymised or deleted until the hold is lifted."""
    locked = _lock_case(application.pk)
    require(by, PLACE_LEGAL_HOLD, locked)
    errors = []
    if reason not in (HoldReason.AUDIT, HoldReason.LITIGATION, HoldReason.OTHER):
        errors.append(_("Please choose the reason for the legal hold."))
    note = note.strip()
    if not note:
        errors.append(_("Please note who audits or litigates, with their file reference."))
    if errors:
        raise DomainError(errors)
    if RetentionLog.objects.anonymised_cases().filter(application=locked).exists():
        raise DomainError(
            _("The case %(reference)s was anonymised already; there is nothing left to hold.")
            % {"reference": locked.reference}
        )
    return LegalHold.objects.create(application=locked, reason=reason, note=note, placed_by=by)


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, by: User, note: str) -> LegalHold:
    """The audit or proceedings are over: the case's periods apply again from the next run."""
    _lock_case(hold.application_id)
    locked = LegalHold.objects.select_for_update().select_related("application__office").get(pk=hold.pk)
    require(by, LIFT_LEGAL_HOLD, locked)
    if not locked.is_active:
        raise DomainError(_("This legal hold was lifted already."))
    note = note.strip()
    if not note:
        raise DomainError(_("Please give the reason for lifting the legal hold."))
    locked.lift(by=by, note=note)
    locked.save(update_fields=["lifted_by", "lifted_at", "lift_note"])
    return locked


# --- the retention run --------------------------------------------------------------------


def _checksum(file: FieldFile) -> tuple[int | None, str]:
    """Size and SHA-256 of a stored file ((None, "") when the file is missing)."""
    digest = hashlib.sha256()
    size = 0
    if not file.name:
        return None, ""
    try:
        with file.storage.open(file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError):
        return None, ""
    return size, digest.hexdigest()


def _file_detail(label: str, file: FieldFile) -> str:
    size, sha = _checksum(file)
    if size is None:
        return _("%(label)s · file was missing") % {"label": label}
    return _("%(label)s · %(size)s bytes · SHA-256 %(sha)s") % {
        "label": label,
        "size": format_number(size, 0),
        "sha": sha,
    }


def _delete_file_on_commit(file: FieldFile) -> None:
    storage, name = file.storage, file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class _Log:
    """Writes the log entries of one step with its common fields."""

    def __init__(self, step: RetentionStep, *, run_on: date, by: User | None) -> None:
        self.step, self.run_on, self.by = step, run_on, by
        self.entries: list[RetentionLog] = []

    def __call__(
        self, action: str, record_type: str, *, object_id: int | None, detail: str, reference: str = ""
    ) -> RetentionLog:
        entry = RetentionLog.objects.create(
            run_on=self.run_on,
            action=action,
            record_type=record_type,
            rule=self.step.rule,
            due_on=self.step.due_on,
            application=self.step.application,
            reference=reference or self.step.reference,
            object_id=object_id,
            detail=detail,
            by=self.by,
        )
        self.entries.append(entry)
        return entry


def _delete_attachments(application: Application, log: _Log) -> None:
    for attachment in Attachment.objects.select_for_update().filter(application=application).order_by("pk"):
        log(
            RetentionAction.DELETED,
            RecordType.ATTACHMENT,
            object_id=attachment.pk,
            detail=_file_detail(attachment.get_kind_display(), attachment.file),
            reference=application.reference,
        )
        _delete_file_on_commit(attachment.file)
        attachment.delete()


# The free texts of a submitted version (grants.applications.SubmittedVersion.content); an
# unfunded application's title and plan texts go as well, as on the application itself.
SUBMITTED_TEXTS = ("summary", "goals", "target_groups", "region")


def _anonymise_correspondence(application: Application, *, unfunded: bool, log: _Log) -> None:
    """Messages are personal texts: their bodies are anonymised, their files deleted; the
    submitted versions lose the same free texts as the application."""
    for attachment in (
        MessageAttachment.objects.select_for_update().filter(message__application=application).order_by("pk")
    ):
        log(
            RetentionAction.DELETED,
            RecordType.ATTACHMENT,
            object_id=attachment.pk,
            detail=_file_detail(_("Attachment to a message"), attachment.file),
            reference=application.reference,
        )
        _delete_file_on_commit(attachment.file)
        attachment.delete()
    Message.objects.filter(application=application).update(body=ANONYMISED)
    for version in (
        SubmittedVersion.objects.select_for_update().filter(application=application).order_by("pk")
    ):
        content = dict(version.content)
        names = [*SUBMITTED_TEXTS, "title"] if unfunded else list(SUBMITTED_TEXTS)
        for name in names:
            if content.get(name):
                content[name] = ANONYMISED
        if unfunded:
            for line in content.get("expenditure", []):
                line["description"] = ANONYMISED
            for line in content.get("cover", []):
                if line.get("source"):
                    line["source"] = ANONYMISED
        version.content = content
        version.save(update_fields=["content"])


def _anonymise_application(application: Application, *, unfunded: bool, log: _Log) -> None:
    _anonymise_correspondence(application, unfunded=unfunded, log=log)
    texts = ["summary", "goals", "target_groups", "region", "decision_reasons"]
    for name in texts:
        if getattr(application, name):
            setattr(application, name, ANONYMISED)
    if unfunded:
        # Nothing of an unfunded project was published: its title and plan texts go too.
        application.title = ANONYMISED
        ExpenditureLine.objects.filter(application=application).update(description=ANONYMISED)
        CoverLine.objects.filter(application=application).exclude(source="").update(source=ANONYMISED)
    application.save_changes()
    log(
        RetentionAction.ANONYMISED,
        RecordType.APPLICATION,
        object_id=application.pk,
        detail=_("Free texts of the application")
        + (_(", its title and the texts of its financing plan") if unfunded else "")
        + _(", its messages and submitted versions"),
        reference=application.reference,
    )


def _anonymise_grant_file(grant: Grant, log: _Log) -> None:
    receipts = Receipt.objects.filter(proof__grant=grant)
    receipt_count = receipts.update(counterparty=ANONYMISED, reason=ANONYMISED)
    # The in-depth check's free texts (reasons of admissions, findings of the review note).
    receipts.exclude(admission_reason="").update(admission_reason=ANONYMISED)
    ReviewNote.objects.filter(proof__grant=grant).exclude(findings="").update(findings=ANONYMISED)
    proofs = list(ProofOfUse.objects.select_for_update().filter(grant=grant).order_by("pk"))
    for proof in proofs:
        if proof.narrative_file:
            log(
                RetentionAction.DELETED,
                RecordType.PROOF_FILE,
                object_id=proof.pk,
                detail=_file_detail(str(proof), proof.narrative_file),
            )
            _delete_file_on_commit(proof.narrative_file)
    ProofOfUse.objects.filter(grant=grant).update(narrative="", narrative_file="", narrative_file_name="")
    Reclaim.objects.filter(grant=grant).update(reasons=ANONYMISED)
    if grant.revocation_reasons:
        Grant.objects.filter(pk=grant.pk).update(revocation_reasons=ANONYMISED)
    log(
        RetentionAction.ANONYMISED,
        RecordType.GRANT,
        object_id=grant.pk,
        detail=_(
            "%(receipts)s receipts (payee and reason), %(proofs)s narrative reports, reasons of reclaims and revocation"
        )
        % {"receipts": receipt_count, "proofs": len(proofs)},
    )


def _anonymise_organisation(application: Application, log: _Log) -> None:
    """The carrier's contact data, once none of its cases is left that still needs them."""
    if live_cases_of_organisation(application.organisation_id, besides=[application.pk]):
        return
    organisation = Organisation.objects.select_for_update().get(pk=application.organisation_id)
    if organisation.email == ANONYMISED_EMAIL:
        return
    Organisation.objects.filter(pk=organisation.pk).update(
        contact_person=ANONYMISED, email=ANONYMISED_EMAIL, phone=""
    )
    log(
        RetentionAction.ANONYMISED,
        RecordType.ORGANISATION,
        object_id=organisation.pk,
        detail=_("Contact person, e-mail address and phone number of the carrier (its last case)"),
        reference=application.reference,
    )


def _erase_elsewhere(step: RetentionStep, application: Application, grant: Grant | None, log: _Log) -> None:
    responses = case_file_erasing.send(
        sender=RetentionLog,
        application=application,
        grant=grant,
        rule=step.rule,
        due_on=step.due_on,
        run_on=log.run_on,
        by=log.by,
        dry_run=False,
    )
    for _receiver, entries in responses:
        log.entries.extend(cast(list[RetentionLog], entries) or [])


def _apply(step: RetentionStep, *, run_on: date, by: User | None) -> list[RetentionLog]:
    with transaction.atomic():
        grant = lock_grant(step.grant.pk) if step.grant is not None else None
        application = Application.objects.select_for_update(of=("self",)).get(pk=step.application.pk)
        step.application = application
        if RetentionLog.objects.anonymised_cases().filter(application=application).exists():
            return []  # a run on another worker was first
        log = _Log(step, run_on=run_on, by=by)
        # Read again under the lock: a hold placed or a reclaim decided since the plan counts.
        holds = case_holds(application)
        if holds:
            step.holds = holds
            if not skip_logged(step, run_on=run_on):
                log(
                    RetentionAction.SKIPPED,
                    RecordType.GRANT if grant is not None else RecordType.APPLICATION,
                    object_id=grant.pk if grant is not None else application.pk,
                    detail="; ".join(str(h) for h in holds),
                )
            return log.entries
        _delete_attachments(application, log)
        if step.anonymises_case:
            _erase_elsewhere(step, application, grant, log)
            if grant is not None:
                _anonymise_grant_file(grant, log)
            _anonymise_application(application, unfunded=grant is None, log=log)
            _anonymise_organisation(application, log)
        return log.entries


def retention_run(*, today: date, by: User | None = None) -> list[RetentionLog]:
    """Anonymise or delete what is due by ``today`` and log every action; held cases are skipped
    with a log entry (once a day). The daily task runs it with ``by=None``; a person needs
    ``grants.run_retention``. Each case is its own transaction, so a failure leaves the cases
    before it done and logged."""
    if by is not None:
        require(by, RUN_RETENTION)
    entries: list[RetentionLog] = []
    with translation.override("de"):  # the log's details are written for a German file
        for step in retention_plan(today=today):
            entries.extend(_apply(step, run_on=today, by=by))
    return entries


def retention_effects(step: RetentionStep) -> list[str]:
    """What running ``step`` would do, one sentence a record (the dry run prints these)."""
    if step.is_held:
        return [_("skipped, legal hold: %(holds)s") % {"holds": "; ".join(str(h) for h in step.holds)}]
    lines = [
        _("delete attachment %(kind)s (%(id)s)") % {"kind": a.get_kind_display(), "id": a.pk}
        for a in step.attachments
    ]
    if step.anonymises_case:
        responses = case_file_erasing.send(
            sender=RetentionLog,
            application=step.application,
            grant=step.grant,
            rule=step.rule,
            due_on=step.due_on,
            run_on=None,
            by=None,
            dry_run=True,
        )
        for _receiver, sentences in responses:
            lines.extend(cast(list[str], sentences) or [])
        if step.grant is not None:
            lines.append(_("anonymise the grant file (receipt list, narrative reports, reasons)"))
        lines.append(_("anonymise the application, its messages and submitted versions"))
        if not live_cases_of_organisation(step.application.organisation_id, besides=[step.application.pk]):
            lines.append(_("anonymise the carrier's contact data (its last case)"))
    return lines
