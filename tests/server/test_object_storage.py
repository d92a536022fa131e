"""Uploads in S3-compatible object storage (S3_BUCKET and friends), with moto as S3.

Two gunicorn instances share an SQLite database and a bucket, and nothing else:
no media folder (MEDIA_ROOT is an empty folder that must stay empty) and no
Django-served media (SERVE_MEDIA=0). An avatar uploaded through one server must
land in the bucket, be shown by the other with a URL on the object store, and
go from the bucket when the member removes it or deletes their account.
"""

import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from .conftest import (
    PASSWORD,
    Gunicorn,
    GunicornPool,
    MotoServer,
    ScratchDatabase,
    create_members,
    migrate,
    sqlite_database,
    unique_name,
)
from .web import Browser, avatar_sources, is_webp, png_bytes

pytestmark = pytest.mark.server

MEMBERS = ("gyeongsu", "daesu", "hari", "nayeon")
RENDITION_SIZES = (48, 128, 256)  # settings.AVATAR_SIZES


@dataclass
class Site:
    a: Gunicorn
    b: Gunicorn
    database: ScratchDatabase
    media_root: Path
    store_url: str
    bucket: str
    s3: object  # a boto3 S3 client

    def keys(self, prefix):
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return {item["Key"] for item in listing.get("Contents", [])}

    def avatar_folder(self, username):
        return self.database.value("SELECT avatar FROM users_user WHERE username = %s", username)


@pytest.fixture(scope="module")
def site(static_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("object-storage")
    media_root = folder / "media"
    media_root.mkdir()
    moto = MotoServer("moto-s3", folder)
    try:
        moto.start()
        credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        s3 = boto3.client(
            "s3",
            endpoint_url=moto.url,
            region_name="us-east-1",
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        )
        bucket = unique_name().replace("_", "-")  # bucket names take no underscores
        s3.create_bucket(Bucket=bucket)
        database = migrate(sqlite_database(folder))
        env = {
            "DATABASE_URL": database.url,
            "MEDIA_ROOT": media_root,
            "SERVE_MEDIA": 0,
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": moto.url,
            "S3_REGION": "us-east-1",
            **credentials,
        }
        create_members(env, MEMBERS)
        with GunicornPool(static_root, folder) as pool:
            yield Site(
                a=pool.start(env, name="A"),
                b=pool.start(env, name="B"),
                database=database,
                media_root=media_root,
                store_url=moto.url,
                bucket=bucket,
                s3=s3,
            )
    finally:
        moto.stop()


def upload_avatar(site, username):
    """Log in on server A and upload a picture there; returns the logged-in browser."""
    browser = Browser()
    browser.log_in(site.a.url, username, PASSWORD)
    response = browser.submit(
        f"{site.a.url}/settings/profile/",
        {"display_name": "", "bio": ""},
        files={"avatar": (f"{username}.png", png_bytes(), "image/png")},
    )
    assert response.status_code == HTTPStatus.FOUND
    return browser


def test_an_avatar_uploaded_through_one_server_is_stored_in_the_bucket(site):
    upload_avatar(site, "gyeongsu")

    folder = site.avatar_folder("gyeongsu")
    assert re.fullmatch(r"avatars/[0-9a-f]{32}", folder)
    assert site.keys(f"{folder}/") == {f"{folder}/{size}.webp" for size in RENDITION_SIZES}
    stored = site.s3.head_object(Bucket=site.bucket, Key=f"{folder}/128.webp")
    assert stored["ContentType"] == "image/webp"
    assert not any(site.media_root.iterdir())  # nothing written to the local media folder


def test_the_other_server_links_the_avatar_on_the_object_store(site):
    upload_avatar(site, "nayeon")
    folder = site.avatar_folder("nayeon")

    profile = requests.get(f"{site.b.url}/members/nayeon/", timeout=30)

    (source,) = avatar_sources(profile.text)
    assert source.startswith(f"{site.store_url}/{site.bucket}/{folder}/128.webp?")
    image = requests.get(source, timeout=30)  # a signed URL, fetched from the store itself
    assert image.status_code == HTTPStatus.OK
    assert image.headers["Content-Type"] == "image/webp"
    assert is_webp(image.content)


def test_pages_let_browsers_load_avatars_from_the_object_store(site):
    upload_avatar(site, "nayeon")

    profile = requests.get(f"{site.b.url}/members/nayeon/", timeout=30)

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in profile.headers["Content-Security-Policy"].split(";")
        if " " in directive.strip()
    )
    store = urlsplit(site.store_url)
    assert f"{store.scheme}://{store.netloc}" in policy["img-src"].split()


def test_removing_the_avatar_on_the_other_server_deletes_its_objects(site):
    browser = upload_avatar(site, "daesu")
    folder = site.avatar_folder("daesu")
    assert len(site.keys(f"{folder}/")) == len(RENDITION_SIZES)

    response = browser.submit(
        f"{site.b.url}/settings/profile/", {"display_name": "", "bio": "", "remove_avatar": "on"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert site.avatar_folder("daesu") == ""
    assert site.keys(f"{folder}/") == set()


def test_deleting_the_account_on_the_other_server_deletes_the_avatar_objects(site):
    browser = upload_avatar(site, "hari")
    folder = site.avatar_folder("hari")
    assert len(site.keys(f"{folder}/")) == len(RENDITION_SIZES)

    response = browser.submit(f"{site.b.url}/settings/delete/", {"password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert not site.database.query("SELECT id FROM users_user WHERE username = %s", "hari")
    assert site.keys(f"{folder}/") == set()
