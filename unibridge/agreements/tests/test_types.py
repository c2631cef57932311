"""The agreement types every installation starts with, and their administration."""

import pytest
from django.test import Client

from unibridge.accounts.tests.factories import DutyFactory
from unibridge.agreements.models import AgreementType

EXPECTED = {
    "mou": "MoU",
    "framework": "FA",
    "student-exchange": "SE",
    "staff-exchange": "StE",
    "erasmus-ka131": "KA131",
    "erasmus-ka171": "KA171",
    "double-degree": "DD",
    "joint-research": "JR",
    "internship": "INT",
    "other": "AGR",
}


@pytest.mark.django_db
def test_the_default_types_exist_with_prefixes_and_a_three_step_route():
    types = {t.code: t for t in AgreementType.objects.prefetch_related("route")}
    assert {code: t.reference_prefix for code, t in types.items()} == EXPECTED
    assert [(step.name, step.duty.code) for step in types["mou"].route.all()] == [
        ("Head of unit", "head-of-unit"),
        ("Legal office", "legal-office"),
        ("Vice-rector for international affairs", "vice-rector-international"),
    ]
    assert types["mou"].route.get(order=1).duty.per_unit
    assert types["erasmus-ka171"].is_erasmus_iia and types["erasmus-ka171"].has_conditions
    assert not types["mou"].has_conditions
    assert types["mou"].reminder_days == [180, 90, 30]
    assert types["mou"].name_ru == "Меморандум о сотрудничестве"


def test_an_administrator_adds_a_type_with_its_route_in_the_admin(admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/agreements/agreementtype/add/",
        {
            "name": "Academic mobility agreement",
            "code": "academic-mobility",
            "reference_prefix": "AM",
            "reference_pattern": "{prefix}/{year}/{number:04d}",
            "reminder_days": "[120, 60]",
            "signature_wait_days": "45",
            "has_conditions": "on",
            "is_active": "on",
            "route-TOTAL_FORMS": "1",
            "route-INITIAL_FORMS": "0",
            "route-0-order": "1",
            "route-0-name": "Rector",
            "route-0-duty": str(DutyFactory(name="Rector").pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    created = AgreementType.objects.get(code="academic-mobility")
    assert [s.name for s in created.route.all()] == ["Rector"]
    assert created.reminder_days == [120, 60]
