"""Logging in and out, changing and resetting the password, and the lockout after failures."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from unibridge.accounts.tests.factories import UserFactory

NEW_PASSWORD = "Steel-and-Coal-2025"


@pytest.fixture
def alice(db):
    """A user whose password is 'password' (see UserFactory)."""
    return UserFactory(username="alice", email="alice@example.org", first_name="Alice")


def log_in(client, username: str, password: str, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def is_logged_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# --- Log in and out -----------------------------------------------------------------------------


def test_the_login_page_has_labelled_fields_and_a_password_reset_link(client, db):
    response = client.get(reverse("accounts:login"))
    assertContains(response, '<label for="id_username">')
    assertContains(response, '<label for="id_password">')
    assertContains(response, f'href="{reverse("accounts:password_reset")}"')
    assertNotContains(response, 'role="alert"')


def test_a_user_logs_in_and_lands_on_the_home_page(client, alice):
    response = log_in(client, "alice", "password")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert is_logged_in(client, alice)


def test_logging_in_returns_to_the_page_asked_for(client, alice):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assertContains(login_page, 'name="next" value="/"')
    response = log_in(client, "alice", "password", next="/search/?q=AGH")
    assertRedirects(response, "/search/?q=AGH", fetch_redirect_response=False)


def test_logging_in_never_redirects_to_another_site(client, alice):
    response = log_in(client, "alice", "password", next="https://evil.example.com/")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, alice):
    response = log_in(client, "alice", "wrong")
    assertContains(response, "Please enter a correct username and password", status_code=200)
    assertContains(response, 'role="alert"')
    assertContains(response, "locked for a while")
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
    assert "_auth_user_id" not in client.session


def test_the_logged_out_page_offers_to_log_in_again(client, alice, settings):
    settings.LOGOUT_REDIRECT_URL = None
    client.force_login(alice)
    response = client.post(reverse("accounts:logout"))
    assertContains(response, "You have been logged out")
    assertContains(response, f'href="{reverse("accounts:login")}"')


# --- Password change ----------------------------------------------------------------------------


def test_the_password_change_page_asks_for_the_old_and_new_passwords(client, alice):
    client.force_login(alice)
    response = client.get(reverse("accounts:password_change"))
    for field in ("id_old_password", "id_new_password1", "id_new_password2"):
        assertContains(response, f'<label for="{field}">')


def test_a_user_changes_their_password_and_stays_logged_in(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assertRedirects(
        response, reverse("accounts:password_change_done"), fetch_redirect_response=False
    )
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assertContains(client.get(reverse("accounts:password_change_done")), "password was changed")


def test_a_wrong_current_password_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assertContains(response, 'id="id_old_password_error"')
    assertContains(response, 'aria-invalid="true"')
    alice.refresh_from_db()
    assert alice.check_password("password")


# --- Password reset -----------------------------------------------------------------------------


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    assertRedirects(
        response, reverse("accounts:password_reset_done"), fetch_redirect_response=False
    )
    assertContains(client.get(response["Location"]), "Check your e-mail")

    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "Reset your UniBridge password"
    assert "alice" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", message.body)[1]

    # Django swaps the token in the URL for one kept in the session, then shows the form.
    form_url = client.get(link)["Location"]
    assertContains(client.get(form_url), "Choose a new password")
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assertRedirects(
        response, reverse("accounts:password_reset_complete"), fetch_redirect_response=False
    )
    assertContains(client.get(response["Location"]), "Your new password is set")

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert is_logged_in(client, alice) is False
    log_in(client, "alice", NEW_PASSWORD)
    assert is_logged_in(client, alice)


def test_a_used_password_reset_link_no_longer_works(client, alice):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link, follow=True)
    assertContains(response, "This link does not work")
    assertContains(response, f'href="{reverse("accounts:password_reset")}"')


def test_password_reset_for_an_unknown_address_sends_nothing_and_tells_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assertRedirects(
        response, reverse("accounts:password_reset_done"), fetch_redirect_response=False
    )
    assert mail.outbox == []


def test_mismatched_new_passwords_are_refused_with_a_field_error(client, alice):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assertContains(response, 'id="id_new_password2_error"')
    alice.refresh_from_db()
    assert alice.check_password("password")


# --- Lockout (django-axes) ----------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    """Axes as in production (the test settings switch it off), three tries, ten minutes."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=10)
    return settings


