"""Django's PostgreSQL backend with a health check that costs no round trip
(``base.DatabaseWrapper.is_usable``). Settings name it as the engine whenever
DATABASE_URL points at PostgreSQL."""
