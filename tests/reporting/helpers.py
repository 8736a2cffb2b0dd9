"""Builders for the reporting tests: a Saxon office, a carrier with umlauts in its name and a
plan whose grant is 12.345,67 € per year; PDF text and font extraction."""

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from grants.applications.models import CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_propose_rejection,
    application_reject,
    application_start_formal_check,
    application_submit,
)
from grants.awards.services.award import application_approve
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user

REASONS = (
    "Das Vorhaben fällt nicht unter die Förderziele des Programms.\n\n"
    "Die beantragten Mittel für Öffentlichkeitsarbeit übersteigen den üblichen Umfang."
)


def make_world():
    root = office(name="Bundesamt für Förderung", code="BU", kind="federal", state="NW")
    sn = office(
        parent=root,
        name="Demokratie-Zentrum Sachsen",
        code="SN",
        kind="state",
        state="SN",
        street="Königsbrücker Straße 4",
        postcode="01099",
        city="Dresden",
        email="foerderung@dz-sachsen.example",
    )
    other = office(
        parent=root, name="Landeskoordinierungsstelle Mecklenburg-Vorpommern", code="MV", state="MV"
    )
    officer = UserFactory(first_name="Jürgen", last_name="Weiß")
    approver = UserFactory(first_name="Dörte", last_name="Müller-Lüdenscheidt")
    membership(officer, sn, "case_officer")
    membership(approver, sn, "approver")
    programme = FundingProgrammeFactory(name="Weltoffenes Sachsen für Demokratie und Toleranz", code="WOS")
    envelope(office=sn, programme=programme, budget_year=2026, allocated=Decimal("500000"))
    envelope(office=sn, programme=programme, budget_year=2027, allocated=Decimal("500000"))
    organisation = OrganisationFactory(
        name="Jugendförderverein Görlitz e.V.",
        street="Straße der Jugend 12",
        postcode="02826",
        city="Görlitz",
        contact_person="Björn Schäfer",
    )
    return {
        "root": root,
        "sn": sn,
        "other": other,
        "officer": officer,
        "approver": approver,
        "programme": programme,
        "organisation": organisation,
        "carrier": carrier_user(organisation),
    }


def _plan(application, years):
    """Per year: staff, fees, material, PR (13.680,00 €) covered by own, city and 12.345,67 € grant."""
    for year in years:
        for i, (category, text, amount) in enumerate(
            [
                ("staff", "Projektkoordination (0,25 VZÄ)", "9000.00"),
                ("fees", "Honorare für Workshopleitungen", "2000.00"),
                ("fees", "Honorar Abschlussveranstaltung", "880.00"),
                ("material", "Moderations- und Bastelmaterial", "1100.00"),
                ("public_relations", "Flyer, Plakate und Übersetzungen", "700.00"),
            ]
        ):
            ExpenditureLine.objects.create(
                application=application,
                position=i,
                category=category,
                description=text,
                budget_year=year,
                amount=amount,
            )
        CoverLine.objects.create(
            application=application, kind="own", source="Mitgliedsbeiträge", budget_year=year, amount="684.33"
        )
        CoverLine.objects.create(
            application=application,
            kind="third_party",
            source="Stadt Görlitz",
            budget_year=year,
            amount="650.00",
        )
        CoverLine.objects.create(application=application, kind="grant", budget_year=year, amount="12345.67")


def reviewed_application(world, *, years=(2026,), **kwargs):
    """An application through the content review, ready for a proposal."""
    fields = {
        "title": "Demokratie-Werkstätten für Jugendliche in Görlitz",
        "summary": "Workshops zu Beteiligung, Streitkultur und Medienkompetenz für Jugendliche.",
        "goals": "Jugendliche übernehmen Verantwortung im Jugendbeirat der Stadt.",
        "start_date": date(years[0], 1, 1),
        "end_date": date(years[-1], 12, 31),
    }
    app = ApplicationFactory(
        office=world["sn"],
        programme=world["programme"],
        organisation=world["organisation"],
        **(fields | kwargs),
    )
    _plan(app, years)
    app = application_submit(application=app, by=world["carrier"])
    app = application_start_formal_check(application=app, by=world["officer"])
    return application_complete_formal_check(application=app, by=world["officer"])


def approved(world, **kwargs):
    app = reviewed_application(world, **kwargs)
    instalments = {year: Decimal("12345.67") for year in kwargs.get("years", (2026,))}
    app = application_propose_approval(application=app, by=world["officer"], instalments=instalments)
    return application_approve(application=app, by=world["approver"])


def rejected(world, **kwargs):
    app = reviewed_application(world, **kwargs)
    app = application_propose_rejection(application=app, by=world["officer"], reasons=REASONS)
    return application_reject(application=app, by=world["approver"])


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_fonts(pdf: bytes):
    """(page number, font dict) for every font any page or form XObject uses."""
    reader = PdfReader(io.BytesIO(pdf))

    def walk(resources, page_no):
        resources = resources.get_object() if resources is not None else {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            yield page_no, font
            for descendant in font.get("/DescendantFonts") or []:
                yield page_no, descendant.get_object()
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield from walk(xobject.get("/Resources"), page_no)

    for number, page in enumerate(reader.pages, start=1):
        yield from walk(page.get("/Resources"), number)
