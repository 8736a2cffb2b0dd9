"""The whole case file of a grant as one ZIP, for archiving (e.g. offering it to the archive
before the retention run anonymises it).

Contents (names in German, as the archive reads them):

- ``dokumente/``: every stored document of the case (notices, payment orders, settlement memo,
  reclaim decisions), as issued;
- ``anlagen/``: the application's attachments; ``sachberichte/``: the narrative report files;
- ``belegliste.csv``: the receipt lists of all proofs of use;
- ``verlauf.csv`` / ``verlauf.json``: the state history of the application, the grant and
  everything below it (who, when, from which state to which, with the comment);
- ``buchungen.csv`` / ``buchungen.json``: the ledger entries booked under the file number;
- ``manifest.json``: the case's facts and, for every other file, its name, size and SHA-256.

The archive is written to a temporary file on disk (never held in memory) and streamed from
there; stored files are copied in chunks and hashed on the way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation

from budgets.models import LedgerEntry
from budgets.rules import require
from grants.applications.models import Attachment
from grants.awards.models import Amendment, Grant, ProofOfUse, Receipt, Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.selectors import grant_timeline
from reporting.models import Document

if TYPE_CHECKING:
    from accounts.models import User

EXPORT_CASE_FILE = "grants.export_case_file"
MANIFEST = "manifest.json"
FORMAT = "foerderverwaltung-akte/1"
CHUNK = 1024 * 1024


@dataclass
class _Entry:
    name: str
    size: int
    sha256: str
    description: str


@dataclass
class CaseFile:
    """The finished archive: an open temporary file positioned at its start, and its name."""

    file: IO[bytes]
    file_name: str
    entries: list[_Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _safe(name: str) -> str:
    """A file name that is safe in any archive and on any file system."""
    stem = PurePath(name).name or "datei"
    return re.sub(r"[^\w.\-]+", "_", stem, flags=re.UNICODE).strip("._") or "datei"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


class _Writer:
    """Adds files to the ZIP and remembers their size and checksum for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.entries: list[_Entry] = []
        self.missing: list[str] = []
        self.names: set[str] = set()

    def _unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.names:
            n += 1
            path = PurePath(name)
            candidate = str(path.with_name(f"{path.stem}-{n}{path.suffix}"))
        self.names.add(candidate)
        return candidate

    def add_bytes(self, name: str, data: bytes, description: str) -> None:
        name = self._unique(name)
        self.archive.writestr(name, data)
        self.entries.append(_Entry(name, len(data), hashlib.sha256(data).hexdigest(), description))

    def add_stored(self, name: str, file: FieldFile, description: str) -> None:
        if not file.name or not file.storage.exists(file.name):
            self.missing.append(f"{name}: {description}")
            return
        name = self._unique(name)
        digest, size = hashlib.sha256(), 0
        with file.storage.open(file.name, "rb") as source, self.archive.open(name, "w") as target:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        self.entries.append(_Entry(name, size, digest.hexdigest(), description))

    def add_table(self, stem: str, header: list[str], rows: list[list[Any]], description: str) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[_iso(value) for value in row] for row in rows])
        self.add_bytes(f"{stem}.csv", text.getvalue().encode("utf-8"), description)


def _documents(writer: _Writer, grant: Grant) -> None:
    documents = Document.objects.filter(application_id=grant.application_id).order_by("created_at", "pk")
    for number, document in enumerate(documents, start=1):
        writer.add_stored(
            f"dokumente/{number:02d}-{_safe(document.file_name)}",
            document.file,
            f"{document.get_kind_display()} ({timezone.localdate(document.created_at).isoformat()})",
        )


def _attachments(writer: _Writer, grant: Grant) -> None:
    for attachment in Attachment.objects.filter(application_id=grant.application_id).order_by("pk"):
        writer.add_stored(
            f"anlagen/{attachment.pk}-{_safe(attachment.original_name)}",
            attachment.file,
            str(attachment.get_kind_display()),
        )


def _proofs(writer: _Writer, grant: Grant, proofs: list[ProofOfUse]) -> None:
    for proof in proofs:
        if proof.narrative_file:
            suffix = PurePath(proof.narrative_file_name or "").suffix
            writer.add_stored(
                f"sachberichte/{proof.pk}-sachbericht{suffix}", proof.narrative_file, str(proof)
            )
    receipts = (
        Receipt.objects.filter(proof__grant=grant)
        .select_related("proof", "plan_line")
        .order_by("proof_id", "plan_line__position", "paid_on", "number")
    )
    writer.add_table(
        "belegliste",
        [
            "nachweis",
            "haushaltsjahr",
            "belegnummer",
            "datum",
            "empfaenger_einzahler",
            "grund",
            "betrag",
            "planzeile",
        ],
        [
            [
                r.proof.get_kind_display(),
                r.proof.budget_year or "",
                r.number,
                r.paid_on,
                r.counterparty,
                r.reason,
                r.amount,
                r.plan_line.text or r.plan_line.get_category_display(),
            ]
            for r in receipts
        ],
        "Belegliste aller Verwendungsnachweise",
    )


