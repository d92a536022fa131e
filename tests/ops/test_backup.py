"""`manage.py backup` and `manage.py restore`, end to end.

Every step is a real `manage.py` process with its own DATABASE_URL and
MEDIA_ROOT: an SQLite file in the test's temporary folder, or a scratch
PostgreSQL database (``fansite_bak_<random>``, created here and dropped
afterwards). A site is migrated, seeded, given a member with an avatar, backed
up, and the archive restored into a fresh database and media folder; then every
member, article, thread and comment is compared field by field, and every media
file byte for byte.

PostgreSQL (postgres@127.0.0.1:5432) is used when it answers; otherwise its
tests are skipped, or fail when FANSITE_REQUIRE_SERVICES=1.
"""

import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import tarfile
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[2]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable)
PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
PG_PREFIX = "fansite_bak_"
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
ARCHIVE_NAME = re.compile(r"^fansite-\d{8}T\d{6}Z(-\d+)?\.tar\.gz$")
AVATAR_SIZES = (48, 128, 256)

# Everything the comparison looks at, printed as one JSON line.
SNAPSHOT_CODE = """
import json
from django.contrib.auth import get_user_model
from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.threads.models import Thread

def rows(model, *fields):
    return {str(pk): rest for pk, *rest in model._base_manager.values_list("pk", *fields)}

print("SNAPSHOT " + json.dumps({
    "users": rows(get_user_model(), "username", "email", "display_name", "bio", "avatar",
                  "password", "watched_up_to"),
    "articles": rows(Article, "slug", "title", "body_html", "status"),
    "threads": rows(Thread, "title", "board_id", "author_id", "reply_count"),
    "comments": rows(Comment, "body_html", "thread_id", "article_id", "author_id",
                     "parent_id", "created_at"),
}, default=str))
"""

# A member with an uploaded avatar, through the same services as the profile page.
AVATAR_CODE = """
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from fansite.users import avatars, services
from fansite.users.models import User

picture = io.BytesIO()
Image.new("RGB", (300, 200), (200, 30, 60)).save(picture, "PNG")
member = User.objects.create_user(
    "restore_check", "restore-check@example.invalid", "restore-check-password-4821"
)
prepared = avatars.prepare_avatar(
    SimpleUploadedFile("me.png", picture.getvalue(), content_type="image/png")
)
services.update_profile(
    member=member, display_name="Restore Check", bio="Here to be restored.", avatar=prepared
)
print("AVATAR " + member.avatar)
"""

# Posts comments, one transaction each, until the stop file appears: a site
# that keeps serving while the backup runs.
WRITER_CODE = """
import os, time
from fansite.comments.models import Comment
from fansite.threads.models import Thread
from fansite.users.models import User

thread = Thread.objects.order_by("pk").first()
author = User.objects.order_by("pk").first()
ready, stop = os.environ["WRITER_READY"], os.environ["WRITER_STOP"]
written = 0
while not os.path.exists(stop):
    Comment.objects.create(thread=thread, author=author, body=f"Still writing, number {written}.")
    written += 1
    if written == 20:
        open(ready, "w").close()
print("WRITTEN", written)
"""


