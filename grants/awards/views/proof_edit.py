"""The carrier's work on a proof of use: narrative, statement, receipts and the receipt import.

The import is two steps: a dry run shows every row's result (bad rows with their line number
in the file); the checked file is kept in the session until the carrier confirms it. A file
too large for a web request (``SYNC_LIMITS``) is checked and imported by a worker instead
(``core.imports``), on a page of its own that shows the progress; a file too large for a
worker too (``LIMITS``) is refused with the limit it exceeds.
"""

from __future__ import annotations

import base64
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.confirm import confirm_page, is_confirmed
from core.errors import DomainError
from core.formatting import format_date, format_eur
from core.imports import import_job_confirm, import_job_create, progress
from core.models import ImportJob
from core.tabular import TableTooLarge, check_size
from core.views import table_template_download
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.forms import NarrativeForm, ReceiptForm, ReceiptImportForm, StatementForm
from grants.awards.models import PlanVersionLine, ProofOfUse
from grants.awards.services import proof as proof_services
from grants.awards.services.proof.overview import proof_overview
from grants.awards.services.proof.receipt_import import JOB_KIND, LIMITS, TEMPLATE
from grants.awards.tasks import enqueue_receipt_import
from grants.awards.views.proofs import can_edit, proof_page_context, require_editor, visible_proof


def _session_key(proof_pk: int) -> str:
    return f"receipt_import_{proof_pk}"


