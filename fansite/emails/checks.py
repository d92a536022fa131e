"""A mail configuration that cannot work is a start-up error that says what to set,
not a 500 when the first member signs up."""

from django.core import checks
from django.core.mail import InvalidMailer, MailerDoesNotExist, mailers

HINT = (
    "Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587, or leave it "
    "unset to hand mail to the local MTA on localhost:25 (docs/deploy.md)."
)


@checks.register(checks.Tags.compatibility)
def check_mailers(app_configs=None, **kwargs):
    errors = []
    for alias in mailers:
        try:
            mailers.create_connection(alias)
        except (InvalidMailer, MailerDoesNotExist, TypeError, ValueError) as error:
            errors.append(
                checks.Error(
                    f"MAILERS[{alias!r}] cannot send mail: {error}",
                    hint=HINT,
                    id="emails.E001",
                )
            )
    return errors