@dataclass
class Site:
    """One configuration of the site: a database and a media folder."""

    database_url: str
    media_root: Path
    extra_env: dict | None = None

    def env(self):
        env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
        env.update(
            DJANGO_SETTINGS_MODULE="fansite.settings",
            DEBUG="1",
            DATABASE_URL=self.database_url,
            MEDIA_ROOT=str(self.media_root),
            # Empty, so that a developer's .env cannot switch them on.
            S3_BUCKET="",
            CACHE_URL="",
            REDIS_URL="",
        )
        env.update(self.extra_env or {})
        return env

    def run(self, *args, stdin=None):
        """``manage.py *args``; the completed process, whatever its exit status."""
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=REPO,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def manage(self, *args, stdin=None):
        """``manage.py *args``, which must succeed; its standard output."""
        result = self.run(*args, stdin=stdin)
        if result.returncode != 0:
            pytest.fail(
                f"manage.py {' '.join(args)} exited with {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
                pytrace=False,
            )
        return result.stdout

    def shell(self, code, mark):
        """Run ``code`` in ``manage.py shell``; the rest of its line starting with ``mark``."""
        output = self.manage("shell", "--no-imports", "-c", code)
        return next(line for line in output.splitlines() if line.startswith(mark + " "))[
            len(mark) + 1 :
        ]

    def snapshot(self):
        return json.loads(self.shell(SNAPSHOT_CODE, "SNAPSHOT"))

    def media_files(self):
        """{relative path: sha256} of every file under MEDIA_ROOT."""
        if not self.media_root.exists():
            return {}
        return {
            path.relative_to(self.media_root).as_posix(): hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
            for path in sorted(self.media_root.rglob("*"))
            if path.is_file()
        }

    def backup(self, directory):
        started = time.monotonic()
        output = self.manage("backup", "--dir", str(directory))
        seconds = time.monotonic() - started
        archives = sorted(Path(directory).glob("fansite-*.tar.gz"))
        assert len(archives) == 1, archives
        return archives[0], output, seconds


def sqlite_site(folder):
    folder.mkdir(parents=True, exist_ok=True)
    return Site(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media")


def postgres_site(name, folder):
    folder.mkdir(parents=True, exist_ok=True)
    return Site(f"postgres://postgres@127.0.0.1:5432/{name}", folder / "media")


def seed(site):
    """Migrate, seed the demo content, add a member with an avatar; return the
    avatar folder and a snapshot of the content."""
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("seed_demo", "--threads", "10", "--comments", "200", "--seed", "6")
    output = site.manage("shell", "--no-imports", "-c", AVATAR_CODE + SNAPSHOT_CODE)
    marked = dict(line.split(" ", 1) for line in output.splitlines() if " " in line)
    return marked["AVATAR"], json.loads(marked["SNAPSHOT"])


def sqlite_path(site):
    return Path(site.database_url.removeprefix("sqlite:///"))


def copy_sqlite(source, target):
    """Give ``target`` a copy of ``source``'s database (SQLite's backup API)."""
    sqlite_path(target).parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(sqlite_path(source))) as original,
        closing(sqlite3.connect(sqlite_path(target))) as copy,
    ):
        original.backup(copy)


def sqlite_file_state(site):
    """The target's database file and media folder, byte for byte."""
    database = sqlite_path(site)
    files = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in database.parent.glob(database.name + "*")
    }
    return files, site.media_files(), sorted(p.name for p in site.media_root.parent.iterdir())


