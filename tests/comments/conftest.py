import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory

from fansite.articles.models import Article
from fansite.comments.forms import comment_form_for
from fansite.comments.selectors import comment_page
from fansite.spoilers.readers import reader_for
from tests.users.factories import UserFactory

from .factories import ThreadFactory


@pytest.fixture
def member(db):
    return UserFactory(username="jungeun", display_name="Nam On-jo", watched_up_to=12)


@pytest.fixture
def thread(db):
    return ThreadFactory()


@pytest.fixture
def article(db):
    """The source article seeded by the articles migration."""
    return Article.objects.get()


def render_comments(target, *, user=None, query=""):
    """The comments partial exactly as a thread or article page includes it."""
    request = RequestFactory().get(f"{target.get_absolute_url()}?{query}")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    page_reader = reader_for(request).for_page(target)
    context = {
        "target": target,
        "comments": comment_page(target=target, page=request.GET.get("page")),
        "comment_form": comment_form_for(request, target, page_reader),
        "page_reader": page_reader,
    }
    return render_to_string("comments/_comments.html", context, request=request)
