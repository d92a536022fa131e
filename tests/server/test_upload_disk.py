"""The disk that holds uploads fills up, or turns read-only: avatars fail cleanly.

MEDIA_ROOT is a tiny tmpfs mounted for the test (the tests run as root, which
ignores file modes, so only a real filesystem can refuse a write). A member
uploads a picture, then tries to replace it while the filesystem is full and
while it is mounted read-only, then once more after it is writable again.

Each failed upload must answer with the profile form and a message saying the
picture could not be saved (503), keep the old picture (on the profile and on
disk) and leave no file behind, not even a partly written one; the last upload
must replace the picture and remove the old files.
"""

from http import HTTPStatus

import pytest

from .conftest import PASSWORD, create_members
from .outages import PatientBrowser, can_mount, log_in, small_filesystem
from .web import avatar_sources, png_bytes

pytestmark = pytest.mark.server

SIZE_KB = 512


@pytest.fixture
def media(tmp_path):
    if not can_mount():
        pytest.skip(
            "Mounting a small filesystem needs root with CAP_SYS_ADMIN; without it a "
            "full or read-only disk cannot be shown (root ignores file modes)."
        )
    with small_filesystem(tmp_path / "media", SIZE_KB) as filesystem:
        yield filesystem


def upload(browser, server, colour):
    return browser.submit(
        f"{server.url}/settings/profile/",
        {"display_name": "", "bio": "Science teacher."},
        files={"avatar": ("picture.png", png_bytes(colour=colour), "image/png")},
    )


def profile_avatar(server):
    """The picture a visitor sees on the member's profile."""
    (source,) = avatar_sources(PatientBrowser().get(f"{server.url}/members/ilsu/").text)
    return source


def test_a_full_or_read_only_disk_refuses_the_upload_and_keeps_the_old_avatar(
    media, scratch_sqlite, start_gunicorn
):
    env = {"DATABASE_URL": scratch_sqlite.url, "MEDIA_ROOT": media.folder, "SERVE_MEDIA": 1}
    create_members(env, ["ilsu"])
    server = start_gunicorn(env, workers=1)
    member = log_in(server.url, "ilsu", PASSWORD)

    assert upload(member, server, (200, 30, 60)).status_code == HTTPStatus.FOUND
    first = profile_avatar(server)
    first_files = media.files()
    assert len(first_files) == 3  # 48, 128 and 256 pixels

    filler = media.fill()
    assert media.free_bytes() == 0
    full = upload(member, server, (30, 60, 200))
    filler.unlink()
    media.read_only()
    read_only = upload(member, server, (30, 200, 60))
    media.read_write()

    for refused in (full, read_only):
        assert refused.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert "Your picture could not be saved" in refused.text
        assert 'name="bio"' in refused.text  # the form, with what was typed
        assert "Science teacher." in refused.text
    # The old picture stays, on the profile and on disk, and nothing was left behind.
    assert profile_avatar(server) == first
    assert media.files() == first_files
    assert member.get(server.url + first).status_code == HTTPStatus.OK
    print(
        f"\nFull disk: 503 in {full.elapsed.total_seconds() * 1000:.0f} ms; "
        f"read-only: 503 in {read_only.elapsed.total_seconds() * 1000:.0f} ms"
    )

    # Writable again: the new picture replaces the old one, whose files go.
    assert upload(member, server, (30, 200, 60)).status_code == HTTPStatus.FOUND
    second = profile_avatar(server)
    assert second != first
    assert len(media.files()) == 3
    assert not set(media.files()) & set(first_files)

    log = server.log_tail(200)
    assert "Storing an avatar for member" in log
    assert "Internal Server Error" not in log
