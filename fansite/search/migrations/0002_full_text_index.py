"""The full-text index over Document.terms, one per database (docs/search.md).

PostgreSQL: a generated ``tsvector`` column with the 'simple' configuration (the
terms are already folded and split: no stemming or stop words on top) and a GIN
index. SQLite: an FTS5 table reading the documents' rows (external content), kept
in step by triggers. Django's model knows neither: searches reach them through
fansite.search.selectors.
"""

from django.db import migrations

POSTGRESQL = [
    (
        "ALTER TABLE search_document ADD COLUMN vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED",
        "ALTER TABLE search_document DROP COLUMN vector",
    ),
    (
        "CREATE INDEX search_document_vector ON search_document USING GIN (vector)",
        "DROP INDEX search_document_vector",
    ),
]

SQLITE = [
    (
        "CREATE VIRTUAL TABLE search_document_fts USING fts5(terms, content='search_document', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        "DROP TABLE search_document_fts",
    ),
    (
        "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
        "INSERT INTO search_document_fts(rowid, terms) VALUES (new.id, new.terms); END",
        "DROP TRIGGER search_document_ai",
    ),
    (
        "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
        "INSERT INTO search_document_fts(search_document_fts, rowid, terms) "
        "VALUES ('delete', old.id, old.terms); END",
        "DROP TRIGGER search_document_ad",
    ),
    (
        "CREATE TRIGGER search_document_au AFTER UPDATE OF terms ON search_document BEGIN "
        "INSERT INTO search_document_fts(search_document_fts, rowid, terms) "
        "VALUES ('delete', old.id, old.terms); "
        "INSERT INTO search_document_fts(rowid, terms) VALUES (new.id, new.terms); END",
        "DROP TRIGGER search_document_au",
    ),
]


def _run(schema_editor, forwards):
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError("Search needs PostgreSQL or SQLite.")
    for create, drop in statements if forwards else reversed(statements):
        schema_editor.execute(create if forwards else drop)


def forwards(apps, schema_editor):
    _run(schema_editor, True)


def backwards(apps, schema_editor):
    _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
