"""PostgreSQL: pg_dump from the manifest's snapshot, and pg_restore."""

import os
import subprocess

import psycopg
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from .common import DATABASE_FILES, PG_LOCK_TIMEOUT_MS, BackupError, _not_migrated, _snapshot_facts

# --- PostgreSQL -----------------------------------------------------------------


def _pg_env(settings_dict):
    """Connection settings as libpq environment variables: the password never
    appears on a command line (where other users of the machine could see it)."""
    options = settings_dict.get("OPTIONS", {})
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    env = dict(os.environ)
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def _run_pg_tool(args, env, what):
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} is not installed. Install the PostgreSQL client tools "
            "(e.g. apt-get install postgresql-client) of the server's major version."
        ) from None
    if completed.returncode != 0:
        message = completed.stderr.strip() or f"exit status {completed.returncode}"
        raise BackupError(f"{what} failed: {message}")
    return completed.stdout


def _snapshot_postgresql(staging):
    """``pg_dump`` of the snapshot in which the manifest's figures are counted.

    A read-only REPEATABLE READ transaction exports its snapshot and stays open
    while pg_dump reads the very same snapshot (``--snapshot``).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    settings_dict = connection.settings_dict
    dump_path = staging / DATABASE_FILES["postgresql"]
    try:
        raw = connection.get_new_connection(connection.get_connection_params())
    except psycopg.OperationalError as exc:
        raise _unreachable(settings_dict, exc) from None
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            try:
                counts, migrations = _snapshot_facts(cursor, connection.ops.quote_name)
            except psycopg.errors.UndefinedTable as exc:
                raise _not_migrated(str(exc).strip().splitlines()[0]) from None
            _run_pg_tool(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(dump_path),
                    "--dbname",
                    settings_dict["NAME"],
                ],
                _pg_env(settings_dict),
                "pg_dump",
            )
    finally:
        # Closing ends the snapshot's transaction (nothing was written in it).
        raw.close()
    details = {"name": settings_dict["NAME"], "server_version": server_version}
    return dump_path, counts, migrations, details


def _unreachable(settings_dict, exc):
    return BackupError(
        f"Cannot connect to the PostgreSQL database {settings_dict['NAME']!r}: "
        f"{str(exc).strip()}. Check DATABASE_URL (the database must exist: createdb "
        "makes a new one). Nothing was changed."
    )


def _check_postgresql_target():
    """Connect before unpacking anything, so a wrong DATABASE_URL fails early."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise _unreachable(connection.settings_dict, exc) from None


def _dump_tables(dump_path, env):
    """Tables in a custom-format dump (also proves the file is one)."""
    listing = _run_pg_tool(
        ["pg_restore", "--list", str(dump_path)], env, "Reading the database dump"
    )
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";") or ";" not in line:
            continue
        # "215; 1259 16390 TABLE public articles_article owner"
        words = line.split(";", 1)[1].split()
        if len(words) >= 5 and words[2] == "TABLE":
            tables.add(words[4])
    return tables


def _restore_postgresql(dump_path):
    connection = connections[DEFAULT_DB_ALIAS]
    settings_dict = connection.settings_dict
    env = _pg_env(settings_dict)
    dump_tables = _dump_tables(dump_path, env)
    if not dump_tables:
        raise BackupError("The database dump in the archive holds no tables. Nothing was changed.")

    # pg_restore --clean drops only what the dump holds. Tables it does not know
    # (from a newer version of the site) would stay behind, and block dropping
    # the tables they refer to, so say so before touching anything.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        extra = sorted({row[0] for row in cursor.fetchall()} - dump_tables)
    connections.close_all()
    if extra:
        raise BackupError(
            f"The database {settings_dict['NAME']!r} has tables the backup does not: "
            f"{', '.join(extra)}. Restore into a new, empty database (createdb, then point "
            "DATABASE_URL at it), or drop those tables first. Nothing was changed."
        )

    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT_MS}".strip()
    try:
        _run_pg_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                settings_dict["NAME"],
                str(dump_path),
            ],
            env,
            "pg_restore",
        )
    except BackupError as exc:
        raise BackupError(
            f"{exc}\nThe restore ran in one transaction, so the database was left as it "
            "was. If it timed out waiting for a lock, stop the site and try again."
        ) from None
