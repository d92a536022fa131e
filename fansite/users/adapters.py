from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext_lazy as _

from fansite.emails.services import queue_message

from .validators import normalize_username, validate_username


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific account rules: what makes an acceptable username."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": _("That username is taken."),
        "username_blacklisted": _("That username is reserved. Please choose another."),
    }

    def clean_username(self, username, shallow=False):
        """NFKC-normalise, apply the site's rules, then allauth's own checks.

        allauth looks the name up case-insensitively (``iexact``) because
        ``ACCOUNT_PRESERVE_USERNAME_CASING`` is on, so "Alice" is refused once
        "alice" exists, with the "taken" message above rather than a database
        error from the ``user_username_ci_unique`` constraint.
        """
        username = normalize_username(username)
        validate_username(username)
        return super().clean_username(username, shallow=shallow)

    def send_mail(self, template_prefix, email, context):
        """Queue an account email (verification, password reset…) rather than send
        it: fansite.emails sends it once the request's transaction has committed,
        so a mail server that is down never turns sign-up or a reset into an error.

        The mail templates use ``site_name``/``site_url`` like the web pages do,
        rather than the ``sites`` framework's placeholder "example.com".
        """
        request = allauth_context.request
        site_url = settings.SITE_URL
        if not site_url and request is not None:
            site_url = request.build_absolute_uri("/").rstrip("/")
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "site_name": settings.SITE_NAME,
            "site_url": site_url,
            **context,
        }
        queue_message(self.render_mail(template_prefix, email, context))
