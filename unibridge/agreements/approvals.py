"""Who decides an approval step, read once for the services, the pages and the API.

A step is assigned to one person (``approver``) or to a duty (``duty``, see
:class:`unibridge.accounts.models.Duty`). A duty held per unit, such as the head of unit, is
decided by its holders for the agreement's home units or a unit above them (the head of a
faculty decides for its departments); another duty by any of its holders. The holders are
read when the step is decided, so a new head of unit takes over the steps waiting for one.

One person approves at most one step of a review round, unless the agreement's type allows
it (``AgreementType.route_allows_same_approver``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from unibridge.accounts.models import DutyHolder, User
from unibridge.institutions.models import OrganizationalUnit

from .choices import ApprovalDecision
from .models import Agreement, ApprovalRouteStep, ApprovalStep


def person_name(user: User | None) -> str:
    """How a user is named on the pages: the full name, else the user name."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def home_units(agreement: Agreement) -> list[OrganizationalUnit]:
    """The units of the agreement's home party (the scope of a duty held per unit)."""
    parties = agreement.parties.all()  # prefetched with their units by the detail selector
    return [unit for party in parties if party.institution.is_home for unit in party.units.all()]


def _scope_ids(units: Iterable[OrganizationalUnit]) -> set[int]:
    """The units and every unit above them (their materialised paths name them)."""
    ids: set[int] = set()
    for unit in units:
        ids.update(int(pk) for pk in unit.path.strip("/").split("/") if pk)
        ids.add(unit.pk)
    return ids


@dataclass
class Assignment:
    """Who a step waits for: its person, or a duty (with the units it is held for)."""

    person: User | None = None
    duty_name: str = ""
    units: list[OrganizationalUnit] = field(default_factory=list)
    per_unit: bool = False
    holders: list[User] = field(default_factory=list)

    @property
    def user_ids(self) -> set[int]:
        if self.person is not None:
            return {self.person.pk} if self.person.is_active else set()
        return {holder.pk for holder in self.holders}

    @property
    def role_label(self) -> str:
        """The person or the duty: ``Anna Nowak``, ``Head of unit of Engineering``."""
        if self.person is not None:
            return person_name(self.person)
        if not self.duty_name:
            return _("nobody (the step has no assignment)")
        if not self.per_unit:
            return self.duty_name
        return _("%(duty)s of %(units)s") % {
            "duty": self.duty_name,
            "units": ", ".join(unit.display_name for unit in self.units)
            or _("the agreement's unit"),
        }

    @property
    def label(self) -> str:
        """The role and who holds it now: ``Legal office (Anna Nowak)``."""
        if self.person is not None or not self.duty_name:
            return self.role_label
        holders = ", ".join(person_name(holder) for holder in self.holders)
        return f"{self.role_label} ({holders or _('nobody holds this duty yet')})"


Step = ApprovalStep | ApprovalRouteStep


def assignments(steps: Iterable[Step], units: list[OrganizationalUnit]) -> list[Assignment]:
    """Who decides each step (in the same order), for an agreement whose home units are
    ``units``; one query for the holders of all their duties."""
    steps = list(steps)
    scope = _scope_ids(units)
    duty_ids = {step.duty_id for step in steps if step.approver_id is None and step.duty_id}
    holders: dict[int, dict[int, User]] = {}
    if duty_ids:
        rows = (
            DutyHolder.objects.filter(duty_id__in=duty_ids, user__is_active=True)
            .filter(Q(duty__per_unit=False) | Q(unit_id__in=scope))
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username")
        )
        for row in rows:
            holders.setdefault(row.duty_id, {})[row.user_id] = row.user
    result = []
    for step in steps:
        if step.approver_id is not None:
            result.append(Assignment(person=step.approver))
        elif step.duty_id is None or step.duty is None:
            result.append(Assignment())
        else:
            result.append(
                Assignment(
                    duty_name=step.duty.display_name,
                    units=units,
                    per_unit=step.duty.per_unit,
                    holders=list(holders.get(step.duty_id, {}).values()),
                )
            )
    return result


def assignment(step: Step, units: list[OrganizationalUnit]) -> Assignment:
    """Who decides the step, for an agreement whose home units are ``units``."""
    return assignments([step], units)[0]


def unassigned_route_steps(
    route: Iterable[ApprovalRouteStep], units: list[OrganizationalUnit]
) -> list[str]:
    """Why the route cannot be decided for an agreement with these home units (or [])."""
    problems = []
    route = list(route)
    for step, found in zip(route, assignments(route, units), strict=True):
        if found.user_ids:
            continue
        if found.person is not None:
            problems.append(
                _("“%(step)s” is assigned to %(person)s, whose account is closed.")
                % {"step": step.name, "person": person_name(found.person)}
            )
        elif found.per_unit and not units:
            problems.append(
                _(
                    "“%(step)s” is decided by the %(duty)s of the agreement's unit: add the "
                    "home unit to the parties first."
                )
                % {"step": step.name, "duty": found.duty_name}
            )
        else:
            problems.append(
                _("Nobody holds “%(duty)s” for “%(step)s”: the administrator assigns it first.")
                % {"duty": found.role_label, "step": step.name}
            )
    return problems


def refusal(
    step: ApprovalStep,
    user: User,
    *,
    found: Assignment,
    round_steps: QuerySet[ApprovalStep],
    approve: bool = True,
) -> str:
    """Why this user may not decide the step (empty: they may), in the reader's language.

    ``round_steps`` are the steps of the step's round (the same-person rule reads them).
    """
    if not (user.is_active and user.pk in found.user_ids):
        if found.person is not None:
            return _("Only %(person)s decides “%(step)s”.") % {
                "person": person_name(found.person),
                "step": step.name,
            }
        if not found.duty_name:
            return _("“%(step)s” is assigned to nobody: the administrator assigns it.") % {
                "step": step.name
            }
        return _("Only %(who)s decides “%(step)s”; you do not hold this duty.") % {
            "who": found.label,
            "step": step.name,
        }
    if approve and not step.agreement.agreement_type.route_allows_same_approver:
        earlier = (
            round_steps.filter(decided_by=user, decision=ApprovalDecision.APPROVED)
            .exclude(pk=step.pk)
            .first()
        )
        if earlier is not None:
            return _(
                "You approved “%(earlier)s” in this review round: another person approves "
                "“%(step)s”."
            ) % {"earlier": earlier.name, "step": step.name}
    return ""