def _history(writer: _Writer, grant: Grant, proofs: list[ProofOfUse]) -> None:
    entries = grant_timeline(
        grant,
        drawdowns=list(Drawdown.objects.filter(grant=grant).order_by("pk")),
        proofs=proofs,
        reclaims=list(Reclaim.objects.filter(grant=grant).order_by("pk")),
        amendments=list(Amendment.objects.filter(grant=grant).order_by("pk")),
    )
    rows = [
        {
            "zeitpunkt": _iso(e.entry.timestamp),
            "gegenstand": str(e.subject),
            "art": e.kind,
            "schritt": e.entry.transition,
            "von": e.source,
            "nach": e.target,
            "durch": str(e.entry.by) if e.entry.by else "",
            "bemerkung": e.entry.description or "",
        }
        for e in entries
    ]
    header = ["zeitpunkt", "gegenstand", "art", "schritt", "von", "nach", "durch", "bemerkung"]
    writer.add_table("verlauf", header, [[r[k] for k in header] for r in rows], "Verlauf (Statushistorie)")
    writer.add_bytes(
        "verlauf.json",
        json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8"),
        "Verlauf (Statushistorie)",
    )


def _ledger(writer: _Writer, grant: Grant) -> None:
    entries = (
        LedgerEntry.objects.filter(reference=grant.file_number)
        .select_related("envelope__office", "envelope__programme", "actor")
        .order_by("created_at", "pk")
    )
    rows = [
        {
            "gebucht": _iso(e.created_at),
            "haushaltsjahr": e.budget_year,
            "art": e.kind,
            "art_text": e.get_kind_display(),
            "betrag": _iso(e.amount),
            "stelle": e.envelope.office.code,
            "programm": e.envelope.programme.code,
            "haushaltstitel": e.envelope.budget_title,
            "mittelherkunft": e.envelope.funding_source,
            "durch": str(e.actor) if e.actor_id else "",
            "bemerkung": e.comment,
        }
        for e in entries
    ]
    header = list(rows[0]) if rows else ["gebucht", "haushaltsjahr", "art", "art_text", "betrag"]
    writer.add_table(
        "buchungen", header, [[r[k] for k in header] for r in rows], "Buchungen im Haushaltsbuch"
    )
    writer.add_bytes(
        "buchungen.json",
        json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8"),
        "Buchungen im Haushaltsbuch",
    )


def _manifest(grant: Grant, by: User, writer: _Writer, created: datetime) -> bytes:
    application = grant.application
    manifest = {
        "format": FORMAT,
        "erstellt": created.isoformat(),
        "erstellt_von": by.get_username(),
        "aktenzeichen": grant.file_number,
        "antrag": application.reference,
        "titel": grant.title,
        "traeger": grant.organisation.name,
        "programm": grant.programme.name,
        "stelle": grant.office.name,
        "status": grant.get_state_display(),
        "bewilligt": _iso(grant.granted_amount),
        "bewilligungszeitraum": [_iso(grant.period_start), _iso(grant.period_end)],
        "pruefsumme": "SHA-256 über den Inhalt jeder Datei; manifest.json selbst ist nicht enthalten",
        "csv": "RFC 4180, UTF-8, Datumsangaben ISO 8601, Beträge mit Dezimalpunkt",
        "dateien": [
            {"name": e.name, "groesse": e.size, "sha256": e.sha256, "inhalt": e.description}
            for e in writer.entries
        ],
        "fehlende_dateien": writer.missing,
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")


def case_file_zip(*, grant: Grant, by: User) -> CaseFile:
    """The case file of ``grant`` (and its application) as a ZIP in a temporary file.

    The caller streams ``file`` and closes it (a ``FileResponse`` does), which deletes it.
    """
    require(by, EXPORT_CASE_FILE, grant)
    grant = Grant.objects.select_related("application", "organisation", "programme", "office").get(
        pk=grant.pk
    )
    created = timezone.localtime()
    target = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 (closed by the response that streams it)
    try:
        with translation.override("de"), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            writer = _Writer(archive)
            proofs = list(ProofOfUse.objects.filter(grant=grant).select_related("grant").order_by("pk"))
            _documents(writer, grant)
            _attachments(writer, grant)
            _proofs(writer, grant, proofs)
            _history(writer, grant, proofs)
            _ledger(writer, grant)
            archive.writestr(MANIFEST, _manifest(grant, by, writer, created))
    except BaseException:
        target.close()
        raise
    target.seek(0)
    name = f"Akte-{_safe(grant.file_number)}-{created:%Y-%m-%d}.zip"
    return CaseFile(target, name, writer.entries, writer.missing)
