"""The demo accounts: one user per role, all with the password settings.DEMO_PASSWORD.

They also hold the duties the default approval routes name, one each (a route's steps are
approved by different people): the coordinator heads the metallurgy faculty, the legal
adviser is the legal office, the viewer is the vice-rector for international affairs.

Loaded only by ``manage.py load_demo``. Unlike the other demo records, the users are brought
back to their demo role, scope and password on every run, so that the accounts the command
prints are always the ones that work.
"""

import importlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings

from unibridge.core.services import save_record
from unibridge.institutions.models import OrganizationalUnit, Person

from .choices import Role
from .models import Duty, DutyHolder, User


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    first_name: str
    last_name: str
    person: str | None = None  # key of the Person in the institutions demo
    unit: str | None = None  # key of the coordinated unit
    duty: str | None = None  # code of the duty held (for ``unit`` when held per unit)
    duty_unit: str | None = None

    @property
    def is_superuser(self) -> bool:
        return self.role == Role.ADMIN


ADMIN = DemoUser("admin", Role.ADMIN, "Demo", "Administrator")
DEMO_USERS = [
    ADMIN,
    DemoUser("office", Role.OFFICE, "Динара", "Омарова", person="office_specialist"),
    DemoUser(
        "coordinator",
        Role.COORDINATOR,
        "Нурлан",
        "Ахметов",
        person="faculty_coordinator",
        unit="metallurgy",
        duty="head-of-unit",
        duty_unit="metallurgy",
    ),
    DemoUser("legal", Role.VIEWER, "Сәуле", "Қасымова", duty="legal-office"),
    DemoUser(
        "viewer",
        Role.VIEWER,
        "Айгуль",
        "Жумабекова",
        person="vice_rector",
        duty="vice-rector-international",
    ),
]


def demo_password() -> str:
    """settings.DEMO_PASSWORD, or 'demo' when the environment sets it empty."""
    return settings.DEMO_PASSWORD or "demo"


def admin_user() -> User:
    """The demo administrator, who is the actor of every other demo write.

    Created first and outside the other loaders because the audit trail needs it.
    """
    user = User.objects.filter(username=ADMIN.username).first()
    if user is None:
        user = User(username=ADMIN.username)
        _apply(user, ADMIN)
        save_record(instance=user, user=None)
    return user


def _apply(user: User, spec: DemoUser) -> bool:
    """Bring a user to the demo role and password; True when something changed."""
    wanted = {
        "role": spec.role,
        "first_name": spec.first_name,
        "last_name": spec.last_name,
        "email": user.email or f"{spec.username}@example.org",
        "is_active": True,
        "is_staff": spec.is_superuser,
        "is_superuser": spec.is_superuser,
    }
    changed = False
    for name, value in wanted.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed = True
    # Checking before setting keeps the stored hash, and with it everyone's sessions.
    password = demo_password()
    if not user.has_usable_password() or not user.check_password(password):
        user.set_password(password)
        changed = True
    return changed


def load(
    *,
    actor,
    units: dict[str, OrganizationalUnit],
    people: dict[str, Person],
    **_earlier,
) -> dict[str, Any]:
    """Create or repair the demo users and link them to their people and units."""
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        changed = _apply(user, spec)
        wanted_units = [units[spec.unit]] if spec.unit else []
        units_changed = user.pk is None or set(user.units.all()) != set(wanted_units)
        if changed or units_changed:
            save_record(
                instance=user,
                user=actor,
                m2m={"units": wanted_units} if units_changed else None,
            )
        users[spec.username] = user

        # Link the person only when neither side is linked yet: never steal a link made in the UI.
        person = people.get(spec.person) if spec.person else None
        if (
            person is not None
            and person.user_id is None
            and not Person.objects.filter(user=user).exists()
        ):
            person.user = user
            save_record(instance=person, user=actor)
    _ensure_duties()
    for spec in DEMO_USERS:
        if spec.duty:
            unit = units[spec.duty_unit] if spec.duty_unit else None
            duty = Duty.objects.get(code=spec.duty)
            if not DutyHolder.objects.filter(duty=duty, user=users[spec.username]).exists():
                save_record(
                    instance=DutyHolder(duty=duty, user=users[spec.username], unit=unit),
                    user=actor,
                )
    return {"users": users}


def _ensure_duties() -> None:
    """The duties migration 0004 creates (a flushed test database has lost them)."""
    migration = importlib.import_module("unibridge.accounts.migrations.0004_duties")
    migration.create_duties(django_apps, None)
