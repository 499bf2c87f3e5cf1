"""The 代表恳谈会 in a real browser: the director records a meeting from the month's selection, a
deputy's opinion on a case and a follow-up to a unit, and downloads the minutes (.docx)."""
from __future__ import annotations

import io
from datetime import timedelta

from docx import Document

from engine.clock import utcnow
from office.dates import local_time
from tests.support.browser import needs_chromium, sign_in_page
from tests.support.web import PASSWORD, start_petition

pytestmark = needs_chromium
DEPUTIES = "name,delegation,contact,username\n王建华,农业界,,\n"


def test_director_records_a_meeting_and_downloads_the_minutes(page, server, office):
    office.deputies.import_csv("deputies", DEPUTIES, user="clerk")
    for _ in range(2):
        start_petition(office)
    sign_in_page(page, server, "director", PASSWORD)
    page.click("#nav-meetings")
    page.wait_for_url(f"{server}/meetings")
    page.check("#f-deputies input[value='王建华']")
    page.locator("#f-cases input[name=case_ids]").first.check()
    page.click("#meeting-submit")
    page.wait_for_url(f"{server}/meetings/*")
    case = page.locator("section[data-case]").first
    case.locator("textarea.opinion").fill("补偿标准应按新规重新核定")
    case.locator("button[type=submit]").click()
    assert "王建华：补偿标准应按新规重新核定" in page.inner_text("section[data-case] .opinions")
    page.select_option("#f-unit", "district_gov")
    page.fill("#f-task", "督促补发工资并答复代表")
    last = (local_time(utcnow()) + timedelta(days=20)).date().isoformat()
    page.fill("#f-last_day", last)
    page.click("#follow-up-submit")
    assert "督促补发工资并答复代表" in page.inner_text("#follow-ups")
    with page.expect_download() as got:
        page.click("#minutes-download")
    download = got.value
    assert download.suggested_filename.endswith("会议纪要.docx")
    with open(download.path(), "rb") as fh:
        text = "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)
    assert "王建华代表：补偿标准应按新规重新核定" in text and "督促补发工资并答复代表" in text
