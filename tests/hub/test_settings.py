"""Settings come from the environment, and bad values stop start-up with a clear message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured

from procurement_hub import env
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("reader", "name", "value"),
    [
        (lambda: env.envbool("X_FLAG", False), "X_FLAG", "maybe"),
        (lambda: env.envint("X_INT", 1), "X_INT", "ten"),
        (lambda: env.envint("X_INT", 1, minimum=1), "X_INT", "0"),
        (lambda: env.envdb("X_DB", "sqlite://"), "X_DB", "mysql://u@h/db"),
        (lambda: env.envdb("X_DB", "sqlite://"), "X_DB", "nonsense"),
        (lambda: env.envemail("X_MAIL", "console://"), "X_MAIL", "pigeon://"),
        (lambda: env.envtimezone("X_TZ", "UTC"), "X_TZ", "Mars/Olympus"),
        (lambda: env.envcurrency("X_CUR", "GBP"), "X_CUR", "pounds"),
        (lambda: env.envredis("X_REDIS"), "X_REDIS", "localhost:6379"),
        (lambda: env.envdecimal("X_DEC", "1"), "X_DEC", "lots"),
    ],
)
def test_bad_values_raise_a_message_naming_the_variable(monkeypatch, reader, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def test_good_values_are_read(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    monkeypatch.setenv("X_DB", "postgres://u:p@db:5432/hub")
    monkeypatch.setenv("X_CUR", "usd")
    assert env.envbool("X_FLAG", False) is True
    assert env.envdb("X_DB", "")["NAME"] == "hub"
    assert env.envcurrency("X_CUR", "GBP") == "USD"
    assert env.envlist("X_MISSING", "a, b,,c") == ["a", "b", "c"]


def _manage(*args: str, **environ):
    """Run manage.py in a clean environment holding only `environ`."""
    clean = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _check(**environ):
    return _manage("check", **environ)


def test_start_up_refuses_a_bad_setting_with_a_clear_message():
    result = _check(DEBUG="true", HUB_CURRENCY="pounds")
    assert result.returncode != 0
    assert "HUB_CURRENCY='POUNDS' is not an ISO 4217 currency code" in result.stderr


def test_production_start_up_needs_a_secret_key():
    result = _check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_manage_py_on_an_unconfigured_checkout_runs_as_development():
    """No DEBUG, no SECRET_KEY: developer commands (check, makemigrations) still run."""
    result = _check()
    assert result.returncode == 0, result.stderr


def _shell(code: str, **environ):
    return _manage("shell", "--verbosity", "0", "-c", code, DEBUG="true", **environ)


def test_with_redis_the_processes_share_one_cache():
    """The worker announces an import's step; a web process reads it from the same cache."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        reachable = True
    except redis.RedisError:
        reachable = False
    require_service("Redis", reachable, url)
    key = "hub:1:spend:import:424242:step"
    try:
        worker = _shell(
            "from django.core.cache import caches; print(type(caches['default']).__name__); "
            "from spend import progress; progress.announce(424242, 'summaries')",
            REDIS_URL=url,
        )
        assert worker.returncode == 0, worker.stderr
        assert worker.stdout.strip() == "RedisCache"
        web = _shell(
            "from django.core.cache import cache; print(cache.get('spend:import:424242:step'))",
            REDIS_URL=url,
        )
        assert web.stdout.strip() == "summaries", web.stderr
        assert redis.Redis.from_url(url).get(key) is not None
    finally:
        redis.Redis.from_url(url).delete(key)
    alone = _shell("from django.core.cache import caches; print(type(caches['default']).__name__)")
    assert alone.stdout.strip() == "LocMemCache", alone.stderr


def test_the_cache_may_have_a_redis_database_of_its_own():
    code = "from django.conf import settings; print(settings.CACHES['default']['LOCATION'])"
    own = _shell(code, REDIS_URL="redis://broker:6379/0", REDIS_CACHE_URL="redis://cache:6379/1")
    assert own.stdout.strip() == "redis://cache:6379/1", own.stderr
    shared = _shell(code, REDIS_URL="redis://broker:6379/0")
    assert shared.stdout.strip() == "redis://broker:6379/0", shared.stderr


@pytest.mark.parametrize(
    ("session", "url_options", "expected"),
    [
        (None, "", "-c jit=off -c work_mem=32MB"),
        ("", "", None),  # Behind PgBouncer: no `options` at all.
        ("-c jit=on", "?options=-c%20search_path%3Dhub", "-c jit=on -c search_path=hub"),
    ],
)
def test_postgresql_session_options_come_before_those_of_the_url(session, url_options,
                                                                 expected):  # fmt: skip
    environ = {"DATABASE_URL": "postgres://u@db.invalid:5432/hub" + url_options}
    if session is not None:
        environ["DATABASE_SESSION_OPTIONS"] = session
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    result = _shell(code, **environ)
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options.get("options") == expected


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit_and_hash_in_memory():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        assert cursor.fetchone() == ("off", "32MB")
