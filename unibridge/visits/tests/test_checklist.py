"""The logistics checklist: generated per direction, owners, due dates, done, overdue, admin."""

import datetime

import pytest
from django.utils import timezone

from unibridge.accounts.tests.factories import UserFactory
from unibridge.visits import services
from unibridge.visits.models import ChecklistItem, ChecklistTemplateItem
from unibridge.visits.tests.factories import ChecklistItemFactory

from .test_visit_pages import make_partner, make_visit


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def visit(home, partner, engineering):
    return make_visit(home, partner, units=[engineering])


def tab(client, visit) -> str:
    response = client.get(f"/visits/{visit.uuid}/checklist/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_checklist_comes_from_the_active_template_of_the_direction(home, partner):
    owner = UserFactory()
    ChecklistTemplateItem.objects.create(
        direction="outgoing", name="Insurance", name_pl="Ubezpieczenie", order=9,
        days_before_start=10, default_owner=owner,
    )  # fmt: skip
    ChecklistTemplateItem.objects.create(direction="outgoing", name="Retired task", is_active=False)
    visit = make_visit(home, partner, direction="outgoing")
    services.checklist_generate(visit=visit, language="pl")
    items = {item.name: item for item in visit.checklist.all()}
    assert "Retired task" not in items
    assert "Visa invitation letters" not in items and "Zaproszenia wizowe" not in items
    assert items["Ubezpieczenie"].owner == owner
    assert items["Ubezpieczenie"].due_on == visit.start_date - datetime.timedelta(days=10)
    assert "Wizy dla delegacji" in items
    # a template item without a translation keeps its name
    ChecklistTemplateItem.objects.create(direction="incoming", name="Flowers")
    other = make_visit(home, partner)
    services.checklist_generate(visit=other, language="kk")
    assert "Flowers" in set(other.checklist.values_list("name", flat=True))


def test_marking_a_task_done_records_when(office_client, visit):
    item = ChecklistItemFactory(visit=visit)
    url = f"/visits/{visit.uuid}/checklist/{item.pk}/toggle/"
    assert office_client.post(url, {"done": "1"}).status_code == 303
    item.refresh_from_db()
    assert item.done and item.done_at is not None
    assert abs(item.done_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert office_client.post(url, {"done": "0"}).status_code == 303
    item.refresh_from_db()
    assert not item.done and item.done_at is None


def test_toggling_needs_post(office_client, visit):
    item = ChecklistItemFactory(visit=visit)
    assert office_client.get(f"/visits/{visit.uuid}/checklist/{item.pk}/toggle/").status_code == 405


def test_the_owner_may_tick_their_task_without_editing_the_visit(viewer_client, viewer_user, visit):
    mine = ChecklistItemFactory(visit=visit, owner=viewer_user)
    theirs = ChecklistItemFactory(visit=visit)
    html = tab(viewer_client, visit)
    assert f"/checklist/{mine.pk}/toggle/" in html
    assert f"/checklist/{theirs.pk}/toggle/" not in html
    assert f"/checklist/{mine.pk}/edit/" not in html
    url = f"/visits/{visit.uuid}/checklist/"
    assert viewer_client.post(f"{url}{mine.pk}/toggle/", {"done": "1"}).status_code == 303
    assert viewer_client.post(f"{url}{theirs.pk}/toggle/", {"done": "1"}).status_code == 403
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.done and not theirs.done


def test_adding_changing_and_deleting_tasks(office_client, office_user, visit):
    url = f"/visits/{visit.uuid}/checklist/add/"
    assert office_client.get(url).status_code == 200
    response = office_client.post(
        url, {"name": "Book the conference hall", "owner": office_user.pk, "due_on": "2026-05-01"}
    )
    assert response.status_code == 303
    item = visit.checklist.get()
    assert (item.owner, item.due_on) == (office_user, datetime.date(2026, 5, 1))
    edit = f"/visits/{visit.uuid}/checklist/{item.pk}/edit/"
    version = office_client.get(edit).context["form"].initial["version"]
    response = office_client.post(
        edit, {"name": "Book the big hall", "due_on": "2026-05-02", "done": "on",
               "version": version},
    )  # fmt: skip
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.name == "Book the big hall" and item.done and item.done_at is not None
    delete = f"/visits/{visit.uuid}/checklist/{item.pk}/delete/"
    assert office_client.get(delete).status_code == 200
    assert office_client.post(delete).status_code == 303
    assert not ChecklistItem.objects.exists()


def test_a_task_needs_a_name(office_client, visit):
    response = office_client.post(f"/visits/{visit.uuid}/checklist/add/", {"name": ""})
    assert response.status_code == 400
    assert not visit.checklist.exists()


def test_editing_a_task_someone_else_changed_is_a_conflict(office_client, visit):
    item = ChecklistItemFactory(visit=visit, name="Original")
    edit = f"/visits/{visit.uuid}/checklist/{item.pk}/edit/"
    version = office_client.get(edit).context["form"].initial["version"]
    ChecklistItem.objects.filter(pk=item.pk).update(
        name="Theirs", updated=timezone.now() + datetime.timedelta(seconds=5)
    )
    response = office_client.post(edit, {"name": "Mine", "version": version})
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.name == "Theirs"


def test_overdue_tasks_are_highlighted_on_the_visit(office_client, visit):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ChecklistItemFactory(visit=visit, name="Late task", due_on=yesterday)
    ChecklistItemFactory(visit=visit, name="Late but done", due_on=yesterday, done=True)
    ChecklistItemFactory(visit=visit, name="Due today", due_on=timezone.localdate())
    html = tab(office_client, visit)
    rows = {row.split("<td>")[1].split("<")[0]: row for row in html.split("<tr")[2:]}
    assert 'class="overdue"' in rows["Late task"]
    assert 'class="overdue"' not in rows["Late but done"]
    assert 'class="overdue"' not in rows["Due today"]
    overview = office_client.get(visit.get_absolute_url()).content.decode()
    assert "1 logistics task is overdue." in overview


def test_a_task_of_another_visit_is_404(office_client, visit, home, partner):
    other = ChecklistItemFactory(visit=make_visit(home, partner))
    assert office_client.get(f"/visits/{visit.uuid}/checklist/{other.pk}/edit/").status_code == 404


def test_administrators_edit_the_template_in_the_admin(admin_user, client):
    admin_user.is_staff = admin_user.is_superuser = True  # as the demo's administrator
    admin_user.save()
    client.force_login(admin_user)
    response = client.get("/admin/visits/checklisttemplateitem/?direction__exact=incoming")
    assert response.status_code == 200
    assert "Visa invitation letters" in response.content.decode()
    item = ChecklistTemplateItem.objects.get(direction="incoming", name="Catering")
    url = f"/admin/visits/checklisttemplateitem/{item.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"direction": "incoming", "name": "Catering", "name_ru": "Питание", "order": 5,
         "days_before_start": 10, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.days_before_start == 10
