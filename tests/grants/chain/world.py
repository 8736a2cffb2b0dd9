"""A small world of money passed on, built through the real services.

The federal office (BAFzA) grants a municipality (Landkreis Görlitz, the legal body of the
PfD Görlitz office) 100,000 EUR for 2026; the PfD office opens funds from that grant; local
carriers apply for micro-projects. A second PfD (Leipzig) with its own staff stands beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from typing import Any

from budgets.models import CoordinatingOffice, Fund, FundingProgramme, FundKind, FundShareLimit
from grants.applications.models import Application, CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import Grant
from grants.awards.services.award import application_approve
from grants.carriers.models import Organisation
from grants.chain.services.funds import fund_open
from grants.chain.services.microprojects import microproject_create
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user


@dataclass
class ChainWorld:
    federal: CoordinatingOffice
    pfd: CoordinatingOffice
    other_pfd: CoordinatingOffice
    programme: FundingProgramme
    action_kind: FundKind
    youth_kind: FundKind
    municipality: Organisation
    people: dict[str, Any] = field(default_factory=dict)
    grant: Grant | None = None

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    # --- the first recipient's grant -------------------------------------------------------

    def approve_first_grant(self, amount: str = "100000", *, coordination: str | None = None) -> Grant:
        """The federal office grants the municipality ``amount`` for 2026 (full financing):
        coordination and passed-on money as two plan lines."""
        passed_on = D(amount) / 2 if coordination is None else D(amount) - D(coordination)
        app = ApplicationFactory(
            office=self.federal,
            programme=self.programme,
            organisation=self.municipality,
            financing_type="full",
            # Not the factory's sequence: micro-projects take A-2026-<pk> through the service.
            reference="PfD-GR-2026",
            title="Partnerschaft für Demokratie Landkreis Görlitz 2026",
        )
        ExpenditureLine.objects.create(
            application=app,
            position=0,
            category="staff",
            description="Koordinierungs- und Fachstelle",
            budget_year=2026,
            amount=D(amount) - passed_on,
        )
        ExpenditureLine.objects.create(
            application=app,
            position=1,
            category="fees",
            description="Aktions- und Initiativfonds, Jugendfonds",
            budget_year=2026,
            amount=passed_on,
        )
        CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=D(amount))
        app = application_submit(application=app, by=self.municipal_carrier, today=date(2026, 1, 5))
        app = application_start_formal_check(application=app, by=self.federal_officer)
        app = application_complete_formal_check(application=app, by=self.federal_officer)
        app = application_propose_approval(
            application=app, by=self.federal_officer, instalments={2026: D(amount)}
        )
        app = application_approve(application=app, by=self.federal_approver)
        self.grant = app.grant
        return app.grant

    def open_fund(self, kind: FundKind, amount: str, *, max_per_measure: str = "3500", **kwargs: Any) -> Fund:
        assert self.grant is not None
        values = {
            "budget_year": 2026,
            "latest_end_date": date(2026, 11, 30),
            "simple_proof_threshold": D("1000"),
        } | kwargs
        return fund_open(
            grant=self.grant,
            kind=kind,
            amount=D(amount),
            max_per_measure=D(max_per_measure),
            by=self.pfd_officer,
            **values,
        )

    # --- micro-projects --------------------------------------------------------------------

    def micro_project(
        self,
        fund: Fund,
        organisation: Organisation,
        *,
        grant: str,
        own: str = "0",
        end: date = date(2026, 10, 31),
    ) -> Application:
        """A micro-project's application with a balanced plan, submitted and formally checked."""
        carrier = self.carrier_of(organisation)
        app = microproject_create(
            fund=fund,
            organisation=organisation,
            by=carrier,
            title=f"Kleinprojekt von {organisation.name}",
            summary="Ein Nachbarschaftsfest mit Gesprächsrunden.",
            goals="Begegnung und Austausch im Ort.",
            target_groups="Nachbarschaft",
            region="Görlitz",
            start_date=date(2026, 4, 1),
            end_date=end,
            today=date(2026, 3, 1),
        )
        total = D(grant) + D(own)
        ExpenditureLine.objects.create(
            application=app,
            position=0,
            category="fees",
            description="Honorare",
            budget_year=2026,
            amount=total,
        )
        if D(own):
            CoverLine.objects.create(application=app, kind="own", budget_year=2026, amount=D(own))
        CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=D(grant))
        app = application_submit(application=app, by=carrier, today=date(2026, 3, 2))
        app = application_start_formal_check(application=app, by=self.pfd_officer)
        return application_complete_formal_check(application=app, by=self.pfd_officer)

    def carrier_of(self, organisation: Organisation) -> Any:
        user = organisation.members.first()
        return user if user is not None else carrier_user(organisation)


def build_chain_world() -> ChainWorld:
    federal = office(name="BAFzA", short_name="BAFzA", code="BU", kind="federal", state="NW")
    pfd = office(
        parent=federal, name="PfD Landkreis Görlitz", short_name="PfD GR", code="GR", kind="local", state="SN"
    )
    other = office(parent=federal, name="PfD Leipzig", short_name="PfD L", code="L", kind="local", state="SN")
    for node in (federal, pfd, other):
        node.refresh_from_db()
    programme = FundingProgrammeFactory(
        name="Demokratie leben! Partnerschaften",
        code="DLP",
        family="demokratie_leben",
        funding_level="federal",
        max_funding_rate=D("100"),
        min_own_share=D("0"),
        min_grant_per_year=D("0"),
        max_grant_per_year=D("125000"),
    )
    action = FundKind.objects.create(programme=programme, code="AIF", name="Aktions- und Initiativfonds")
    youth = FundKind.objects.create(programme=programme, code="JF", name="Jugendfonds")
    FundShareLimit.objects.create(
        programme=programme, share_group="projects", min_share=D("50"), max_share=D("100")
    )
    FundShareLimit.objects.create(
        programme=programme, share_group="kept", min_share=D("0"), max_share=D("50")
    )
    envelope(office=federal, programme=programme, budget_year=2026, allocated=D("1000000"))
    municipality = OrganisationFactory(
        name="Landkreis Görlitz", legal_form="municipality", runs_office=pfd, city="Görlitz", postcode="02826"
    )
    people: dict[str, Any] = {}
    for name, place, role in [
        ("federal_officer", federal, "case_officer"),
        ("federal_approver", federal, "approver"),
        ("federal_finance", federal, "finance"),
        ("federal_finance2", federal, "finance"),
        ("pfd_officer", pfd, "case_officer"),
        ("pfd_approver", pfd, "approver"),
        ("pfd_finance", pfd, "finance"),
        ("pfd_finance2", pfd, "finance"),
        ("other_pfd_officer", other, "case_officer"),
    ]:
        people[name] = UserFactory(username=name)
        membership(people[name], place, role)
    people["municipal_carrier"] = carrier_user(municipality, username="landkreis")
    return ChainWorld(
        federal=federal,
        pfd=pfd,
        other_pfd=other,
        programme=programme,
        action_kind=action,
        youth_kind=youth,
        municipality=municipality,
        people=people,
    )
