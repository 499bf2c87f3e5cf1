"""The security settings read from the environment, and the redirect normaliser."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.errors import ValidationFailed
from engine.settings import Settings
from webui.security import safe_next


def test_security_settings_come_from_the_environment():
    s = Settings.from_env({"XINFANG_ENV": "Development", "XINFANG_REDIS_URL": "redis://r:6379/1",
                           "XINFANG_TRUSTED_PROXIES": "2", "XINFANG_METRICS_TOKEN": "t",
                           "XINFANG_METRICS_ALLOW": "10.0.0.5, 192.168.0.0/16"})
    assert s.development and s.redis_url == "redis://r:6379/1" and s.trusted_proxies == 2
    assert s.metrics_token == "t" and s.metrics_allow == ("10.0.0.5", "192.168.0.0/16")
    default = Settings.from_env({})
    assert not default.development and default.trusted_proxies == 0 and default.metrics_allow == ()


@pytest.mark.parametrize("env,named", [({"XINFANG_ENV": "staging"}, "XINFANG_ENV"),
                                       ({"XINFANG_METRICS_ALLOW": "10.0.0.300"}, "XINFANG_METRICS_ALLOW"),
                                       ({"XINFANG_TRUSTED_PROXIES": "-1"}, "XINFANG_TRUSTED_PROXIES")])
def test_a_wrong_security_setting_is_refused_by_name(env, named):
    with pytest.raises(ValidationFailed, match=named):
        Settings.from_env(env)


@pytest.mark.parametrize("target,expected", [
    ("/cases/3", "/cases/3"), ("/\t/evil.example/phish", "/fallback"), ("/\n/x", "/fallback"),
    ("/\\evil.example", "/fallback"), ("\\/evil.example", "/fallback"), ("/\u200b/evil.example", "/fallback"),
    ("https://evil.example", "/fallback"), ("//evil.example", "/fallback"), ("", "/fallback"), (None, "/fallback"),
    ("/in\rbox", "/inbox"), ("///evil.example", "/fallback"), ("/a:b", "/a:b"),
])
def test_safe_next_keeps_only_same_site_paths(target, expected):
    with Flask(__name__).test_request_context():
        assert safe_next(target, "/fallback") == expected
