import pytest

from .smtp import SMTPServer, free_port


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server that the site's default mailer sends to."""
    server = SMTPServer().start()
    settings.MAILERS = {"default": server.mailer()}
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings):
    """The site's mailer points at a port where nothing listens (connection refused)."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port
