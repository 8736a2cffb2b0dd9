"""Two finance officers import the same statement at the same moment (PostgreSQL row locks).

Both pass the "imported before?" check while neither has committed; the second then waits on
the unique statement key of the first and is refused in German. The repayment and the return
are booked once, and nothing deadlocks (the statement row comes before any grant lock).
"""

from __future__ import annotations

import pytest

from budgets.models import LedgerEntry
from grants.awards.models import Repayment
from grants.awards.payments.models import Drawdown
from reporting.bankstatements.models import BankStatement, StatementLine
from reporting.bankstatements.services import bank_statement_import
from tests.grants.test_races import race
from tests.grants.test_services_reclaim import world as world
from tests.reporting.bankstatements.test_bank_statements import books as books
from tests.reporting.bankstatements.test_bank_statements import clock as clock
from tests.reporting.bankstatements.test_bank_statements import v02

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REFUSALS = (
    "Dieser Kontoauszug wurde im selben Moment von jemand anderem importiert; es wurde nichts erneut importiert.",
    "wurde bereits am 17.02.2025 von",
)


@pytest.fixture(autouse=True)
def _base_rates():
    # A transactional test before this one may have flushed the base rates the data migration
    # wrote; the amount owed (interest) is computed from them, so they are put back.
    from importlib import import_module

    from grants.awards.models import BaseRate

    for valid_from, rate in import_module("grants.migrations.0003_base_rates").BASE_RATES:
        BaseRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": rate})


def test_the_same_statement_imported_twice_at_once_books_once(world, books):
    data = v02(books).read()
    sn = world["sn"]

    def importing(user):
        return lambda: bank_statement_import(data=data, file_name="auszug.xml", office=sn, by=user)

    results, refusals, unexpected = race(importing(world["finance"]), importing(world["finance2"]))
    assert unexpected == []
    assert len(results) == 1 and len(refusals) == 1
    assert any(part in refusals[0] for part in REFUSALS), refusals
    assert BankStatement.objects.count() == 1 and StatementLine.objects.count() == 3
    assert Repayment.objects.filter(reclaim=books["reclaim"]).count() == 1
    assert Drawdown.objects.get(pk=books["drawdown"].pk).state == "ordered"
    assert LedgerEntry.objects.filter(kind="disbursement", amount=-books["drawdown"].amount).count() == 1
