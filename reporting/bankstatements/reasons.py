"""Return reason codes of SEPA credit transfers (ISO 20022 ExternalReturnReason1Code), named.

The codes a bank uses in ``RtrInf/Rsn/Cd`` of a returned transfer (EPC SCT rulebook,
DK "Rückgabegründe"); a code not listed is shown as it came.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RETURN_REASONS = {
    "AC01": gettext_lazy("Account identifier incorrect (invalid IBAN)"),
    "AC04": gettext_lazy("Account closed"),
    "AC06": gettext_lazy("Account blocked"),
    "AC13": gettext_lazy("Debtor account is a consumer account"),
    "AG01": gettext_lazy("Transaction forbidden on this account"),
    "AG02": gettext_lazy("Invalid bank operation code"),
    "AM05": gettext_lazy("Duplicate payment"),
    "BE04": gettext_lazy("Creditor address missing or incorrect"),
    "CNOR": gettext_lazy("Creditor bank is not registered under this BIC"),
    "DNOR": gettext_lazy("Debtor bank is not registered under this BIC"),
    "ERIN": gettext_lazy("Extended remittance information not supported"),
    "FF01": gettext_lazy("Invalid file format"),
    "FOCR": gettext_lazy("Returned after a cancellation request"),
    "MD07": gettext_lazy("Account holder deceased"),
    "MS02": gettext_lazy("Refused by the payee (reason not given)"),
    "MS03": gettext_lazy("Reason not given by the bank"),
    "RC01": gettext_lazy("Bank identifier incorrect (invalid BIC)"),
    "RR01": gettext_lazy("Regulatory reason: debtor account or identification missing"),
    "RR02": gettext_lazy("Regulatory reason: debtor name or address missing"),
    "RR03": gettext_lazy("Regulatory reason: creditor name or address missing"),
    "RR04": gettext_lazy("Regulatory reason"),
    "TM01": gettext_lazy("Received after the bank's cut-off time"),
}


def return_reason(code: str) -> str:
    """``AC04 (Konto erloschen)``: the code with its name, or the bare code when unknown."""
    code = (code or "").strip().upper()
    if not code:
        return _("no reason code")
    name = RETURN_REASONS.get(code)
    return f"{code} ({name})" if name else code