def _back(grant_pk: int, proof_pk: int, anchor: str = "") -> HttpResponse:
    response = redirect("proof_detail", pk=grant_pk, proof_pk=proof_pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def proof_narrative(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    form = NarrativeForm(request.POST, request.FILES, auto_id="id_narrative_%s")
    if not form.is_valid():
        context = proof_page_context(request, grant, proof, narrative_form=form)
        return render(request, "grants/grant_proof_detail.html", context)
    try:
        proof = proof_services.proof_update(
            proof=proof, by=request.user, narrative=form.cleaned_data["narrative"]
        )
        if form.cleaned_data.get("narrative_file"):
            proof_services.proof_narrative_upload(
                proof=proof, by=request.user, upload=form.cleaned_data["narrative_file"]
            )
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("The narrative report was saved."))
    return _back(grant.pk, proof_pk, "narrative")


@login_required
@require_POST
def proof_statement(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    overview = proof_overview(proof)
    form = StatementForm(
        request.POST,
        plan_lines=overview.stated_lines,
        labels=overview.labels,
        unplanned=overview.unplanned,
        auto_id="id_st_%s",
    )
    if not form.is_valid():
        messages.error(request, _("Please correct the marked entries."))
        context = proof_page_context(request, grant, proof, statement_form=form)
        return render(request, "grants/grant_proof_detail.html", context)
    try:
        proof_services.proof_statement_replace(
            proof=proof, by=request.user, lines=[proof_services.StatementEntry(**e) for e in form.entries()]
        )
    except DomainError as error:
        show_domain_error(request, error)
        context = proof_page_context(request, grant, proof, statement_form=form)
        return render(request, "grants/grant_proof_detail.html", context)
    messages.success(request, _("The numerical statement was saved."))
    return _back(grant.pk, proof_pk, "statement")


def _receipt_form(
    proof: ProofOfUse, data: QueryDict | None = None
) -> tuple[ReceiptForm, dict[int, PlanVersionLine]]:
    overview = proof_overview(proof)
    form = ReceiptForm(data, lines=overview.expenditure_labels, auto_id="id_receipt_%s")
    return form, {row.line.pk: row.line for row in overview.rows}


@login_required
@require_POST
def receipt_add(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    form, lines = _receipt_form(proof, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["plan_line"] = lines.get(data["plan_line"])
        try:
            proof_services.receipt_add(proof=proof, by=request.user, **data)
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("Receipt %(number)s was added.") % {"number": data["number"]})
            return _back(grant.pk, proof_pk, "receipts")
    context = proof_page_context(request, grant, proof, receipt_form=form)
    return render(request, "grants/grant_proof_detail.html", context)


@login_required
def receipt_edit(request: AuthenticatedRequest, pk: int, proof_pk: int, receipt_pk: int) -> HttpResponse:
    """Change one receipt (every field), with the same rules as adding one."""
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    receipt = get_object_or_404(proof.receipts.select_related("plan_line"), pk=receipt_pk)
    receipt.proof = proof
    if not can_edit(request.user, grant, proof):
        raise PermissionDenied(
            _(
                "The receipt list can only be changed while the proof of use is a draft or sent back for changes."
            )
        )
    initial = {
        "number": receipt.number,
        "paid_on": receipt.paid_on,
        "counterparty": receipt.counterparty,
        "reason": receipt.reason,
        "amount": receipt.amount,
        "plan_line": receipt.plan_line_id,
    }
    form, lines = _receipt_form(proof, request.POST if request.method == "POST" else None)
    if request.method != "POST":
        form.initial = initial
    elif form.is_valid():
        data = dict(form.cleaned_data)
        data["plan_line"] = lines.get(data["plan_line"])
        try:
            proof_services.receipt_update(receipt=receipt, by=request.user, **data)
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("Receipt %(number)s was changed.") % {"number": data["number"]})
            return _back(grant.pk, proof_pk, "receipts")
    return render(
        request,
        "grants/grant_receipt_edit.html",
        {"grant": grant, "proof": proof, "receipt": receipt, "form": form},
    )


@login_required
@require_GET
def proof_narrative_file(request: AuthenticatedRequest, pk: int, proof_pk: int) -> FileResponse:
    """The narrative report's file, for everyone who may see the grant (like attachments)."""
    _grant, proof = visible_proof(request, pk, proof_pk)
    if not proof.narrative_file:
        raise Http404
    try:
        handle = proof.narrative_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = proof.narrative_file_name or "Sachbericht"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def receipt_delete(request: AuthenticatedRequest, pk: int, proof_pk: int, receipt_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    receipt = get_object_or_404(proof.receipts.all(), pk=receipt_pk)
    receipt.proof = proof
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Delete receipt %(number)s?") % {"number": receipt.number},
            consequence=_(
                "The receipt is removed from the receipt list of this proof of use; the expenditure it proves falls by %(amount)s. This cannot be undone."
            )
            % {"amount": format_eur(receipt.amount)},
            facts=[
                (_("Receipt number"), receipt.number),
                (_("Date"), format_date(receipt.paid_on)),
                (_("Payee or payer"), receipt.counterparty),
                (_("Reason for payment"), receipt.reason),
                (_("Amount"), format_eur(receipt.amount)),
                (_("Plan line"), str(receipt.plan_line)),
            ],
            button=_("Delete the receipt"),
            cancel_url=reverse("proof_detail", args=[grant.pk, proof.pk]) + "#receipts",
        )
    try:
        proof_services.receipt_delete(receipt=receipt, by=request.user)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("Receipt %(number)s was deleted.") % {"number": receipt.number})
    return _back(grant.pk, proof_pk, "receipts")


@login_required
@require_GET
def receipt_import_template(request: AuthenticatedRequest, pk: int, proof_pk: int, fmt: str) -> HttpResponse:
    """The receipt list template (XLSX or CSV) with the columns the import reads."""
    visible_proof(request, pk, proof_pk)
    return table_template_download(TEMPLATE, fmt)


@login_required
@require_POST
def receipt_import(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    """Step 1: check the uploaded file (dry run) and keep it for the confirmation."""
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    form = ReceiptImportForm(request.POST, request.FILES, auto_id="id_import_%s")
    report = None
    pending = False
    if form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(LIMITS.max_bytes + 1)  # never more than the largest file taken
        replace = form.cleaned_data["replace"]
        try:
            try:
                report = proof_services.receipts_import(
                    proof=proof,
                    by=request.user,
                    content=content,
                    file_name=upload.name,
                    dry_run=True,
                    replace=replace,
                )
            except TableTooLarge:
                # Too large for a web request: a worker checks it, if it is not too large for one too.
                check_size(content, upload.name, LIMITS)
                job = import_job_create(
                    kind=JOB_KIND,
                    by=request.user,
                    content=content,
                    file_name=upload.name,
                    dry_run=True,
                    enqueue=enqueue_receipt_import,
                    target_id=proof.pk,
                    options={"replace": replace},
                )
                return redirect("receipt_import_job", pk=grant.pk, proof_pk=proof.pk, job_pk=job.pk)
        except DomainError as error:
            show_domain_error(request, error)
        else:
            if report.ok:
                request.session[_session_key(proof.pk)] = {
                    "name": upload.name,
                    "content": base64.b64encode(content).decode("ascii"),
                    "replace": replace,
                }
                pending = True
                messages.info(
                    request, _("All rows are valid. Confirm the import to add them to the receipt list.")
                )
            else:
                request.session.pop(_session_key(proof.pk), None)
                messages.error(
                    request,
                    _("%(bad)s of %(total)s rows have errors; nothing was imported.")
                    % {"bad": len(report.bad_rows), "total": len(report.rows)},
                )
    context = proof_page_context(
        request, grant, proof, import_form=form, import_report=report, import_pending=pending
    )
    return render(request, "grants/grant_proof_detail.html", context)


@login_required
@require_POST
def receipt_import_confirm(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    """Step 2: import the file checked in step 1 (checked again: all or nothing)."""
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    pending = request.session.pop(_session_key(proof.pk), None)
    if not pending:
        messages.error(request, _("There is no checked file to import. Please upload it again."))
        return _back(grant.pk, proof_pk, "import")
    try:
        report = proof_services.receipts_import(
            proof=proof,
            by=request.user,
            content=base64.b64decode(pending["content"]),
            file_name=pending["name"],
            dry_run=False,
            replace=pending["replace"],
        )
    except DomainError as error:
        show_domain_error(request, error)
        return _back(grant.pk, proof_pk, "import")
    if not report.ok:
        messages.error(request, _("The receipt list changed since the check; nothing was imported."))
        context = proof_page_context(request, grant, proof, import_report=report)
        return render(request, "grants/grant_proof_detail.html", context)
    messages.success(request, _("%(count)s receipts were imported.") % {"count": report.created})
    return _back(grant.pk, proof_pk, "receipts")


@login_required
@require_http_methods(["GET", "POST"])
def receipt_import_job(request: AuthenticatedRequest, pk: int, proof_pk: int, job_pk: int) -> HttpResponse:
    """A receipt list too large for a web request, checked (then imported) by a worker."""
    grant, proof = visible_proof(request, pk, proof_pk)
    require_editor(request.user, grant, proof)
    job = get_object_or_404(ImportJob, pk=job_pk, kind=JOB_KIND, target_id=proof.pk, created_by=request.user)
    if request.method == "POST":
        try:
            job = import_job_confirm(job=job, by=request.user, enqueue=enqueue_receipt_import)
        except DomainError as error:
            show_domain_error(request, error)
        return redirect("receipt_import_job", pk=grant.pk, proof_pk=proof.pk, job_pk=job.pk)
    done, total = progress(job)
    back = reverse("proof_detail", args=[grant.pk, proof.pk])
    context = {
        "grant": grant,
        "proof": proof,
        "job": job,
        "done": done,
        "total": total,
        "restart_url": f"{back}#import",
        "finished_url": f"{back}#receipts",
    }
    template = (
        "includes/import_job.html"
        if request.headers.get("HX-Request")
        else "grants/grant_receipt_import_job.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response
