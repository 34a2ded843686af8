"""The throw-away PostgreSQL helper: a clear message naming the Debian packages when the binaries are missing."""

from __future__ import annotations

import pytest

from geodata.store import testing


def test_missing_binaries_name_the_debian_packages(monkeypatch, tmp_path):
    monkeypatch.setenv("PARKRISK_PG_BINDIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(testing.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(testing.shutil, "which", lambda name: None)
    with pytest.raises(testing.PostgresUnavailableError, match="postgresql-15 postgresql-15-postgis-3"):
        testing.find_pg_bindir()


@pytest.mark.postgis
def test_session_server_has_postgis(pg_server):
    import psycopg

    with psycopg.connect(pg_server.dsn) as conn:
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    assert version.startswith("3.")
