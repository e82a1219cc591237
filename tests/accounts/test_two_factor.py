"""Two-factor sign-in (TOTP): required of admins and editors where BULLETIN_TWO_FACTOR is "required" (production's
default), optional elsewhere; a user with a device always enters a code."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bulletin.newsroom import roles
from bulletin.newsroom.models import StoryPage
from tests.factories import story_form_data

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")


def current_code(device):
    """The code an authenticator app shows now for ``device``."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():0{device.digits}d}"


@pytest.fixture
def required(settings):
    """Production's setting (bulletin/settings/production.py)."""
    settings.BULLETIN_TWO_FACTOR = "required"


def test_production_requires_two_factor():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.BULLETIN_TWO_FACTOR)"
    env = {
        "DJANGO_SETTINGS_MODULE": "bulletin.settings.production",
        "BULLETIN_SECRET_KEY": "x" * 60,
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "required"


def test_editor_without_a_device_is_sent_to_enrol_then_gets_in(required, client_for):
    client = client_for(roles.EDITORS)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts_two_factor_enrol"))

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code
    device = TOTPDevice.objects.get(user=client.user, confirmed=False)

    wrong = client.post(response["Location"], {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above made the device wait before the next try
    device.throttling_failure_timestamp = None
    device.save()

    done = client.post(response["Location"], {"code": current_code(device), "next": HOME})
    assert done.status_code == 302 and done["Location"] == HOME
    assert TOTPDevice.objects.get(user=client.user).confirmed
    assert client.get(HOME).status_code == 200


@pytest.fixture
def editor_with_device(required, client_for):
    client = client_for(roles.EDITORS)
    client.device = TOTPDevice.objects.create(user=client.user, name="phone", confirmed=True)
    return client


def test_editor_with_a_device_must_enter_a_valid_code(editor_with_device):
    client = editor_with_device
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts_two_factor_verify"))
    code = current_code(client.device)
    refused = client.post(response["Location"], {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert refused.status_code == 200 and "not valid" in refused.content.decode()
    assert client.get(HOME).status_code == 302


def test_editor_with_a_device_gets_in_with_the_code(editor_with_device):
    client = editor_with_device
    verify_url = client.get(HOME)["Location"]
    response = client.post(verify_url, {"code": current_code(client.device)})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_an_unverified_editor_cannot_write_through_the_admin(editor_with_device, feed_page):
    client = editor_with_device
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", feed_page.pk)),
        story_form_data(title="Sneaked in", slug="sneaked-in"),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts_two_factor_verify"))
    assert not StoryPage.objects.filter(slug="sneaked-in").exists()


def test_admin_is_required_too(required, client_for):
    response = client_for(roles.ADMINS).get(HOME)
    assert response["Location"].startswith(reverse("accounts_two_factor_enrol"))


@pytest.mark.parametrize("role", [roles.CONTRIBUTORS, roles.AUTHORS])
def test_other_roles_may_choose(required, client_for, role):
    assert client_for(role).get(HOME).status_code == 200


def test_optional_by_default_for_the_demo(client_for):
    """Dev and test settings: an editor without a device signs in with a password alone."""
    assert client_for(roles.EDITORS).get(HOME).status_code == 200


def test_a_device_is_used_even_where_optional(client_for):
    client = client_for(roles.AUTHORS)
    TOTPDevice.objects.create(user=client.user, name="phone", confirmed=True)
    assert client.get(HOME)["Location"].startswith(reverse("accounts_two_factor_verify"))
