"""API tokens expire, and a password change or an administrator revokes them."""

import datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.accounts.tests.factories import UserFactory

NEW_PASSWORD = "Steel-and-Coal-2025"
API_URL = "/api/v1/institutions/"


@pytest.fixture
def alice(db):
    """A user whose password is 'password' (see UserFactory)."""
    return UserFactory(username="alice", email="alice@example.org", role="office")


def sign_in(username="alice", password="password") -> dict:
    response = APIClient().post(
        reverse("api-token"), {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def api_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def age(token_key: str, days: float) -> None:
    """Make the token as old as that."""
    created = timezone.now() - datetime.timedelta(days=days)
    Token.objects.filter(key=token_key).update(created=created)


def has_token(user) -> bool:
    return Token.objects.filter(user=user).exists()


# --- Expiry --------------------------------------------------------------------------------------


def test_the_token_endpoint_says_when_the_token_expires(alice):
    answer = sign_in()
    token = Token.objects.get(user=alice)
    assert answer["token"] == token.key
    assert parse_datetime(answer["expires"]) == token.created + datetime.timedelta(days=90)


def test_a_token_works_until_it_expires(alice):
    key = sign_in()["token"]
    age(key, 89.9)
    assert api_with(key).get(API_URL).status_code == 200


def test_an_expired_token_answers_401_saying_so(alice):
    key = sign_in()["token"]
    age(key, 90)
    response = api_with(key).get(API_URL)
    assert response.status_code == 401
    assert response.json() == {
        "error": "authentication_failed",
        "detail": "The token has expired; sign in at /api/v1/auth/token/ for a new one.",
    }


def test_signing_in_after_expiry_gives_a_new_token(alice):
    old = sign_in()["token"]
    age(old, 91)
    new = sign_in()["token"]
    assert new != old
    assert list(Token.objects.filter(user=alice).values_list("key", flat=True)) == [new]
    assert api_with(new).get(API_URL).status_code == 200
    assert api_with(old).get(API_URL).status_code == 401


def test_the_lifetime_follows_the_setting(alice, settings):
    settings.API_TOKEN_DAYS = 7
    answer = sign_in()
    token = Token.objects.get(key=answer["token"])
    assert parse_datetime(answer["expires"]) == token.created + datetime.timedelta(days=7)
    age(token.key, 7.01)
    assert api_with(token.key).get(API_URL).status_code == 401


# --- Revocation ----------------------------------------------------------------------------------


def test_changing_the_password_revokes_the_token(alice):
    key = sign_in()["token"]
    client = Client()
    client.force_login(alice)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert not has_token(alice)
    assert api_with(key).get(API_URL).status_code == 401
    assert sign_in(password=NEW_PASSWORD)["token"] != key


def test_a_password_reset_revokes_the_token(alice):
    key = sign_in()["token"]
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert api_with(key).get(API_URL).status_code == 401


def test_an_administrator_setting_the_password_revokes_the_token(alice, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    key = sign_in()["token"]
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{alice.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not has_token(alice)
    assert api_with(key).get(API_URL).status_code == 401


def test_disabling_password_sign_in_revokes_the_token(alice):
    sign_in()
    alice.set_unusable_password()
    alice.save()
    assert not has_token(alice)


def test_other_changes_to_the_user_keep_the_token(alice):
    key = sign_in()["token"]
    alice.first_name = "Alicja"
    alice.save()
    assert api_with(key).get(API_URL).status_code == 200


def test_a_password_hash_upgrade_at_sign_in_keeps_the_token(alice):
    key = sign_in()["token"]
    # A salt too short for today's hasher: the next sign-in stores the password hashed anew.
    alice.password = make_password("password", salt="ab", hasher="md5")
    alice.save()
    assert sign_in()["token"] == key
    alice.refresh_from_db()
    assert "$ab$" not in alice.password, "the hash was upgraded"
    assert has_token(alice)


def test_the_administrator_revokes_the_tokens_of_selected_users(alice, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    for user in (alice, bob, carol):
        sign_in(user.username)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [alice.pk, bob.pk]},
        follow=True,
    )
    assert "2 API tokens were revoked." in response.content.decode()
    assert (has_token(alice), has_token(bob), has_token(carol)) == (False, False, True)
