"""Builds the notice templates (.docx with Jinja fields for docxtpl).

Run `python -m processes.templates.build_templates` after changing the wording here; offices
may instead edit the .docx files in Word, keeping the {{ field }} tags.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
PETITION_FOOTER = "查询办理进展，请凭登记编号和查询码登录本机关网站“信访件查询”栏目。"
CODE_LINE = "查询码：{{ query_code }}（请妥善保管，勿告知他人；遗失的，可凭有效证件到本机关重新领取，原查询码随即作废）。"
TEXTS = {
    "回执": ("{{ petitioner }}：",
           ["本机关已于{{ received }}登记您提出的关于“{{ subject }}”的信访事项，登记编号：{{ reg_no }}。",
            "本机关将于{{ route_deadline }}前告知您是否受理。" + PETITION_FOOTER, CODE_LINE]),
    "受理告知书": ("{{ petitioner }}：",
               ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），经审查，"
                "符合《信访工作条例》规定的受理条件，本机关决定予以受理。",
                "本机关将自受理之日起六十日内办结，并书面答复您。" + PETITION_FOOTER, CODE_LINE]),
    "不予受理告知书": ("{{ petitioner }}：",
                 ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
                  "经审查，{{ reason }}。根据《信访工作条例》的规定，本机关决定不予受理。"]),
    "不再受理告知书": ("{{ petitioner }}：",
                 ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
                  "已经复核终结。您以同一事实和理由再次提出，根据《信访工作条例》第三十六条的规定，"
                  "本机关不再受理。"]),
    "告知书": ("{{ petitioner }}：",
            ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
             "依法应当由{{ competent_organ }}处理。请您向{{ competent_organ }}提出。"]),
    "转送书": ("{{ unit_name }}：",
            ["现将{{ petitioner }}反映的“{{ subject }}”信访事项（登记编号：{{ reg_no }}）转送你单位，"
             "请依法处理，并将处理情况告知信访人。", "信访事项内容：{{ content }}"]),
    "交办函": ("{{ unit_name }}：",
            ["现将{{ petitioner }}反映的“{{ subject }}”信访事项（登记编号：{{ reg_no }}）交由你单位办理。",
             "请于{{ deadline }}前办结，并将办理结果书面报送本机关。逾期未报的，本机关将予以督办。",
             "信访事项内容：{{ content }}"]),
    "延期告知书": ("{{ petitioner }}：",
              ["您提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），因{{ reason }}，"
               "经本机关负责人批准，办理期限延长至{{ deadline }}。"]),
    "信访处理意见书": ("{{ petitioner }}：",
                ["您提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），经调查核实，处理意见如下：",
                 "处理结果：{{ outcome }}。{{ opinion }}",
                 "如对本处理意见不服，可以自收到本意见书之日起三十日内，请求原办理机关的上一级机关复查。"]),
    "办理结果反馈": ("{{ deputy }}代表：",
               ["您于{{ received }}转交的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
                "已办理完毕，本机关已书面答复信访人。",
                "处理结果：{{ outcome }}。{{ opinion }}", "感谢您对信访工作的支持。"]),
    "督办函": ("{{ unit_name }}：",
            ["本机关交由你单位办理的“{{ subject }}”信访事项（登记编号：{{ reg_no }}），办理期限已于{{ deadline }}届满，"
             "至今未报送办理结果（第{{ count }}次督办）。",
             "请接函后抓紧办理，于五个工作日内报送办理结果；确有困难的，请书面说明情况。"]),
}


def build(kind: str, salutation: str, paragraphs: list[str]) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "SimSun", Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(kind)
    run.bold, run.font.size = True, Pt(20)
    number = doc.add_paragraph("{{ reg_no }}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(salutation)
    for text in paragraphs:
        doc.add_paragraph(text).paragraph_format.first_line_indent = Pt(28)
    for line in ("{{ office }}", "{{ issued }}"):
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(HERE / f"{kind}.docx")


def main(kinds: list[str] | None = None) -> None:
    """All templates, or only the named ones (so the others' files stay byte for byte)."""
    for kind, (salutation, paragraphs) in TEXTS.items():
        if not kinds or kind in kinds:
            build(kind, salutation, paragraphs)


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
