"""Free text has a maximum length everywhere, and the API refuses values of the wrong JSON type."""

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.core import fields
from unibridge.core.api.serializers import InputSerializer
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory
from unibridge.meetings.models import Meeting
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.visits.models import Visit
from unibridge.visits.tests.factories import VisitFactory

INSTITUTIONS = reverse("api-institution-list")
OUR_APPS = ("institutions", "agreements", "visits", "accounts")


@pytest.fixture
def api(office_user):
    token, _created = Token.objects.get_or_create(user=office_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post_raw(client, url: str, body: str):
    """POST a JSON body as written (APIClient would turn 1e999 into Infinity first)."""
    return client.generic("POST", url, body, content_type="application/json")


def field_errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["fields"]


NEW_INSTITUTION = {"name": "Akademia Górniczo-Hutnicza", "country": "PL", "city": "Kraków"}


# --- Every model's free text has a limit ---------------------------------------------------------


def text_fields() -> list:
    """Every TextField of our apps' models, but lists of choice codes (checked per code)."""
    return [
        pytest.param(field, id=f"{model.__name__}.{field.name}")
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not isinstance(field, fields.ChoiceListField)
    ]


@pytest.mark.parametrize("field", text_fields())
def test_every_text_field_has_a_maximum_that_full_clean_checks(field):
    assert field.max_length, f"{field} has no max_length"
    assert any(
        isinstance(validator, MaxLengthValidator) and validator.limit_value == field.max_length
        for validator in field.validators
    )


def test_two_megabytes_of_notes_are_refused_by_full_clean(db):
    institution = InstitutionFactory.build(notes="x" * 2_000_000)
    with pytest.raises(ValidationError) as caught:
        institution.full_clean()
    assert caught.value.message_dict["notes"] == [
        "Ensure this value has at most 10000 characters (it has 2000000)."
    ]


def test_minutes_may_be_longer_than_notes(db):
    limit = Meeting._meta.get_field("minutes").max_length
    assert limit == fields.RICH_TEXT > Visit._meta.get_field("notes").max_length == fields.NOTES


# --- The API: lengths ----------------------------------------------------------------------------


def test_the_api_refuses_two_megabytes_of_notes_and_stores_nothing(api, home):
    response = api.post(INSTITUTIONS, {**NEW_INSTITUTION, "notes": "x" * 2_000_000}, format="json")
    [message] = field_errors(response)["notes"]
    assert "at most 10000 characters (it has 2000000)" in message
    assert not Institution.objects.filter(name=NEW_INSTITUTION["name"]).exists()


def test_notes_of_the_maximum_length_are_stored(api, home):
    response = api.post(INSTITUTIONS, {**NEW_INSTITUTION, "notes": "x" * 10_000}, format="json")
    assert response.status_code == 201, response.content
    assert len(Institution.objects.get(uuid=response.json()["id"]).notes) == 10_000


def test_the_edit_page_limits_the_notes_field(office_client, home):
    institution = InstitutionFactory(notes="As it was")
    page = office_client.get(f"/institutions/{institution.uuid}/edit/")
    assert 'maxlength="10000"' in page.content.decode()


# --- The API: JSON types -------------------------------------------------------------------------


def test_a_number_in_a_text_field_is_refused_not_stored_as_its_string(api, home):
    response = api.post(INSTITUTIONS, {**NEW_INSTITUTION, "city": 12, "notes": 3.5}, format="json")
    errors = field_errors(response)
    assert errors["city"] == ["Expected text, got a number."]
    assert errors["notes"] == ["Expected text, got a number."]
    assert not Institution.objects.filter(name=NEW_INSTITUTION["name"]).exists()


def test_a_number_too_large_for_floating_point_is_refused(api, home):
    body = json.dumps(NEW_INSTITUTION)[:-1] + ', "notes": 1e999}'
    response = post_raw(api, INSTITUTIONS, body)
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON parse error - the number 1e999 is too large."
    assert not Institution.objects.filter(name=NEW_INSTITUTION["name"]).exists()


def test_other_wrong_types_are_named(api, home):
    response = api.post(
        INSTITUTIONS,
        {**NEW_INSTITUTION, "city": True, "notes": {"a": 1}, "acronym": ["AGH"]},
        format="json",
    )
    errors = field_errors(response)
    assert errors["city"] == ["Expected text, got true or false."]
    assert errors["notes"] == ["Expected text, got an object."]
    assert errors["acronym"] == ["Expected text, got a list."]


def test_a_number_in_a_list_of_texts_is_refused(api, home):
    response = api.post(INSTITUTIONS, {**NEW_INSTITUTION, "aliases": ["AGH", 5]}, format="json")
    assert field_errors(response)["aliases"] == ["Item 2: Expected text, got a number."]


def test_type_errors_come_with_the_other_fields_errors(api, home):
    response = api.post(INSTITUTIONS, {"country": "PL", "city": 12}, format="json")
    errors = field_errors(response)
    assert errors["city"] == ["Expected text, got a number."]
    assert errors["name"] == ["This field is required."]


def test_a_patch_with_a_number_for_text_changes_nothing(api, home):
    visit = VisitFactory(host_institution=home, notes="Before")
    response = api.patch(
        reverse("api-visit-detail", args=[visit.uuid]),
        {"notes": 42, "version": visit.updated.isoformat()},
        format="json",
    )
    assert field_errors(response)["notes"] == ["Expected text, got a number."]
    visit.refresh_from_db()
    assert visit.notes == "Before"


def test_long_minutes_are_accepted_through_the_api(api, home):
    meeting = MeetingFactory(visit=VisitFactory(host_institution=home))
    minutes = "<p>" + "Agreed to exchange students. " * 5000 + "</p>"  # 145,007 characters
    response = api.patch(
        reverse("api-meeting-detail", args=[meeting.uuid]),
        {"minutes": minutes, "version": meeting.updated.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert len(meeting.minutes) > fields.NOTES


class Amounts(InputSerializer):
    months = serializers.DecimalField(max_digits=6, decimal_places=1)
    ratio = serializers.FloatField()


@pytest.mark.parametrize("value", ["1e999", "Infinity", "-inf", "NaN"])
def test_non_finite_numbers_are_refused_in_number_fields(value):
    serializer = Amounts(data={"months": value, "ratio": value})
    assert not serializer.is_valid()
    assert serializer.errors["months"] == [f"Expected a finite number, got {value}."]
    assert serializer.errors["ratio"] == [f"Expected a finite number, got {value}."]


def test_finite_numbers_pass(db):
    serializer = Amounts(data={"months": "4.5", "ratio": 0.25})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"months": Decimal("4.5"), "ratio": 0.25}
