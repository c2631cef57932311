"""Every API operation answers as /api/v1/schema/ declares (schemathesis, fixed seed).

Schemathesis generates requests from the schema, valid and invalid ones, for every operation
and checks the answers: no 5xx, a status code the operation declares, a body matching the
declared schema and content type. The requests run in-process through the WSGI application, as
an office user with a real token, against a small but complete story (an institution with
units, people, a partnership, agreements with conditions, a visit with its programme, a
meeting with a decision and an action item); the ``{id}`` path parameters name those records,
so the detail endpoints answer their records rather than only 404. Each request runs in a
savepoint that is rolled back, so every request sees the same records and their versions.
"""

import datetime

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.lifecycle_services import agreement_submit
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementTypeFactory,
    CooperationConditionFactory,
    LanguageRequirementFactory,
    RouteStepFactory,
    SubjectAreaFactory,
)
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)
from unibridge.meetings.tests.factories import ActionItemFactory, DecisionFactory, MeetingFactory
from unibridge.visits.tests.factories import (
    ChecklistItemFactory,
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
# A fixed seed and a bounded number of examples per operation: the same requests on every run,
# and the whole conformance run stays within a few minutes on two cores.
CONFORMANCE = hypothesis.settings(
    derandomize=True,
    database=None,
    max_examples=10,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    print_blob=False,
)


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """Schemathesis 4.32 reads ``Node._nodeid``, which pytest 9.2 keeps as ``_id``."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def wsgi_app(settings):
    """The project's WSGI application, run in this thread inside the test's transaction.

    Django's handler closes the database connection at the end of every request (the test
    client turns that off as well); here it would close the test's transaction.
    """
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's WSGI client calls itself localhost
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, db):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    # Only the fuzzing phase, bounded by max_examples: the coverage phase tries every boundary
    # of every parameter, over a hundred requests for each list with its filters.
    schema.config.phases.coverage.enabled = False
    return schema


@pytest.fixture
def story(home, engineering, office_user):
    """The records the path parameters name: by resource, by action, or by parameter name."""
    agh = InstitutionFactory(name="AGH University of Krakow", country="PL", city="Kraków")
    lab = UnitFactory(institution=agh, name="Faculty of Mechanical Engineering")
    professor = PersonFactory(name_native="Jan Kowalski", institution=agh, unit=lab)
    host = PersonFactory(name_native="Айгерим Сатпаева", institution=home, unit=engineering)
    partnership = PartnershipFactory(partner=agh)
    partnership.home_units.set([engineering])
    partnership.responsible_people.set([host])

    exchange = AgreementTypeFactory(code="test-exchange", has_conditions=True)
    draft = agreement_create(
        user=office_user,
        agreement_type=exchange,
        title="Student exchange",
        parties=[PartyInput(home, [engineering]), PartyInput(agh, [lab], professor)],
        responsible_people=[host],
    )
    condition = CooperationConditionFactory(
        agreement=draft, sending_institution=home, receiving_institution=agh
    )
    SubjectAreaFactory(condition=condition, isced_code="0713")
    LanguageRequirementFactory(condition=condition, isced_code="0713")

    reviewed_type = AgreementTypeFactory(code="test-mou")
    RouteStepFactory(agreement_type=reviewed_type, order=1, approver=office_user)
    in_review = agreement_create(
        user=office_user,
        agreement_type=reviewed_type,
        title="Memorandum of cooperation",
        parties=[PartyInput(home), PartyInput(agh)],
    )
    agreement_submit(agreement=in_review, user=office_user)

    active = AgreementFactory(status=AgreementStatus.ACTIVE, agreement_type=reviewed_type)
    AgreementPartyFactory(agreement=active, institution=home, order=0)
    AgreementPartyFactory(agreement=active, institution=agh, order=1)

    visit = VisitFactory(title="AGH delegation", visiting_institution=agh, host_institution=home)
    visit.home_units.set([engineering])
    participant = ParticipantFactory(visit=visit, person=professor, nationality="PL")
    ChecklistItemFactory(visit=visit, due_on=datetime.date(2026, 5, 1))
    item = ProgrammeItemFactory(visit=visit, responsible=host, place="Senate hall")
    item.participants.set([professor, host])
    meeting = MeetingFactory(visit=visit, title="Round table on joint research")
    meeting.participants.set([professor, host])
    decision = DecisionFactory(meeting=meeting, text="Prepare a student exchange agreement")
    action_item = ActionItemFactory(
        meeting=meeting, owner=host, partnership=partnership, agreement=draft
    )
    return {
        "institutions": agh,
        "units": lab,
        "people": professor,
        "partnerships": partnership,
        "agreements": draft,
        "approvals": in_review,
        "step": in_review.approvals.get(),
        "terminate": active,
        "renew": active,
        "condition_id": condition,
        "party_id": draft.parties.get(institution=agh),
        "visits": visit,
        "participant_id": participant,
        "item_id": item,
        "meetings": meeting,
        "decision_id": decision,
        "action-items": action_item,
    }


PART_IDS = ("step", "condition_id", "party_id", "participant_id", "item_id", "decision_id")


def records_of(story: dict, path: str) -> dict:
    """The story's records for each path parameter of the operation.

    ``{id}`` names a record of the resource, or the agreement an action suits (an agreement in
    review for approvals, an active one for terminate and renew); the other parameters name
    parts of it.
    """
    segments = path.strip("/").split("/")  # api, v1, resource, {id}, action or part, …
    records = {}
    if "{id}" in path:
        action = segments[4] if len(segments) > 4 else ""
        records["id"] = story.get(action) or story[segments[2]]
    records.update({name: story[name] for name in PART_IDS if f"{{{name}}}" in path})
    return records


def public_id(record) -> str:
    return str(getattr(record, "uuid", None) or getattr(record, "uid", None) or record.pk)


def token_of(user) -> str:
    return f"Token {Token.objects.get_or_create(user=user)[0].key}"


def call(case, story: dict, user) -> None:
    """Send the case with real ids and the user's token, and roll back what it wrote."""
    records = records_of(story, case.path)
    case.path_parameters = {name: public_id(record) for name, record in records.items()}
    if records and isinstance(case.body, dict) and "version" in case.body:
        # the version of the record the change names (the innermost one), so it can succeed
        *_outer, record = records.values()
        record.refresh_from_db(fields=["updated"])
        case.body["version"] = record.updated.isoformat()
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": token_of(user)}, checks=CHECKS)
        transaction.set_rollback(True)


