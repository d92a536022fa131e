from http import HTTPStatus

import pytest
from django.test import RequestFactory

from fansite.web import views

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_the_sites_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.text
    assert 'class="site-header"' in response.text  # the site's own layout


@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        (views.bad_request, HTTPStatus.BAD_REQUEST, "make sense"),
        (views.permission_denied, HTTPStatus.FORBIDDEN, "do that here"),
    ],
)
def test_error_handlers_render_in_site_style(handler, status, heading, rf: RequestFactory):
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = handler(request, Exception("boom"))

    assert response.status_code == status
    assert heading in response.content.decode()


def test_server_error_page_needs_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.server_error(rf.get("/"))

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Something went wrong" in response.content.decode()
