"""网上信访 over HTTP: the public page and POST /api/v1/public/petitions (no sign-in), field errors
in Chinese, rate limits per address and per ID number, the idempotency key, the office's 登记审核."""
from __future__ import annotations

import base64
import io
import re

import pytest

from tests.support.web import Browser
from webui.app import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GOOD = {"name": "刘晓梅", "id_number": "11010119650101123X", "phone": "13912345678", "address": "北京市朝阳区幸福路1号",
        "subject": "小区供暖不达标", "content": "室温不足16度", "purpose": "求决", "region": "鹤山区", "consent": True}


def limited_app(office, **limits):
    office.settings.extra.update(limits)
    return create_app(office.settings, office)


def post(client, body, **headers):
    return client.post("/api/v1/public/petitions", json=body, headers=headers)


def test_api_submission_answers_201_with_number_and_code_once(app, office):
    client = app.test_client()
    body = {**GOOD, "attachments": [{"filename": "照片.png", "content_base64": base64.b64encode(PNG).decode()}]}
    response = post(client, body)
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()
    assert sent["number"].startswith("WX") and len(sent["query_code"]) == 8 and sent["state"] == "pending"
    assert response.headers["Cache-Control"] == "no-store"
    status = Browser(client).post("/public/status", {"reg_no": sent["number"], "code": sent["query_code"]})
    assert status.status_code == 200 and "登记审核" in status.get_data(as_text=True)


def test_bad_input_gets_400_with_chinese_field_errors_and_files_nothing(app, office):
    client = app.test_client()
    response = post(client, {**GOOD, "id_number": "123", "consent": False, "region": "",
                             "attachments": [{"filename": "x.png", "content_base64": base64.b64encode(b"GIF89a").decode()}]})
    assert response.status_code == 400
    errors = {d["field"]: d["message"] for d in response.get_json()["details"]}
    assert errors["id_number"].startswith("身份证号码不正确") and "同意" in errors["consent"]
    assert "问题发生地" in errors["region"] and "不是图片" in errors["attachments.0"]
    assert post(client, {**GOOD, "attachments": [{"filename": "x.png", "content_base64": "%%%"}]}).status_code == 400
    assert client.post("/api/v1/public/petitions", data="name=x",
                       content_type="application/x-www-form-urlencoded").status_code == 415
    assert office.online.pending(user="clerk") == []


def test_same_idempotency_key_same_answer_no_second_submission(app, office):
    client = app.test_client()
    first = post(client, GOOD, **{"Idempotency-Key": "dbl-click-1"})
    again = post(client, GOOD, **{"Idempotency-Key": "dbl-click-1"})
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert len(office.online.pending(user="clerk")) == 1
    assert post(client, {**GOOD, "subject": "别的事"}, **{"Idempotency-Key": "dbl-click-1"}).status_code == 409


def test_limit_per_address(office):
    client = limited_app(office, online_limit_address="2 per hour").test_client()
    ids = ["11010119650101123X", "110105199001011232", "110101199003070075"]
    codes = [post(client, {**GOOD, "id_number": i}).status_code for i in ids]
    assert codes == [201, 201, 429]
    other = post(client, {**GOOD, "id_number": ids[2]}, **{})
    assert other.status_code == 429 and other.get_json()["error"] == "too_many_requests"


def test_limit_per_id_number_across_addresses(office):
    app = limited_app(office, online_limit_id="2 per day")
    codes = [app.test_client().post("/api/v1/public/petitions", json={**GOOD, "subject": f"事项{i}"},
                                    environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    assert app.test_client().post("/api/v1/public/petitions", json={**GOOD, "id_number": "110105199001011232"},
                                  environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 201


def test_public_page_submits_with_files_and_shows_the_code_once(app, office):
    browser = Browser(app.test_client())
    page = browser.get("/public/submit").get_data(as_text=True)
    assert "个人信息" in page and 'name="idempotency_key"' in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    form = {k: v for k, v in GOOD.items() if k != "consent"} | {"consent": "on", "idempotency_key": key}
    response = browser.post("/public/submit", {**form, "attachments": (io.BytesIO(PNG), "图.png")},
                            content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 201 and "只显示这一次" in text
    code = re.search(r'id="sent-code">(\d{8})<', text).group(1)
    again = browser.post("/public/submit", {**form, "attachments": (io.BytesIO(PNG), "图.png")},
                         content_type="multipart/form-data")
    assert code in again.get_data(as_text=True), "a double click shows the same code"
    assert len(office.online.pending(user="clerk")) == 1


def test_public_page_shows_field_errors(app):
    browser = Browser(app.test_client())
    response = browser.post("/public/submit", {"name": "", "purpose": "求决"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写姓名" in text and "请阅读并同意" in text


def test_office_checks_then_registers_or_returns(app, office, as_user):
    client = app.test_client()
    first = post(client, GOOD).get_json()
    second = post(client, {**GOOD, "subject": "不属受理范围"}).get_json()
    clerk = as_user("clerk")
    inbox = clerk.get("/inbox").get_data(as_text=True)
    assert "网上信访待登记审核：2 件" in inbox
    listing = clerk.get("/online").get_data(as_text=True)
    assert first["number"] in listing and "刘晓梅" not in listing
    ids = [i["id"] for i in office.online.pending(user="clerk")]
    detail = clerk.get(f"/online/{ids[0]}").get_data(as_text=True)
    assert "刘晓梅" in detail, "the clerk checks the full submission"
    assert clerk.post(f"/online/{ids[0]}/register", {"content_class": ""}).status_code == 400
    done = clerk.post(f"/online/{ids[0]}/register", {"content_class": "城乡建设"})
    assert done.status_code == 302 and "/cases/" in done.headers["Location"]
    assert clerk.post(f"/online/{ids[1]}/return", {"reason": ""}).status_code == 400
    assert clerk.post(f"/online/{ids[1]}/return", {"reason": "请向人民法院提出"}).status_code == 302
    returned = Browser(client).post("/public/status", {"reg_no": second["number"], "code": second["query_code"]})
    assert "请向人民法院提出" in returned.get_data(as_text=True)
    registered = Browser(client).post("/public/status", {"reg_no": first["number"], "code": first["query_code"]})
    assert "已登记" in registered.get_data(as_text=True)
    assert as_user("gov").get("/online").status_code == 403


@pytest.mark.parametrize("path", ["/online", "/online/1"])
def test_review_pages_need_sign_in(app, path):
    assert app.test_client().get(path).status_code in (302, 401)