def test_the_account_is_locked_after_the_configured_failures(client, alice, axes_on):
    for _ in range(2):
        assertContains(log_in(client, "alice", "wrong"), "Please enter a correct username")

    response = log_in(client, "alice", "wrong")
    assert response.status_code == 429
    assertContains(response, "Too many failed sign-in attempts", status_code=429)
    assertContains(response, "paused after 3 failed attempts", status_code=429)
    assertContains(response, "wait 10 minutes", status_code=429)
    assertContains(response, f'href="{reverse("accounts:password_reset")}"', status_code=429)

    # Even the right password is refused while the account is locked.
    assert log_in(client, "alice", "password").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_touches_only_the_account_attacked(client, alice, axes_on):
    bob = UserFactory(username="bob")
    for _ in range(3):
        log_in(client, "alice", "wrong")
    log_in(client, "bob", "password")
    assert is_logged_in(client, bob)


def test_the_lockout_ends_after_the_cool_off(client, alice, axes_on):
    for _ in range(3):
        log_in(client, "alice", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=11))
    log_in(client, "alice", "password")
    assert is_logged_in(client, alice)


def test_a_successful_login_resets_the_failure_count(client, alice, axes_on):
    for _ in range(2):
        log_in(client, "alice", "wrong")
    log_in(client, "alice", "password")
    client.post(reverse("accounts:logout"))
    for _ in range(2):
        log_in(client, "alice", "wrong")
    log_in(client, "alice", "password")
    assert is_logged_in(client, alice)


@pytest.fixture
def address_limit(axes_on):
    """Three failures per account at one address, six per address over all accounts."""
    axes_on.LOGIN_IP_FAILURE_LIMIT = 6
    return axes_on


def log_in_from(client, address: str, username: str, password: str):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_one_address_trying_many_usernames_is_locked_after_the_address_limit(
    client, alice, address_limit
):
    for index in range(5):
        response = log_in_from(client, "203.0.113.7", f"guess{index}", "Summer2025")
        assert response.status_code == 200, "under both limits"
    assert log_in_from(client, "203.0.113.7", "guess5", "Summer2025").status_code == 429

    response = log_in_from(client, "203.0.113.7", "alice", "password")
    assertContains(
        response,
        "Sign-in from your network address is paused after 6 failed attempts with any accounts.",
        status_code=429,
    )
    assert "_auth_user_id" not in client.session


def test_the_address_limit_leaves_other_addresses_alone(client, alice, address_limit):
    for index in range(6):
        log_in_from(client, "203.0.113.7", f"guess{index}", "Summer2025")
    log_in_from(client, "198.51.100.20", "alice", "password")
    assert is_logged_in(client, alice)


def test_colleagues_sharing_an_address_do_not_lock_each_other_out(client, alice, address_limit):
    for name in ("bob", "carol"):
        UserFactory(username=name)
        for _ in range(2):
            log_in_from(client, "192.0.2.1", name, "typo")
    log_in_from(client, "192.0.2.1", "alice", "password")
    assert is_logged_in(client, alice)


def test_the_account_limit_at_one_address_still_applies_first(client, alice, address_limit):
    for _ in range(3):
        log_in_from(client, "192.0.2.1", "alice", "wrong")
    response = log_in_from(client, "192.0.2.1", "alice", "password")
    assertContains(
        response, "Sign-in to the account alice is paused after 3 failed", status_code=429
    )


def test_administrator_manages_users_and_roles_in_the_admin(admin_user, engineering):
    from django.test import Client

    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/accounts/user/").status_code == 200
    page = client.get(f"/admin/accounts/user/{admin_user.pk}/change/").content.decode()
    assert 'name="role"' in page and 'name="units"' in page


def test_office_staff_without_staff_flag_cannot_open_the_admin(office_client):
    response = office_client.get("/admin/accounts/user/")
    assert response.status_code == 302
