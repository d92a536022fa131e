"""A mail configuration that cannot work stops the site at start-up with what to set;
the documented production default (no EMAIL_URL: the local MTA) is valid."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from fansite.emails.checks import check_mailers
from tests.web.test_settings import run_django

PRINT_DEFAULTS = (
    "from django.conf import settings; from django.core.mail import mailers; "
    "m = mailers.default; print(m.host, m.port, m.timeout, settings.TASKS['default']['BACKEND'])"
)


def test_production_without_email_url_sends_to_the_local_mta_through_the_worker():
    result = run_django(PRINT_DEFAULTS, DEBUG="0", SECRET_KEY="k3y-" + "z" * 60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["localhost", "25", "30", "django_tasks_db.DatabaseBackend"]


def test_development_sends_at_commit_without_a_worker():
    result = run_django(
        "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])",
        DEBUG="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.tasks.backends.immediate.ImmediateBackend"


def test_a_mailer_that_cannot_work_is_a_system_check_error(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}

    [error] = check_mailers()

    assert error.id == "emails.E001"
    assert "host" in error.msg
    assert "EMAIL_URL" in error.hint
    with pytest.raises(SystemCheckError, match=r"emails\.E001"):
        call_command("check")


def test_an_unknown_mail_backend_is_a_system_check_error(settings):
    settings.MAILERS = {"default": {"BACKEND": "fansite.nowhere.EmailBackend"}}

    [error] = check_mailers()

    assert "fansite.nowhere.EmailBackend" in error.msg


def test_the_configured_mailers_pass():
    assert check_mailers() == []
