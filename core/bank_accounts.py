"""Bank accounts a SEPA credit transfer can use: the IBAN check and the SEPA character set.

Shared by the payees' accounts (reporting's SEPA file) and the paying accounts of the offices
(budgets): both must be accounts a bank accepts, checked the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from text_unidecode import unidecode

NAME_LENGTH = 70  # Max70Text (names)

# German banks read the DK convention (ä → ae …) better than a stripped "a"; whatever is left
# outside the EPC's Latin character set (which every SEPA bank must accept) becomes a space.
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "&": "+"}
)
_NOT_EPC = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


class AccountError(ValueError):
    """An IBAN (or BIC) that cannot be paid to or from; ``str(exc)`` is the technical reason."""


@dataclass(frozen=True)
class Account:
    name: str
    iban: str
    bic: str  # empty: IBAN only (allowed in SEPA)


def sepa_text(value: str, max_length: int) -> str:
    """``value`` in the SEPA character set, German umlauts written out, at most ``max_length``."""
    text = _NOT_EPC.sub(" ", unidecode(value.translate(_GERMAN)))
    return " ".join(text.split())[:max_length].strip()


def checked_account(*, name: str, iban: str, bic: str = "") -> Account:
    """An account that a SEPA credit transfer can use, or ``AccountError``.

    The IBAN is checked by schwifty (structure, length, check digits, national BBAN rules) and
    must lie in the SEPA zone. The BIC comes from the bank code (German banks: the Bundesbank's
    bank-code register that schwifty ships); an unknown German bank code is refused, because
    such an IBAN would bounce. Outside Germany a missing BIC is fine: SEPA is IBAN-only.
    """
    try:
        account = IBAN(iban, validate_bban=True)
    except SchwiftyException as exc:
        raise AccountError(str(exc)) from exc
    if not account.in_sepa_zone:
        raise AccountError(f"{account.country_code} is not in the SEPA zone")
    derived = account.bic
    if bic:
        bic = bic.replace(" ", "").upper()
    elif derived is not None:
        bic = str(derived)
    elif account.country_code == "DE":
        raise AccountError(f"unknown German bank code {account.bank_code}")
    return Account(name=sepa_text(name, NAME_LENGTH), iban=account.compact, bic=bic)
