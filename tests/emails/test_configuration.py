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
        # Only the checks of its tag: the model checks would ask the database for its
        # features (JSONField), which a test without the database may not do.
        call_command("check", tags=["compatibility"])


def test_an_unknown_mail_backend_is_a_system_check_error(settings):
    settings.MAILERS = {"default": {"BACKEND": "fansite.nowhere.EmailBackend"}}

    [error] = check_mailers()

    assert "fansite.nowhere.EmailBackend" in error.msg


def test_the_configured_mailers_pass():
    assert check_mailers() == []


PRINT_MAILER = (
    "from django.core.mail import mailers; m = mailers.default; "
    "print(type(m).__module__, type(m).__name__, getattr(m, 'file_path', '-'))"
)


def test_development_writes_readable_mail_files_into_var_mail():
    result = run_django(PRINT_MAILER, DEBUG="1", EMAIL_URL="")

    assert result.returncode == 0, result.stderr
    module, name, folder = result.stdout.split()
    assert (module, name) == ("fansite.emails.backends", "ReadableFileBackend")
    assert folder.endswith("/var/mail")


def test_an_smtp_email_url_is_djangos_own_smtp_backend():
    result = run_django(
        PRINT_MAILER,
        DEBUG="0",
        SECRET_KEY="k3y-" + "z" * 60,
        EMAIL_URL="smtp+tls://user:secret@smtp.example.org:587",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.smtp", "EmailBackend", "-"]


RESET_LINK = "http://127.0.0.1:8000/accounts/password/reset/key/" + "k3y" * 30 + "/"


@pytest.mark.slow_subprocess
def test_mail_to_files_is_readable_and_its_links_show_on_the_console(tmp_path):
    """As `make run` (and `make serve`, through filemail://) write mail: the file holds
    the decoded text, and the process's console says who it is for and its links."""
    result = run_django(
        "from django.core.mail import send_mail; "
        f"send_mail('Reset your password', 'Open this link:\\n\\n{RESET_LINK}\\n', "
        "None, ['namra@example.com'])",
        DEBUG="1",
        EMAIL_URL=f"filemail:///{tmp_path}",  # as make serve sets it
    )

    assert result.returncode == 0, result.stderr
    [message_file] = tmp_path.iterdir()
    lines = message_file.read_text(encoding="utf-8").splitlines()
    assert "To: namra@example.com" in lines
    assert "Subject: Reset your password" in lines
    assert RESET_LINK in lines
    assert (
        f"Mail to namra@example.com: Reset your password — links: {RESET_LINK} ({message_file})"
    ) in result.stderr.splitlines()


PRINT_PROTOCOL = "from django.conf import settings; print(settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL)"
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k3y-" + "z" * 60}


@pytest.mark.slow_subprocess
@pytest.mark.parametrize(
    ("environment", "protocol"),
    [
        ({"DEBUG": "1"}, "http"),
        (PRODUCTION, "https"),
        # make serve: production settings on plain HTTP, so its links must be http too.
        ({**PRODUCTION, "SECURE_SSL_REDIRECT": "0"}, "http"),
        (
            {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SITE_URL": "https://fans.example.org"},
            "https",
        ),
    ],
)
def test_account_links_use_the_scheme_the_site_is_served_on(environment, protocol):
    result = run_django(PRINT_PROTOCOL, **environment)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == protocol
