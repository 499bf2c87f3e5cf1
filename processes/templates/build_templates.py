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
    "回执": ("{{ addressee }}：",
           ["本机关已于{{ received }}登记您提出的关于“{{ subject }}”的信访事项，登记编号：{{ reg_no }}。",
            "本机关将于{{ route_deadline }}前告知您是否受理。" + PETITION_FOOTER, CODE_LINE]),
    "受理告知书": ("{{ addressee }}：",
               ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），经审查，"
                "符合《信访工作条例》规定的受理条件，本机关决定予以受理。",
                "{% if mode == '交办' %}本机关已将该事项交由{{ handling_organ }}办理，并要求其按期报送办理结果。"
                "{{ handling_organ }}将依法办理并书面答复您。"
                "{% elif mode == '转送' %}本机关已将该事项转送{{ handling_organ }}。{{ handling_organ }}将依法办理并答复您。"
                "{% elif mode %}本机关将自受理之日起六十日内办结，并书面答复您。"
                "{% else %}本机关将依法转送或者交办有权处理的机关办理，办理机关将依法答复您。{% endif %}" + PETITION_FOOTER, CODE_LINE]),
    "不予受理告知书": ("{{ addressee }}：",
                 ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
                  "经审查，{{ reason }}。根据{{ basis }}的规定，本机关决定不予受理。", "{{ channel }}"]),
    "不再受理告知书": ("{{ addressee }}：",
                 ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
                  "经审查，{{ reason }}。根据{{ basis }}的规定，本机关不再受理。", "{{ channel }}"]),
    "告知书": ("{{ addressee }}：",
            ["您于{{ received }}提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
             "依法应当由{{ competent_organ }}处理。请您向{{ competent_organ }}提出。"]),
    "转送书": ("{{ addressee }}：",
            ["现将{{ petitioner }}反映的“{{ subject }}”信访事项（登记编号：{{ reg_no }}）转送你单位，"
             "请依法处理，并将处理情况告知信访人。", "信访事项内容：{{ content }}"]),
    "交办函": ("{{ addressee }}：",
            ["现将{{ petitioner }}反映的“{{ subject }}”信访事项（登记编号：{{ reg_no }}）交由你单位办理。",
             "{{ period }}，并将办理结果书面报送本机关。逾期未报的，本机关将予以督办。",
             "信访事项内容：{{ content }}"]),
    "督办函": ("{{ addressee }}：",
            ["本机关交由你单位办理的“{{ subject }}”信访事项（登记编号：{{ reg_no }}），办理期限{{ deadline_state }}，"
             "本机关尚未收到办理结果（第{{ sequence }}次督办）。",
             "请接函后抓紧办理，于五个工作日内报送办理结果；确有困难的，请书面说明情况。"]),
    "延期告知书": ("{{ addressee }}：",
              ["您提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），因{{ reason }}，"
               "经本机关负责人批准，办理期限延长至{{ deadline }}。"]),
    "信访处理意见书": ("{{ addressee }}：",
                ["您提出的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），经调查核实，处理意见如下：",
                 "处理结果：{{ outcome }}。{{ opinion }}{% if legal_basis %}（依据：{{ legal_basis }}）{% endif %}",
                 "如对本处理意见不服，可以自收到本意见书之日起三十日内，请求本机关的上一级机关复查。"]),
    "复查意见书": ("{{ addressee }}：",
              ["您不服{{ handling_organ }}对“{{ subject }}”信访事项（登记编号：{{ reg_no }}）作出的处理意见，"
               "请求复查。经复查，本机关决定：{{ decision }}原处理意见。{{ opinion }}",
               "如对本复查意见不服，可以自收到本意见书之日起三十日内，向本机关的上一级机关请求复核。"]),
    "复核意见书": ("{{ addressee }}：",
              ["您不服对“{{ subject }}”信访事项（登记编号：{{ reg_no }}）作出的复查意见，请求复核。"
               "经复核，本机关决定：{{ decision }}复查意见。{{ opinion }}",
               "本复核意见为最终意见。您以同一事实和理由再次提出的，各级机关不再受理"
               "（《信访工作条例》第三十六条第三款）。"]),
    "办理结果反馈": ("{{ addressee }}：",
               ["您于{{ received }}转交的关于“{{ subject }}”的信访事项（登记编号：{{ reg_no }}），"
                "已办理完毕，本机关已书面答复信访人。",
                "处理结果：{{ outcome }}。{{ opinion }}", "感谢您对信访工作的支持。"]),
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
    for line in ("{{ signer }}", "{{ issued }}"):
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
