"""Loading the demo world, idempotently, through the same services the application uses.

Everything is keyed on natural keys (programme and office codes, usernames, carrier names,
(carrier, title) for applications), so running the seed again creates nothing twice. An
application that exists already is left as it is: its history is never replayed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from schwifty import IBAN

from accounts.models import User
from budgets.models import CoordinatingOffice, FundingProgramme, OfficeMembership
from demo.budgets import seed_budget_envelopes
from demo.chain_people import CHAIN_CARRIERS, CHAIN_USERS, LEGAL_BODIES
from demo.people import CARRIERS, OFFICE_STAFF, USERS
from demo.plan import build_plan, concept_pdf
from demo.projects import PROJECTS, Project
from demo.world import DEMO_PASSWORD, OFFICES, PROGRAMMES
from grants.applications.models import Application
from grants.applications.services.application import (
    application_complete_formal_check,
    application_create,
    application_propose_approval,
    application_propose_rejection,
    application_reject,
    application_request_revision,
    application_return_proposal,
    application_start_formal_check,
    application_submit,
    application_update,
    application_withdraw,
    default_instalments,
    financing_plan_replace,
)
from grants.applications.services.attachment import attachment_add
from grants.awards.services.award import application_approve
from grants.carriers.models import Organisation, OrganisationMembership


@dataclass
class World:
    programmes: dict[str, FundingProgramme] = field(default_factory=dict)
    offices: dict[str, CoordinatingOffice] = field(default_factory=dict)
    carriers: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    created_applications: int = 0


def seed_world() -> World:
    """Programmes, offices, people and carriers; then budgets; then the applications."""
    world = World()
    world.programmes = _seed_programmes()
    world.offices = _seed_offices()
    world.carriers = _seed_carriers(world.offices)
    world.users = _seed_users(world)
    _seed_budgets(world)
    world.created_applications = _seed_applications(world)
    return world


# --- master data ------------------------------------------------------------------------------


def _seed_programmes() -> dict[str, FundingProgramme]:
    programmes = {}
    for spec in PROGRAMMES:
        values = dict(spec)
        code = values.pop("code")
        programme, _created = FundingProgramme.objects.update_or_create(code=code, defaults=values)
        programme.full_clean()
        programmes[code] = programme
    return programmes


def _seed_offices() -> dict[str, CoordinatingOffice]:
    for spec in OFFICES:
        values = dict(spec)
        code, parent_code = values.pop("code"), values.pop("parent")
        office = CoordinatingOffice.objects.filter(code=code).first()
        if office is not None:
            changed = [k for k, v in values.items() if getattr(office, k) != v]
            for key in changed:
                setattr(office, key, values[key])
            if changed:
                office.save(update_fields=changed)
        elif parent_code is None:
            CoordinatingOffice.objects.add_root(create_kwargs={"code": code, **values})
        else:
            # Fetched afresh: inserting a sorted sibling may have moved the parent's path.
            parent = CoordinatingOffice.objects.get(code=parent_code)
            CoordinatingOffice.objects.add_child(parent, create_kwargs={"code": code, **values})
    codes = [spec["code"] for spec in OFFICES]
    return {office.code: office for office in CoordinatingOffice.objects.filter(code__in=codes)}


def _seed_carriers(offices: dict[str, CoordinatingOffice]) -> dict[str, Organisation]:
    """The carriers of ``demo.people`` and of the PfD world (``demo.chain_people``); a district
    or city that is the legal body of a PfD office runs it (``runs_office``)."""
    runs = {name: offices[code] for code, name in LEGAL_BODIES.items()}
    carriers = {}
    for spec in [*CARRIERS, *CHAIN_CARRIERS]:
        values = dict(spec)
        name, bank_code, account = values.pop("name"), values.pop("bank_code"), values.pop("account")
        values["iban"] = str(IBAN.generate("DE", bank_code=bank_code, account_code=account))
        values.setdefault("account_holder", name)
        values.setdefault("confidential", False)
        values["runs_office"] = runs.get(name)
        organisation, _created = Organisation.objects.update_or_create(name=name, defaults=values)
        organisation.full_clean()
        carriers[name] = organisation
    return carriers


def demo_email(first_name: str, last_name: str) -> str:
    """``Jürgen Hoffmann`` → ``juergen.hoffmann@example.org``."""
    text = f"{first_name}.{last_name}".lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z.\-]", "", ascii_text) + "@example.org"


FINANCE_GROUP = "Haushalt/Kasse"


def _finance_group() -> Group:
    """Finance maintains the base-rate table (DOMAIN.md §4.3) in the admin, and nothing else there."""
    group, _created = Group.objects.get_or_create(name=FINANCE_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="grants",
            codename__in=("view_baserate", "add_baserate", "change_baserate"),
        )
    )
    return group


def _seed_users(world: World) -> dict[str, User]:
    """The people of the login table (``USERS``) and those the PfD stories need besides."""
    users = {}
    finance_group = _finance_group()
    # One hash for everyone: a demo password hashed sixty times would cost the seed seconds.
    password = make_password(DEMO_PASSWORD)
    for spec in [*USERS, *CHAIN_USERS]:
        user, _created = User.objects.get_or_create(username=spec["username"])
        user.first_name, user.last_name = spec["first_name"], spec["last_name"]
        user.email = demo_email(spec["first_name"], spec["last_name"])
        is_finance = any(role == "finance" for _code, role in spec.get("offices", ()))
        user.is_superuser = bool(spec.get("superuser"))
        user.is_staff = user.is_superuser or is_finance
        user.is_active = True
        # Always reset: re-running the seed restores the documented demo login.
        user.password = password
        user.save()
        if is_finance:
            user.groups.add(finance_group)
        for code, role in spec.get("offices", ()):
            OfficeMembership.objects.get_or_create(user=user, office=world.offices[code], role=role)
        for name in spec.get("carriers", ()):
            OrganisationMembership.objects.get_or_create(user=user, organisation=world.carriers[name])
        users[user.username] = user
    return users


def _seed_budgets(world: World) -> None:
    """Budget envelopes for the offices and programmes the demo applications use (issue 3).

    Created before any application moves, because approval commits each annual instalment
    against the envelope of the application's office or the nearest office above it. Some
    offices are left nearly exhausted so the dashboard has something to show.
    """
    seed_budget_envelopes(by=world.users["admin"])


# --- applications -----------------------------------------------------------------------------

BASE_PATHS: dict[str, list[str]] = {
    "draft": [],
    "submitted": ["submit"],
    "formal_check": ["submit", "start"],
    "content_review": ["submit", "start", "complete"],
    "revision_requested": ["submit", "start", "revise"],
    "approval_proposed": ["submit", "start", "complete", "propose"],
    "rejection_proposed": ["submit", "start", "complete", "propose_rejection"],
    "approved": ["submit", "start", "complete", "propose", "approve"],
    "rejected": ["submit", "start", "complete", "propose_rejection", "reject"],
    "withdrawn": ["submit", "withdraw"],
}


def workflow_path(project: Project) -> list[str]:
    """The steps that bring ``project`` from a draft to its demo state."""
    path = list(BASE_PATHS[project.state])
    if project.variant == "loop":
        path = ["submit", "start", "revise", "resubmit", *path[1:]]
    elif project.variant == "returned":
        i = path.index("propose") + 1
        path[i:i] = ["return", "propose"]
    elif project.variant == "early":
        path.remove("complete")
    elif project.variant == "after_check":
        path.insert(1, "start")
    return path


COMMENTS = {
    "start": "Eingang bestätigt; formale Prüfung begonnen.",
    "complete": "Unterlagen vollständig, Träger antragsberechtigt, Antrag fristgerecht eingegangen.",
    "revise": "Bitte reichen Sie den aktuellen Freistellungsbescheid des Finanzamts nach.",
    "revise_again": "Vielen Dank für die Ergänzungen. Es fehlt noch die unterschriebene Fassung; bitte reichen Sie sie nach.",
    "resubmit": "Unterlagen wie erbeten nachgereicht (siehe Anlage „Nachreichung“).",
    "propose": "Vorhaben entspricht dem Förderzweck, Finanzierung schlüssig. Bewilligung in beantragter Höhe vorgeschlagen.",
    "propose_again": "Honorarsätze mit der Honorarrichtlinie abgeglichen, Vermerk ergänzt; Vorschlag unverändert.",
    "propose_rejection": "Ablehnung vorgeschlagen; Begründung siehe Vermerk.",
    "return": "Bitte die Honorarsätze mit der Honorarrichtlinie abgleichen und den Vermerk ergänzen.",
    "approve": "Bewilligt. Der Zuwendungsbescheid wird erstellt.",
    "reject": "Ablehnung bestätigt. Der Ablehnungsbescheid wird erstellt.",
    "withdraw": "Der Vorstand hat beschlossen, das Vorhaben nicht durchzuführen.",
}


@dataclass
class Actors:
    carrier: User
    officer: User
    approver: User


def carrier_user(world: World, organisation: Organisation) -> User:
    for spec in [*USERS, *CHAIN_USERS]:
        if organisation.name in spec.get("carriers", ()):
            return world.users[spec["username"]]
    raise LookupError(f"no demo user is a member of {organisation.name}")


def _seed_applications(world: World) -> int:
    created = 0
    for project in PROJECTS:
        organisation = world.carriers[project.carrier_name]
        if Application.objects.filter(organisation=organisation, title=project.title).exists():
            continue
        officer, approver = OFFICE_STAFF[project.office]
        actors = Actors(carrier_user(world, organisation), world.users[officer], world.users[approver])
        application = _draft(world, project, organisation, actors.carrier)
        history: list[str] = []
        for step in workflow_path(project):
            application = STEPS[step](application, project, actors, history)
            history.append(step)
        if application.state != project.state:
            raise AssertionError(f"{project.title}: ended in {application.state}, expected {project.state}")
        created += 1
    return created


def _draft(world: World, project: Project, organisation: Organisation, carrier: User) -> Application:
    programme = world.programmes[project.programme]
    start, end = project.period
    application = application_create(
        organisation=organisation,
        programme=programme,
        office=world.offices[project.office],
        by=carrier,
        title=project.title,
        summary=project.summary,
        goals=project.goals,
        target_groups=project.target_groups,
        region=project.region,
        start_date=start,
        end_date=end,
        financing_type=project.financing_type,
    )
    expenditure, cover = build_plan(project, programme, organisation)
    financing_plan_replace(application=application, by=carrier, expenditure=expenditure, cover=cover)
    upload = SimpleUploadedFile("Projektkonzept.pdf", concept_pdf(project), content_type="application/pdf")
    attachment_add(application=application, by=carrier, kind="concept", upload=upload)
    return application


Step = Callable[[Application, Project, Actors, list[str]], Application]


def _submit(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_submit(application=app, by=a.carrier)


def _resubmit(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    answer = p.revision or COMMENTS["revise"]
    application_update(application=app, by=a.carrier, goals=f"{p.goals} Ergänzt nach Nachforderung.")
    upload = SimpleUploadedFile(
        "Nachreichung.pdf",
        concept_pdf(p, heading="Nachreichung", extra=answer),
        content_type="application/pdf",
    )
    attachment_add(application=app, by=a.carrier, kind="other", upload=upload)
    return application_submit(application=app, by=a.carrier, comment=COMMENTS["resubmit"])


def _start(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_start_formal_check(application=app, by=a.officer, comment=COMMENTS["start"])


def _complete(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_complete_formal_check(application=app, by=a.officer, comment=COMMENTS["complete"])


def _revise(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    comment = COMMENTS["revise_again"] if "revise" in history else (p.revision or COMMENTS["revise"])
    return application_request_revision(application=app, by=a.officer, comment=comment)


def _propose(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    comment = COMMENTS["propose_again"] if "return" in history else COMMENTS["propose"]
    return application_propose_approval(
        application=app, by=a.officer, instalments=default_instalments(app), comment=comment
    )


def _propose_rejection(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_propose_rejection(
        application=app, by=a.officer, reasons=p.reasons, comment=COMMENTS["propose_rejection"]
    )


def _return(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_return_proposal(application=app, by=a.approver, comment=COMMENTS["return"])


def _approve(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_approve(application=app, by=a.approver, comment=COMMENTS["approve"])


def _reject(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_reject(application=app, by=a.approver, comment=COMMENTS["reject"])


def _withdraw(app: Application, p: Project, a: Actors, history: list[str]) -> Application:
    return application_withdraw(application=app, by=a.carrier, comment=p.note or COMMENTS["withdraw"])


STEPS: dict[str, Step] = {
    "submit": _submit,
    "resubmit": _resubmit,
    "start": _start,
    "complete": _complete,
    "revise": _revise,
    "propose": _propose,
    "propose_rejection": _propose_rejection,
    "return": _return,
    "approve": _approve,
    "reject": _reject,
    "withdraw": _withdraw,
}


def login_rows() -> list[dict[str, Any]]:
    """(role, username, password, what they can do) for the table the command prints."""
    return [
        {"role": spec["role"], "username": spec["username"], "password": DEMO_PASSWORD, "can": spec["can"]}
        for spec in USERS
    ]
