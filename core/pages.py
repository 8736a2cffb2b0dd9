"""Pages for everyone, logged in or not: the glossary of the legal terms and the accessibility
statement (Erklärung zur Barrierefreiheit, BITV 2.0 § 7) with its feedback form.

The glossary states only what the service does; its figures are the defaults a programme may
change (the grant notice names the values that apply to a grant). Field help on the forms links
to an entry by its anchor (``glossary_url``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.formatting import format_date
from core.ratelimit import client_address, hits_this_hour

# When the statement was prepared and last reviewed (BITV 2.0 § 7 (1) no. 4); update on review.
STATEMENT_PREPARED_ON = date(2026, 12, 4)
ENFORCEMENT_URL = "https://www.schlichtungsstelle-bgg.de"


@dataclass(frozen=True)
class Term:
    anchor: str
    title: str | Promise
    text: str | Promise


# Anchors are German (they show in the address bar of a German service) and stable: field help
# links to them.
GLOSSARY = (
    Term(
        "finanzierungsplan",
        gettext_lazy("Financing plan (Finanzierungsplan)"),
        gettext_lazy(
            "The expenditure lines of a project (category, text, amount, budget year) and how they "
            "are covered: own funds, third-party funds and income, and the requested grant. The plan "
            "must balance: total expenditure = own funds + third-party funds + grant."
        ),
    ),
    Term(
        "eigenmittel",
        gettext_lazy("Own funds and third-party funds (Eigenmittel, Drittmittel)"),
        gettext_lazy(
            "Own funds are the carrier's own money. Third-party funds and income are money from "
            "others for the project, including municipal co-financing. A programme may require a "
            "minimum own or co-financing share; the check of an application names its share and "
            "the minimum."
        ),
    ),
    Term(
        "finanzierungsart",
        gettext_lazy("Financing type (Finanzierungsart)"),
        gettext_lazy(
            "How the grant relates to the costs: share, deficit, fixed-amount or full financing. "
            "Each programme allows some of them; the grant notice names the one that applies. It "
            "decides how the final grant is calculated when the proof of use is settled."
        ),
    ),
    Term(
        "anteilfinanzierung",
        gettext_lazy("Share financing (Anteilfinanzierung)"),
        gettext_lazy(
            "The grant is a fixed share of the eligible costs. At settlement: granted amount × "
            "(recognised expenditure − the amount by which actual own and third-party funds exceed "
            "the planned ones) ÷ planned expenditure, at most the granted amount. Lower costs lower "
            "the grant in proportion."
        ),
    ),
    Term(
        "fehlbedarfsfinanzierung",
        gettext_lazy("Deficit financing (Fehlbedarfsfinanzierung)"),
        gettext_lazy(
            "The grant covers the gap that remains after own and third-party funds. At settlement: "
            "recognised expenditure − the higher of planned and actual own funds − actual "
            "third-party funds, at most the granted amount. Additional income lowers the grant in "
            "full."
        ),
    ),
    Term(
        "festbetragsfinanzierung",
        gettext_lazy("Fixed-amount financing (Festbetragsfinanzierung)"),
        gettext_lazy(
            "The grant is a fixed amount. At settlement the grant is the recognised expenditure, at "
            "most the granted amount: it is lowered only when less than that amount was spent."
        ),
    ),
    Term(
        "vollfinanzierung",
        gettext_lazy("Full financing (Vollfinanzierung)"),
        gettext_lazy(
            "Exceptionally, the grant covers all eligible costs. At settlement: recognised "
            "expenditure − actual third-party funds, at most the granted amount."
        ),
    ),
    Term(
        "zwanzig-prozent-regel",
        gettext_lazy("Overrun tolerance (20 % rule)"),
        gettext_lazy(
            "The financing plan is binding in total. A single line may be exceeded by up to 20 % "
            "(the grant notice may set another percentage) when savings on other lines pay for it. "
            "Recognised per line: the actual amount, at most the planned amount plus the tolerance; "
            "in total at most the planned total. A line that was not in the plan counts as planned "
            "at 0. Larger shifts need an amendment before they happen."
        ),
    ),
    Term(
        "aenderungsantrag",
        gettext_lazy("Amendment (Änderungsantrag)"),
        gettext_lazy(
            "Before a deviation happens, the carrier may ask to shift money between lines beyond "
            "the tolerance, between years, or to extend the period. The office approves it with "
            "four eyes in an amendment notice (Änderungsbescheid); every version of the plan is kept."
        ),
    ),
    Term(
        "vier-augen-prinzip",
        gettext_lazy("Four-eyes principle"),
        gettext_lazy(
            "A case officer proposes a decision; a different person with the approver role takes "
            "it. Likewise, the person who certifies a drawdown never issues its payment order."
        ),
    ),
    Term(
        "zuwendungsbescheid",
        gettext_lazy("Grant notice (Zuwendungsbescheid)"),
        gettext_lazy(
            "The written approval: recipient, purpose, approval period, financing type, maximum "
            "amount, share in %, annual instalments, the financing plan, the general conditions "
            "(ANBest-P) and the instructions on legal remedies."
        ),
    ),
    Term(
        "bestandskraft",
        gettext_lazy("Finality (Bestandskraft)"),
        gettext_lazy(
            "A posted notice counts as received on the 4th day after posting. The carrier may object "
            "within one month of receipt; when that month ends on a Saturday, Sunday or public "
            "holiday of the office's state, it ends on the next working day. The notice becomes "
            "final on the day after the period ends, or at once when the carrier waives the "
            "objection (Rechtsbehelfsverzicht). Some programmes pay out only once the notice is final."
        ),
    ),
    Term(
        "vorzeitiger-massnahmebeginn",
        gettext_lazy("Early start (vorzeitiger Maßnahmebeginn)"),
        gettext_lazy(
            "There is no grant for a project already begun (a contract for supplies or services was "
            "signed). The office may permit an early start from a date; the permission promises no "
            "grant. Costs before that date, or without a permission before the notice, are not "
            "eligible."
        ),
    ),
    Term(
        "mittelabruf",
        gettext_lazy("Drawdown (Mittelabruf)"),
        gettext_lazy(
            "The carrier asks for money it needs for payments due within a window after payout: "
            "6 weeks for federal money, 2 months in most states (the grant notice names the "
            "window). A request cannot exceed the year's instalment minus what was already "
            "requested or paid."
        ),
    ),
    Term(
        "sachlich-und-rechnerisch-richtig",
        gettext_lazy("Factually and arithmetically correct (sachlich und rechnerisch richtig)"),
        gettext_lazy(
            "A case officer's certification of a drawdown request: the money is needed for the "
            "purpose and the figures are right. Then a different person in finance issues the "
            "payment order (Auszahlungsanordnung). Nobody orders a payment they certified, or a "
            "payment to themselves."
        ),
    ),
    Term(
        "zwischennachweis",
        gettext_lazy("Interim proof (Zwischennachweis)"),
        gettext_lazy(
            "For every budget year in which the project is still running; due 4 months after the "
            "end of the budget year, i.e. on 30 April (the grant notice may set another period)."
        ),
    ),
    Term(
        "verwendungsnachweis",
        gettext_lazy("Proof of use (Verwendungsnachweis)"),
        gettext_lazy(
            "At the end of the project: a narrative report (Sachbericht), a numerical statement "
            "(actual expenditure per plan line and actual cover) and a receipt list. Due at the end "
            "of the 6th month after the month in which the approval period ends (the grant notice "
            "may set another period)."
        ),
    ),
    Term(
        "belegliste",
        gettext_lazy("Receipt list (Belegliste)"),
        gettext_lazy(
            "One row per payment: receipt number, date, payee or payer, reason, amount and plan "
            "line. It is entered on the proof page or imported from an XLSX or CSV file; that page "
            "offers a template with the columns the import accepts."
        ),
    ),
    Term(
        "rueckforderung",
        gettext_lazy("Reclaim and interest (Rückforderung, Zinsen)"),
        gettext_lazy(
            "When more was paid than the final grant, the difference is reclaimed by written "
            "decision. It bears interest at the base rate plus 5 percentage points a year, from the "
            "date the grant became ineffective until the day before the repayment arrives "
            "(§ 49a VwVfG). Interest may be waived with a reason."
        ),
    ),
)
ANCHORS = frozenset(term.anchor for term in GLOSSARY)


def glossary_url(anchor: str) -> str:
    """The address of one glossary entry, for field help; an unknown anchor is a programming error."""
    if anchor not in ANCHORS:
        raise ValueError(f"No glossary entry “{anchor}”.")
    return f"{reverse('glossary')}#{anchor}"


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "core/glossary.html", {"terms": GLOSSARY})


class AccessibilityFeedbackForm(forms.Form):
    """Feedback on barriers (BITV 2.0 § 7 (1) no. 3): sent by e-mail to the accessibility contact."""

    message = forms.CharField(
        label=gettext_lazy("Which barrier did you meet, and on which page?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    page = forms.CharField(
        label=gettext_lazy("Address of the page (optional)"), max_length=500, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address (optional)"),
        required=False,
        help_text=gettext_lazy("Only if you would like an answer."),
    )


def _feedback_send(*, data: dict[str, str]) -> None:
    body = "\n\n".join(
        [
            data["message"],
            _("Page: %(page)s") % {"page": data.get("page") or "—"},
            _("Reply to: %(email)s") % {"email": data.get("email") or "—"},
        ]
    )
    send_mail(
        subject=_("Accessibility feedback (Förderverwaltung)"),
        message=body,
        from_email=None,
        recipient_list=[settings.ACCESSIBILITY_CONTACT_EMAIL],
    )


def _feedback_limited(request: HttpRequest) -> bool:
    """The form sends e-mail for anyone: a flood from one address stops at the hourly limit."""
    hits = hits_this_hour(f"a11y-feedback:{client_address(request)}")
    return hits > settings.ACCESSIBILITY_FEEDBACK_PER_HOUR


@require_http_methods(["GET", "POST"])
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement and the feedback form (open to everyone, also logged out)."""
    form = AccessibilityFeedbackForm(request.POST or None, initial={"page": request.GET.get("seite", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        if not _feedback_limited(request):
            _feedback_send(data=form.cleaned_data)
            messages.success(request, _("Thank you: your feedback was sent to the accessibility contact."))
            return redirect(reverse("accessibility") + "#feedback")
        form.add_error(
            None,
            _(
                "Too many messages from your address: please try again in an hour, or write an e-mail to %(email)s."
            )
            % {"email": settings.ACCESSIBILITY_CONTACT_EMAIL},
        )
        status = 429
    context = {
        "form": form,
        "prepared_on": format_date(STATEMENT_PREPARED_ON),
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "enforcement_url": ENFORCEMENT_URL,
    }
    return render(request, "core/accessibility.html", context, status=status)
