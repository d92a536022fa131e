"""Static files as production serves them: WhiteNoise inside gunicorn, hashed names
from collectstatic, compressed (Brotli or gzip, as the browser asks) and cached
for a year; unhashed names only briefly."""

import re
from http import HTTPStatus

import pytest
import requests

pytestmark = pytest.mark.server


def test_stylesheets_are_compressed_and_cached_for_a_year(scratch_sqlite, start_gunicorn):
    server = start_gunicorn({"DATABASE_URL": scratch_sqlite.url}, workers=1)
    home = requests.get(f"{server.url}/", timeout=30)
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text).group(1)

    for encoding in ("br", "gzip"):
        response = requests.get(
            f"{server.url}{stylesheet}", headers={"Accept-Encoding": encoding}, timeout=30
        )
        assert response.status_code == HTTPStatus.OK
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Content-Type"].startswith("text/css")
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]
        assert "--font" in response.text  # requests decodes both encodings

    plain = requests.get(f"{server.url}/static/css/site.css", timeout=30)
    assert plain.status_code == HTTPStatus.OK
    assert "immutable" not in plain.headers["Cache-Control"]