def archive_members(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return [member.name for member in tar]


def archive_manifest(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def rewrite_archive(archive, destination, *, manifest=None, replace=None, extra=()):
    """A copy of ``archive`` with its manifest changed by ``manifest(dict)``, some
    members' content replaced (``{name: bytes}``) and ``extra`` TarInfo/bytes added."""
    replace = replace or {}
    with tarfile.open(archive, "r:gz") as source, tarfile.open(destination, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == "manifest.json" and manifest:
                content = json.loads(data)
                manifest(content)
                data = json.dumps(content).encode()
            data = replace.get(member.name, data)
            if data is not None:
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
            else:
                copy.addfile(member)
        for info, data in extra:
            if data is not None:
                info.size = len(data)
                copy.addfile(info, io.BytesIO(data))
            else:
                copy.addfile(info)
    return destination


# --- Fixtures ---------------------------------------------------------------------


@dataclass
class Source:
    """A seeded site, its backup and what the restored copies must equal."""

    site: Site
    archive: Path
    output: str
    snapshot: dict
    media: dict
    avatar: str
    seconds: float


def make_source(site, backup_dir):
    avatar, snapshot = seed(site)
    media = site.media_files()
    archive, output, seconds = site.backup(backup_dir)
    return Source(site, archive, output, snapshot, media, avatar, seconds)


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-source")
    return make_source(sqlite_site(folder / "site"), folder / "backups")


@pytest.fixture(scope="module")
def sqlite_bystander(tmp_path_factory):
    """A site with content of its own, for restores that must be refused."""
    site = sqlite_site(tmp_path_factory.mktemp("sqlite-bystander"))
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("seed_demo", "--threads", "2", "--comments", "5", "--members", "2")
    site.media_root.mkdir(exist_ok=True)
    (site.media_root / "keep.txt").write_text("the bystander's own upload\n")
    return site


class ScratchDatabases:
    """Empty PostgreSQL databases named fansite_bak_<random>, dropped by close()."""

    def __init__(self, admin):
        self.admin = admin
        self.created = []

    def create(self):
        from psycopg import sql

        name = f"{PG_PREFIX}{uuid.uuid4().hex[:12]}"
        self.admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return name

    def execute(self, name, statement):
        import psycopg

        with psycopg.connect(**{**PG_ADMIN, "dbname": name}, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def fingerprint(self, name):
        """A hash of every row of the tables a restore replaces."""
        return {
            table: self.execute(
                name,
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t",
            )[0][0]
            for table in ("users_user", "articles_article", "threads_thread", "comments_comment")
        }

    def close(self):
        from psycopg import sql

        for name in self.created:
            self.admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        self.admin.close()


@pytest.fixture(scope="module")
def postgres():
    import psycopg

    try:
        admin = psycopg.connect(**PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc})."
        if os.environ.get("FANSITE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} FANSITE_REQUIRE_SERVICES=1 requires it.", pytrace=False)
        pytest.skip(message)
    databases = ScratchDatabases(admin)
    yield databases
    databases.close()


@pytest.fixture(scope="module")
def postgres_source(postgres, tmp_path_factory):
    folder = tmp_path_factory.mktemp("postgres-source")
    return make_source(postgres_site(postgres.create(), folder / "site"), folder / "backups")


def assert_restored(target, source):
    assert target.snapshot() == source.snapshot
    restored_media = target.media_files()
    assert restored_media == source.media
    for size in AVATAR_SIZES:
        assert f"{source.avatar}/{size}.webp" in restored_media


def assert_counts_match(output):
    """The restore's table of counts: every row equal to the manifest's."""
    assert "Restore finished" in output
    assert "(differs)" not in output


def report_figures(label, source, restore_seconds=None):
    size = source.archive.stat().st_size
    line = f"{label}: archive {size / 1024:.1f} KB, backup {source.seconds:.2f} s"
    if restore_seconds is not None:
        line += f", restore {restore_seconds:.2f} s"
    print(line)


# --- SQLite -----------------------------------------------------------------------


def test_backup_writes_one_private_archive_with_a_manifest(sqlite_source):
    archive = sqlite_source.archive
    assert ARCHIVE_NAME.match(archive.name)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    # No temporary file or staging folder is left beside it.
    assert [path.name for path in archive.parent.iterdir()] == [archive.name]
    assert str(archive) in sqlite_source.output

    members = archive_members(archive)
    assert members[:2] == ["manifest.json", "database.sqlite3"]
    for size in AVATAR_SIZES:
        assert f"media/{sqlite_source.avatar}/{size}.webp" in members

    manifest = archive_manifest(archive)
    assert manifest["format_version"] == 1
    assert manifest["database"]["engine"] == "sqlite"
    assert manifest["created_at"].endswith("Z")
    assert manifest["versions"]["django"].startswith("6.")
    assert manifest["migrations"]["users"].startswith("0")
    assert manifest["counts"] == {key: len(rows) for key, rows in sqlite_source.snapshot.items()}
    assert manifest["media"]["included"] is True
    assert manifest["media"]["files"] == len(sqlite_source.media)


def test_sqlite_backup_restores_into_a_fresh_site(sqlite_source, tmp_path):
    target = sqlite_site(tmp_path / "fresh")
    started = time.monotonic()
    output = target.manage("restore", "--noinput", str(sqlite_source.archive))
    report_figures("SQLite", sqlite_source, time.monotonic() - started)

    assert_counts_match(output)
    assert_restored(target, sqlite_source)
    # Nothing is left of the unpacked archive next to the media folder.
    assert sorted(path.name for path in target.media_root.parent.iterdir()) == [
        "db.sqlite3",
        "media",
    ]


def test_sqlite_restore_asks_first_then_replaces_existing_content(
    sqlite_source, sqlite_bystander, tmp_path
):
    target = sqlite_site(tmp_path / "busy")
    copy_sqlite(sqlite_bystander, target)
    (target.media_root / "avatars").mkdir(parents=True)
    (target.media_root / "avatars" / "stray.webp").write_bytes(b"not in the backup")
    before = sqlite_file_state(target)

    refused = target.manage("restore", str(sqlite_source.archive), stdin="no\n")
    assert "cancelled" in refused
    assert sqlite_file_state(target) == before

    output = target.manage("restore", str(sqlite_source.archive), stdin="yes\n")
    assert_counts_match(output)
    assert_restored(target, sqlite_source)


def test_restored_media_take_the_replaced_folders_mode(sqlite_source, tmp_path):
    """Restored uploads get the old media folder's mode (and owner, when root runs the
    restore), so the web server can still read them and the site can still write."""
    target = sqlite_site(tmp_path / "modes")
    target.media_root.mkdir(parents=True)
    target.media_root.chmod(0o2750)
    before = target.media_root.stat()

    target.manage("restore", "--noinput", str(sqlite_source.archive))

    folders = [target.media_root, *(p for p in target.media_root.rglob("*") if p.is_dir())]
    files = [p for p in target.media_root.rglob("*") if p.is_file()]
    assert files
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o2750}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert {(p.stat().st_uid, p.stat().st_gid) for p in folders + files} == {
        (before.st_uid, before.st_gid)
    }


def test_sqlite_backup_while_the_site_is_writing(sqlite_source, tmp_path):
    """A backup taken while another process commits comments holds one consistent
    snapshot: its database has exactly the rows its manifest counted."""
    site = sqlite_site(tmp_path / "live")
    copy_sqlite(sqlite_source.site, site)
    ready, stop = tmp_path / "writer-ready", tmp_path / "writer-stop"
    writer = subprocess.Popen(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", WRITER_CODE],
        cwd=REPO,
        env={**site.env(), "WRITER_READY": str(ready), "WRITER_STOP": str(stop)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the writer did not start"
        archive, _output, _seconds = site.backup(tmp_path / "backups")
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.split("WRITTEN")[1])
    manifest = archive_manifest(archive)
    assert manifest["counts"]["comments"] >= len(sqlite_source.snapshot["comments"]) + 20

    with tarfile.open(archive, "r:gz") as tar:
        tar.extract("database.sqlite3", tmp_path / "unpacked", filter="data")
    with closing(sqlite3.connect(tmp_path / "unpacked" / "database.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        comments = copy.execute("SELECT COUNT(*) FROM comments_comment").fetchone()[0]
    assert comments == manifest["counts"]["comments"]
    print(f"writer committed {written} comments; the backup holds {comments}")


def test_restoring_an_older_backup_migrates_it(sqlite_source, tmp_path):
    """A backup made before the latest migrations comes up to the current schema."""
    old = sqlite_site(tmp_path / "old")
    copy_sqlite(sqlite_source.site, old)
    old.manage("migrate", "threads", "0002", "-v", "0")
    archive, _output, _seconds = old.backup(tmp_path / "backups")
    assert archive_manifest(archive)["migrations"]["threads"] == "0002_seed_boards"

    target = sqlite_site(tmp_path / "new")
    output = target.manage("restore", "--noinput", str(archive))
    assert "threads.0003_thread_is_hidden" in output
    assert_counts_match(output)
    assert target.snapshot() == sqlite_source.snapshot
    assert "No migrations to apply" in target.manage("migrate", "--noinput")


def test_backup_with_object_storage_leaves_media_to_the_bucket(sqlite_source, tmp_path):
    site = Site(
        sqlite_source.site.database_url,
        sqlite_source.site.media_root,
        extra_env={"S3_BUCKET": "fansite-media-example"},
    )
    archive, output, _seconds = site.backup(tmp_path / "backups")
    assert "object storage" in output
    assert "fansite-media-example" in output
    manifest = archive_manifest(archive)
    assert manifest["media"]["included"] is False
    assert manifest["media"]["storage"] == "s3"
    assert "versioning" in manifest["media"]["note"]
    assert not [name for name in archive_members(archive) if name.startswith("media")]

    # Restored on a server with local uploads: the database comes back, the
    # media folder is left alone.
    target = sqlite_site(tmp_path / "target")
    target.media_root.mkdir()
    (target.media_root / "keep.txt").write_text("still here\n")
    restored = target.manage("restore", "--noinput", str(archive))
    assert "not in this archive" in restored
    assert target.snapshot() == sqlite_source.snapshot
    assert target.media_files() == {"keep.txt": hashlib.sha256(b"still here\n").hexdigest()}


# --- Refused restores -------------------------------------------------------------


def _wrong_engine(archive, folder):
    def edit(manifest):
        manifest["database"].update(engine="postgresql", file="database.pgdump")

    return rewrite_archive(archive, folder / "pg.tar.gz", manifest=edit)


def _newer_format(archive, folder):
    return rewrite_archive(
        archive, folder / "v2.tar.gz", manifest=lambda m: m.update(format_version=2)
    )


def _newer_migration(archive, folder):
    def edit(manifest):
        manifest["migrations"]["users"] = "9999_from_the_future"

    return rewrite_archive(archive, folder / "future.tar.gz", manifest=edit)


def _garbage(archive, folder):
    path = folder / "garbage.tar.gz"
    path.write_bytes(os.urandom(4096))
    return path


def _plain_text(archive, folder):
    path = folder / "notes.tar.gz"
    path.write_text("this is not an archive\n")
    return path


def _truncated(archive, folder):
    path = folder / "truncated.tar.gz"
    data = archive.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _tampered(archive, folder):
    path = folder / "tampered.tar.gz"
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(byte ^ 0x5A for byte in data[middle : middle + 16])
    path.write_bytes(bytes(data))
    return path


def _damaged_database(archive, folder):
    return rewrite_archive(
        archive,
        folder / "baddb.tar.gz",
        replace={"database.sqlite3": b"SQLite format 3\x00" + os.urandom(8192)},
    )


def _traversal(archive, folder):
    return rewrite_archive(
        archive,
        folder / "traversal.tar.gz",
        extra=[(tarfile.TarInfo("media/../../escaped.txt"), b"escaped\n")],
    )


def _absolute_path(archive, folder):
    return rewrite_archive(
        archive,
        folder / "absolute.tar.gz",
        extra=[(tarfile.TarInfo(str(folder / "absolute-escaped.txt")), b"escaped\n")],
    )


def _symlink(archive, folder):
    link = tarfile.TarInfo("media/avatars/passwd")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    return rewrite_archive(archive, folder / "link.tar.gz", extra=[(link, None)])


def _missing(archive, folder):
    return folder / "no-such-backup.tar.gz"


REFUSED = {
    "wrong engine": (_wrong_engine, "holds a PostgreSQL database"),
    "newer format": (_newer_format, "newer fansite"),
    "newer migrations": (_newer_migration, "users.9999_from_the_future"),
    "random bytes": (_garbage, "not a fansite backup"),
    "plain text": (_plain_text, "not a fansite backup"),
    "truncated": (_truncated, "damaged"),
    "tampered": (_tampered, "damaged"),
    "damaged database": (_damaged_database, "damaged"),
    "path traversal": (_traversal, "unsafe path"),
    "absolute path": (_absolute_path, "unsafe path"),
    "symbolic link": (_symlink, "unexpected entry"),
    "missing file": (_missing, "No such file"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_restore_refuses_a_bad_archive_and_changes_nothing(
    case, sqlite_source, sqlite_bystander, tmp_path
):
    make, message = REFUSED[case]
    bad = make(sqlite_source.archive, tmp_path)
    before = sqlite_file_state(sqlite_bystander)

    result = sqlite_bystander.run("restore", "--noinput", str(bad))

    assert result.returncode != 0
    assert "CommandError" in result.stderr
    assert message in result.stderr
    assert "Nothing was changed" in result.stderr or case == "missing file"
    assert sqlite_file_state(sqlite_bystander) == before
    assert not list(tmp_path.rglob("*escaped.txt"))
    assert not (REPO / "escaped.txt").exists()


# --- PostgreSQL -------------------------------------------------------------------


def test_postgresql_backup_restores_into_a_fresh_database(postgres, postgres_source, tmp_path):
    manifest = archive_manifest(postgres_source.archive)
    assert manifest["database"]["engine"] == "postgresql"
    assert archive_members(postgres_source.archive)[:2] == ["manifest.json", "database.pgdump"]
    assert stat.S_IMODE(postgres_source.archive.stat().st_mode) == 0o600

    target = postgres_site(postgres.create(), tmp_path / "fresh")
    started = time.monotonic()
    output = target.manage("restore", "--noinput", str(postgres_source.archive))
    report_figures("PostgreSQL", postgres_source, time.monotonic() - started)

    assert_counts_match(output)
    assert_restored(target, postgres_source)
    # Sequences came back too: new rows get new keys.
    target.manage("seed_demo", "--threads", "1", "--comments", "3", "--members", "1")


def test_postgresql_restore_replaces_existing_content(postgres, postgres_source, tmp_path):
    name = postgres.create()
    target = postgres_site(name, tmp_path / "busy")
    target.manage("migrate", "--noinput", "-v", "0")
    target.manage("seed_demo", "--threads", "3", "--comments", "30", "--members", "4")
    (target.media_root / "avatars").mkdir(parents=True)
    (target.media_root / "avatars" / "stray.webp").write_bytes(b"not in the backup")
    before = postgres.fingerprint(name)

    # A table the backup does not know (from a newer version of the site) is
    # refused before anything changes.
    postgres.execute(name, "CREATE TABLE newer_feature (id integer PRIMARY KEY)")
    refused = target.run("restore", "--noinput", str(postgres_source.archive))
    assert refused.returncode != 0
    assert "newer_feature" in refused.stderr
    assert postgres.fingerprint(name) == before
    assert "avatars/stray.webp" in target.media_files()
    postgres.execute(name, "DROP TABLE newer_feature")

    output = target.manage("restore", "--noinput", str(postgres_source.archive))
    assert_counts_match(output)
    assert_restored(target, postgres_source)


def test_restore_refuses_an_archive_of_the_other_engine(
    postgres, postgres_source, sqlite_source, sqlite_bystander, tmp_path
):
    before = sqlite_file_state(sqlite_bystander)
    result = sqlite_bystander.run("restore", "--noinput", str(postgres_source.archive))
    assert result.returncode != 0
    assert "holds a PostgreSQL database" in result.stderr
    assert sqlite_file_state(sqlite_bystander) == before

    # The PostgreSQL source itself, under another media folder: nothing may change.
    name = postgres_source.site.database_url.rsplit("/", 1)[1]
    target = Site(postgres_source.site.database_url, tmp_path / "pg" / "media")
    before = postgres.fingerprint(name)
    result = target.run("restore", "--noinput", str(sqlite_source.archive))
    assert result.returncode != 0
    assert "holds a SQLite database" in result.stderr
    assert postgres.fingerprint(name) == before
    assert not target.media_root.parent.exists()
