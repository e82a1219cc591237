"""Sign-in throttling through Wagtail's real login view (issue 12, finding 11): django-axes locks an account,
and an address, after AXES_FAILURE_LIMIT wrong passwords, until the cool-off has passed."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

from bulletin.accounts.throttling import client_address
from bulletin.newsroom import roles

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOCKED = "Too many failed sign-ins"


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("throttled-editor", password=PASSWORD)
    roles.assign_role(user, roles.EDITORS)
    return user


def sign_in(username, password, address="192.0.2.10"):
    """POST the admin's login form from ``address`` as a browser does (CSRF token included)."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    url = reverse("wagtailadmin_login")
    client.get(url)
    response = client.post(
        url,
        {
            "username": username,
            "password": password,
            "next": reverse("wagtailadmin_home"),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    response.signed_in = "_auth_user_id" in client.session
    return response


def test_six_wrong_passwords_lock_the_account_until_the_cool_off(editor):
    assert settings.AXES_FAILURE_LIMIT == 5
    responses = [sign_in(editor.username, f"wrong-{i}") for i in range(6)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
    assert LOCKED not in responses[0].content.decode()
    assert LOCKED in responses[-1].content.decode()
    assert "Try again in" in responses[-1].content.decode()

    right = sign_in(editor.username, PASSWORD)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert not right.signed_in

    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    after = sign_in(editor.username, PASSWORD)
    assert after.status_code == 302 and after.signed_in


def test_the_account_locks_whatever_address_the_guesses_come_from(editor):
    for i in range(5):
        sign_in(editor.username, "wrong", address=f"198.51.100.{i}")
    right = sign_in(editor.username, PASSWORD, address="203.0.113.7")
    assert right.status_code == 429 and not right.signed_in


def test_an_address_locks_whatever_accounts_it_guesses(editor):
    for i in range(5):
        sign_in(f"nobody-{i}", "wrong", address="198.51.100.99")
    from_there = sign_in(editor.username, PASSWORD, address="198.51.100.99")
    assert from_there.status_code == 429 and not from_there.signed_in
    elsewhere = sign_in(editor.username, PASSWORD, address="203.0.113.8")
    assert elsewhere.status_code == 302 and elsewhere.signed_in


def test_a_right_password_resets_the_count(editor):
    for _ in range(4):
        sign_in(editor.username, "wrong")
    assert sign_in(editor.username, PASSWORD).signed_in
    assert sign_in(editor.username, "wrong").status_code == 200  # a fresh count, not the fifth failure


def test_client_address_behind_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    settings.BULLETIN_PROXIES = 0
    assert client_address(request) == "127.0.0.1"
    settings.BULLETIN_PROXIES = 1  # nginx appended the client's address; what came before is the client's claim
    assert client_address(request) == "192.0.2.44"
    settings.BULLETIN_PROXIES = 3  # fewer entries than proxies: the header is not trusted
    assert client_address(request) == "127.0.0.1"
