"""Rate limits (webui/limits.py, Flask-Limiter): atomic under parallel guesses, per account, per
address and across accounts, in memory and in Redis, behind a trusted proxy."""
from __future__ import annotations

import threading
import uuid

import pytest
import redis

from tests.support.web import PASSWORD, Browser, start_petition
from webui.app import create_app
from webui.limits import worker_count

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, office):
    """The app with its counters in memory, or in the shared Redis under a prefix of its own."""
    if request.param == "memory":
        yield create_app(office.settings, office)
        return
    prefix = f"xinfang-test-{uuid.uuid4().hex}"
    settings = office.settings.with_(redis_url=REDIS, extra={**office.settings.extra, "ratelimit_prefix": prefix})
    yield create_app(settings, office)
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"*{prefix}*"))
    assert keys, "the counters were in Redis"
    client.delete(*keys)


def _counting(monkeypatch, obj, name) -> list:
    calls, original = [], getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(obj, name, counted)
    return calls


def _parallel(clients: list[Browser], url: str, forms: list[dict]) -> list[int]:
    """Each client posts once, all released together."""
    for c in clients:
        c.csrf()
    start, statuses = threading.Barrier(len(clients)), []

    def go(client, form):
        start.wait()
        statuses.append(client.post(url, form).status_code)
    threads = [threading.Thread(target=go, args=pair) for pair in zip(clients, forms)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


def test_twenty_parallel_wrong_passwords_get_at_most_five_checks(limited_app, office, monkeypatch):
    checks = _counting(monkeypatch, office.users, "check_password")
    statuses = _parallel([Browser(limited_app.test_client()) for _ in range(20)], "/login",
                         [{"username": "clerk", "password": "wrong"}] * 20)
    assert len(checks) <= 5 and sorted(statuses) == [401] * len(checks) + [429] * (20 - len(checks))
    assert Browser(limited_app.test_client()).post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 429


def test_twenty_parallel_wrong_query_codes_get_at_most_ten_checks(limited_app, office, monkeypatch):
    case = start_petition(office)
    checks = _counting(monkeypatch, office.selfservice, "public_status")
    statuses = _parallel([Browser(limited_app.test_client()) for _ in range(20)], "/public/status",
                         [{"reg_no": case["reg_no"], "code": "WRONG-CODE"}] * 20)
    assert len(checks) <= 10 and statuses.count(429) == 20 - len(checks)


def test_spraying_many_accounts_from_one_address_is_limited(limited_app):
    browser = Browser(limited_app.test_client())
    statuses = [browser.post("/login", {"username": f"guess{i}", "password": "wrong"}).status_code for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_a_right_password_starts_the_accounts_count_again(app):
    browser = Browser(app.test_client())
    for _ in range(4):
        assert browser.post("/login", {"username": "clerk", "password": "wrong"}).status_code == 401
    assert browser.post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 302
    again = Browser(app.test_client())
    assert [again.post("/login", {"username": "clerk", "password": "wrong"}).status_code
            for _ in range(5)] == [401] * 5


def _from(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}}


def test_behind_a_trusted_proxy_each_client_counts_apart(office):
    app = create_app(office.settings.with_(trusted_proxies=1), office)
    browser = Browser(app.test_client())
    for _ in range(5):
        browser.post("/login", {"username": "clerk", "password": "wrong"}, **_from("10.0.0.1"))
    assert browser.post("/login", {"username": "clerk", "password": PASSWORD}, **_from("10.0.0.1")).status_code == 429
    assert browser.post("/login", {"username": "clerk", "password": PASSWORD}, **_from("10.0.0.2")).status_code == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app):
    browser = Browser(app.test_client())
    for i in range(5):
        browser.post("/login", {"username": "clerk", "password": "wrong"}, **_from(f"10.0.0.{i}"))
    assert browser.post("/login", {"username": "clerk", "password": PASSWORD}, **_from("10.0.0.9")).status_code == 429


def test_one_account_is_limited_across_addresses(office):
    app = create_app(office.settings.with_(trusted_proxies=1), office)
    browser = Browser(app.test_client())
    statuses = [browser.post("/login", {"username": "clerk", "password": "wrong"}, **_from(f"10.1.{i}.1")).status_code
                for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_wrong_bearer_tokens_are_limited_per_address(app):
    client = app.test_client()
    statuses = [client.get("/api/v1/tasks", headers={"Authorization": f"Bearer xft_guess{i}"}).status_code
                for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


@pytest.mark.parametrize("argv,env,count", [
    (["gunicorn", "-w", "4", "webui.wsgi:app"], {}, 4), (["/srv/bin/gunicorn", "--workers=3"], {}, 3),
    (["gunicorn", "-w2"], {}, 2), (["gunicorn", "webui.wsgi:app"], {"WEB_CONCURRENCY": "5"}, 5),
    (["gunicorn"], {"GUNICORN_CMD_ARGS": "--workers 6"}, 6), (["python", "-m", "webui", "-w", "4"], {}, 1)])
def test_worker_count_reads_gunicorns_arguments(argv, env, count):
    assert worker_count(argv, env) == count


def test_several_workers_without_redis_say_so_at_start(office, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["gunicorn", "-w", "4", "webui.wsgi:app"])
    create_app(office.settings, office)
    assert "XINFANG_REDIS_URL is not set" in capsys.readouterr().err
    create_app(office.settings.with_(redis_url=REDIS), office)
    assert "XINFANG_REDIS_URL" not in capsys.readouterr().err


def test_decorated_routes_count_in_redis_under_each_apps_own_prefix(office):
    from tests.support.web import sign_in
    create_app(office.settings.with_(extra={**office.settings.extra, "ratelimit_prefix": "first-app"}), office)
    prefix = f"xinfang-test-{uuid.uuid4().hex}"
    app = create_app(office.settings.with_(redis_url=REDIS, extra={**office.settings.extra,
                                                                   "ratelimit_prefix": prefix}), office)
    client = redis.Redis.from_url(REDIS)
    try:
        clerk = sign_in(app, "clerk")
        assert clerk.post("/tokens", {"name": "统计"}).status_code == 200
        assert any(b"tokens:clerk" in key for key in client.scan_iter(f"*{prefix}*"))
    finally:
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)


def test_signing_in_again_and_again_is_not_spraying(app):
    for _ in range(15):
        assert Browser(app.test_client()).post("/login", {"username": "clerk", "password": PASSWORD}).status_code == 302
