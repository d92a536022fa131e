from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from fansite.emails.services import queue_message
from fansite.spoilers.readers import adopt_visitor_progress

from .models import User
from .validators import normalize_username, username_key, validate_username


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific account rules: what makes an acceptable username, how account
    email is sent, how a new member is greeted."""

    signing_up = False
    # A new member who has not said how far they have watched: the welcome waits
    # for the last step of sign-up (spoilers:progress_signup).
    asks_progress = False

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": _("That username is taken."),
        "username_blacklisted": _("That username is reserved. Please choose another."),
    }

    def clean_username(self, username, shallow=False):
        """NFKC-normalise, apply the site's rules and allauth's, then refuse a name
        that is taken.

        Taken means another member has the same ``username_key``: "Alice",
        "ALİCE" and a full-width "alice" are taken once "alice" exists, on SQLite
        as on PostgreSQL. allauth's own lookup (``iexact``, through the database's case
        rules) is skipped with ``shallow=True``; the key's unique index stops a
        sign-up that races this check.
        """
        username = normalize_username(username)
        validate_username(username)
        username = super().clean_username(username, shallow=True)
        if not shallow and User.objects.filter(username_key=username_key(username)).exists():
            raise self.validation_error("username_taken")
        return username

    def post_login(self, request, user, *, signup, **kwargs):
        """Log the member in as allauth does; the message it adds greets a new
        member with "Welcome", not "Welcome back" (``add_message`` below).

        How far a visitor said they had watched goes with them onto an account that
        has never been told. A new member who had not said ends sign-up on "How far
        have you watched?", which then welcomes them and sends them on to where they
        were going.
        """
        self.signing_up = signup
        adopt_visitor_progress(request, user)
        self.asks_progress = signup and user.progress_chosen_at is None and not user.watched_up_to
        response = super().post_login(request, user, signup=signup, **kwargs)
        if self.asks_progress and isinstance(response, HttpResponseRedirect):
            step = reverse("spoilers:progress_signup")
            response = HttpResponseRedirect(f"{step}?{urlencode({'next': response.url})}")
        return response

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        if message_template == "account/messages/logged_in.txt" and self.signing_up:
            if self.asks_progress:
                return None  # said by the last step of sign-up instead
            message_template = "account/messages/signed_up.txt"
        return super().add_message(request, level, message_template, *args, **kwargs)

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
