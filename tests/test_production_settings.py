"""bulletin.settings.production: HTTPS only, secure cookies, a secret key from the environment, and
`check --deploy` clean but for the checks it silences on purpose (issue 12, finding 11)."""

import json
import os
import subprocess
import sys

import pytest

SECRET = "k" * 20 + "Q9x_-" * 8  # long and varied enough for security.W009


def run(code, tmp_path, **env):
    environment = {
        "PATH": os.environ["PATH"],
        "BULLETIN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "bulletin.settings.production",
        "BULLETIN_SECRET_KEY": SECRET,
        "BULLETIN_ALLOWED_HOSTS": "news.example.org",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={k: v for k, v in environment.items() if v is not None},
        capture_output=True,
        text=True,
    )


def deploy_check(tmp_path, **env):
    return run(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['django-admin', 'check', '--deploy', '--fail-level', 'WARNING'])",
        tmp_path,
        **env,
    )


def settings_of(tmp_path, **env):
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "BULLETIN_TWO_FACTOR",
    ]
    out = run(
        f"import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))",
        tmp_path,
        **env,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_deploy_check_is_clean(tmp_path):
    out = deploy_check(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues (3 silenced)" in out.stdout + out.stderr


def test_deploy_check_fails_without_hsts(tmp_path):
    # The counterpart of the test above: the check does see a weakened setting.
    out = deploy_check(tmp_path, BULLETIN_HSTS_SECONDS="0")
    assert out.returncode != 0 and "security.W004" in out.stdout + out.stderr


def test_secret_key_is_required(tmp_path):
    out = deploy_check(tmp_path, BULLETIN_SECRET_KEY=None)
    assert out.returncode != 0 and "Set BULLETIN_SECRET_KEY" in out.stderr


def test_defaults(tmp_path):
    assert settings_of(tmp_path) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "BULLETIN_TWO_FACTOR": "required",
    }


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"BULLETIN_SSL_REDIRECT": "0"}, {"SECURE_SSL_REDIRECT": False}),
        (
            {"BULLETIN_SECURE_PROXY_HEADER": "X-Forwarded-Proto"},
            {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]},
        ),
        (
            {"BULLETIN_HSTS_SECONDS": "600", "BULLETIN_HSTS_INCLUDE_SUBDOMAINS": "1", "BULLETIN_HSTS_PRELOAD": "1"},
            {"SECURE_HSTS_SECONDS": 600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True},
        ),
    ],
)
def test_environment_overrides(tmp_path, env, expected):
    values = settings_of(tmp_path, **env)
    assert {name: values[name] for name in expected} == expected