schema = schemathesis.pytest.from_fixture("api_schema")
DIRECTORY = r"^/api/v1/(auth|search|institutions|units|people|partnerships)/"


@CONFORMANCE
@schema.include(path_regex=DIRECTORY).parametrize()
def test_the_directory_answers_as_its_schema_declares(case, story, office_user):
    call(case, story, office_user)


@CONFORMANCE
@schema.include(path_regex=r"^/api/v1/agreement").parametrize()
def test_the_agreements_answer_as_their_schema_declares(case, story, office_user):
    call(case, story, office_user)


@CONFORMANCE
@schema.include(path_regex=r"^/api/v1/visits/").parametrize()
def test_the_visits_answer_as_their_schema_declares(case, story, office_user):
    call(case, story, office_user)


@CONFORMANCE
@schema.include(path_regex=r"^/api/v1/(meetings|action-items)/").parametrize()
def test_meetings_and_action_items_answer_as_their_schema_declares(case, story, office_user):
    call(case, story, office_user)


@CONFORMANCE
@schema.include(method="GET").parametrize()
def test_every_read_answers_a_viewer_as_the_schema_declares(case, story, viewer_user):
    call(case, story, viewer_user)


# --- What the conformance run found, pinned down ------------------------------------------------


def test_a_page_below_one_or_past_the_last_answers_the_declared_404(client, office_user, home):
    headers = {"Authorization": token_of(office_user)}
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/institutions/"]["get"]
    page = next(p for p in listing["parameters"] if p["name"] == "page")
    assert page["schema"]["minimum"] == 1
    assert "404" in listing["responses"]
    for number in (0, 2):
        response = client.get("/api/v1/institutions/", {"page": number}, headers=headers)
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "detail": "Invalid page."}


def test_errors_inside_nested_objects_are_named_by_their_path(client, office_user, home):
    response = client.post(
        "/api/v1/agreements/",
        {"agreement_type": "mou", "title": "MoU", "parties": [{"institution": str(home.uuid)}, {}]},
        content_type="application/json",
        headers={"Authorization": token_of(office_user)},
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["parties[1].institution"] == ["This field is required."]
    assert all(isinstance(messages, list) for messages in fields.values())


def test_a_huge_expiry_window_is_refused_at_its_field(client, office_user):
    response = client.get(
        "/api/v1/agreements/",
        {"expiring_within": "5e16"},
        headers={"Authorization": token_of(office_user)},
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["expiring_within"]
