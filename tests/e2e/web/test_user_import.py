"""An administrator imports users from a CSV file: all of them or, on any error, none; the admin
page polls the import like any job; `xinfang users import` does the same from the command line."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from cli.main import main
from engine.errors import ValidationFailed
from webui.app import create_app
from tests.support.web import finish_job as finish, sign_in

GOOD = ("\ufeffusername,display_name,groups,unit,password\n"
        "wang.li,王丽,clerk,,long-enough-1\n"
        "zhao_gov,赵强,unit_staff;analyst,district_gov,\n"
        "sun3,,director,,\n").encode("utf-8")
BAD = ("username,display_name,groups,unit,password\n"
       "fine_user,好人,clerk,,long-enough-1\n"
       "clerk,重名,clerk,,long-enough-1\n"              # already in the office
       "x,,clerk,,\n"                                   # user name too short
       "newbie,,wizard,nowhere,short\n"                 # unknown group, unknown unit, short password
       "fine_user,,clerk,,\n").encode("utf-8")          # repeated in the file


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def svc(request):
    """The small office (users of every role, three units) on SQLite and on PostgreSQL."""
    return request.getfixturevalue("office" if request.param == "sqlite" else "pg_office")


@pytest.fixture
def admin(svc):
    return sign_in(create_app(svc.settings, svc), "admin")


def upload(browser, content: bytes, name: str = "users.csv"):
    return browser.post("/admin/users/import", {"file": (io.BytesIO(content), name)},
                        content_type="multipart/form-data", headers={"Accept": "application/json"})


def usernames(svc) -> set[str]:
    return {u["username"] for u in svc.admin.list_users(user="admin")}


def test_good_file_creates_every_user_and_gives_generated_passwords_once(svc, admin):
    started = upload(admin, GOOD)
    assert started.status_code == 202 and started.json["kind"] == "user_import" and started.json["total"] == 3
    finish(started.json["id"])
    job = admin.get(f"/jobs/{started.json['id']}").json
    assert (job["status"], job["done"], job["total"], job["percent"], job["has_result"]) == ("done", 3, 3, 100, True)
    users = {u["username"]: u for u in svc.admin.list_users(user="admin")}
    assert users["zhao_gov"]["groups"] == ["analyst", "unit_staff"] and users["zhao_gov"]["unit"] == "district_gov"
    assert users["wang.li"]["display_name"] == "王丽" and users["sun3"]["display_name"] == "sun3"
    assert svc.users.check_password("wang.li", "long-enough-1")
    download = admin.get(f"/admin/users/import/{job['id']}/passwords.csv")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    generated = dict(list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))[1:])
    assert set(generated) == {"zhao_gov", "sun3"}, "only the users without a password in the file"
    assert all(svc.users.check_password(name, password) for name, password in generated.items())
    assert all(len(p) == 14 and p.isalnum() for p in generated.values()), "no formula-like '-' or '=' first"
    assert admin.get(f"/admin/users/import/{job['id']}/passwords.csv").status_code == 404, "given out once"
    assert admin.get(f"/jobs/{job['id']}/download").status_code == 404, "not an inbox export"


def test_bad_file_fails_with_line_numbered_errors_and_creates_nobody(svc, admin):
    before = usernames(svc)
    started = upload(admin, BAD)
    finish(started.json["id"])
    job = admin.get(f"/jobs/{started.json['id']}").json
    assert job["status"] == "failed" and job["has_result"] is False
    message = job["message"]
    for expected in ("line 3: user 'clerk' already exists", "line 4: invalid user name 'x'",
                     "line 5: unknown group 'wizard'", "line 5: unknown unit 'nowhere'",
                     "line 5: a password needs 8", "line 6: user name 'fine_user' is repeated (first on line 2)"):
        assert expected in message, message
    assert "line 2" not in message.replace("first on line 2", "")
    assert usernames(svc) == before, "nobody was created, not even the good line"


@pytest.mark.parametrize("content, reason", [
    (b"name,groups\nabc,clerk\n", "line 1: missing column(s) username; unknown column(s) name"),
    ("username,groups\nmüller,clerk\n".encode("latin-1"), "not UTF-8"),
    (b"username,groups\n", "the file has no users"),
    (b"username,groups\nokname,\n", "line 2: no group"),
    (b"username,groups\nokname,clerk,extra\n", "line 2: more cells than columns"),
    (b"username,groups\nok\x00name,clerk\n", "line 2: invalid user name 'ok\\x00name'"),
    (b'username,groups\n"' + b"x" * 200_000 + b'",clerk\n', "line 2: not a readable CSV file"),
])
def test_malformed_files_are_refused_with_the_reason(svc, content, reason):
    with pytest.raises(ValidationFailed) as refused:
        svc.user_import.import_users(content, user="admin")
    assert reason in str(refused.value)
    assert "okname" not in usernames(svc)


def test_only_an_administrator_imports(svc):
    app = create_app(svc.settings, svc)
    for name in ("director", "clerk", "gov"):
        assert upload(sign_in(app, name), GOOD).status_code == 403
    assert upload(sign_in(app, "admin"), b"", name="").status_code == 400, "no file chosen"
    assert upload(sign_in(app, "admin"), b"username,groups\n\x00\n").status_code == 202, "reported by the job"
    assert "wang.li" not in usernames(svc)


def test_progress_is_reported_for_every_user_up_to_the_total(office):
    content = ("username,groups\n" + "".join(f"bulk{i:02d},clerk\n" for i in range(12))).encode()
    seen = []
    result = office.user_import.import_users(content, user="admin", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 12) for n in range(1, 13)]
    assert len(result["created"]) == 12 and len(result["generated_passwords"]) == 12


def test_the_admin_page_offers_the_import(office, as_user):
    page = as_user("admin").get("/admin/users").get_data(as_text=True)
    assert 'id="import-form"' in page and 'id="import-progress"' in page and "批量导入" in page


@pytest.fixture
def cli(svc, monkeypatch):
    monkeypatch.setenv("XINFANG_DATABASE_URL", svc.settings.database_url)
    monkeypatch.setenv("XINFANG_STORAGE_DIR", str(svc.settings.storage_dir))
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_imports_a_good_file_and_refuses_a_bad_one_with_exit_2(svc, cli, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(GOOD)
    bad.write_bytes(BAD)
    refused = cli("users", "import", str(bad))
    assert refused.exit_code == 2 and "line 3: user 'clerk' already exists" in refused.stderr
    assert "fine_user" not in usernames(svc)
    done = cli("users", "import", str(good), "--json")
    assert done.exit_code == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["created"] == ["wang.li", "zhao_gov", "sun3"]
    assert [p["username"] for p in out["generated_passwords"]] == ["zhao_gov", "sun3"]
    again = cli("users", "import", str(good), "--json")
    assert again.exit_code == 2 and json.loads(again.stdout)["error"] == "validation_failed"
    assert cli("users", "import", str(tmp_path / "missing.csv")).exit_code == 2
