"""Realistic demo petitions and the office's reactions to them, as timed scripts (pure data).

Each story is a registration form plus steps at offsets from registration. engine/demo_cases.py
plays every script through the real processes in time order and stops at the present, so recent
cases are left at early stages and older ones run to the end (or into their review window).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from stdnum.cn import ric

from .gate_reasons import REASONS as GATE_REASONS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = ("建国", "秀英", "桂兰", "志强", "海燕", "春梅", "国庆", "丽华", "永红", "德明", "小军", "玉珍", "文斌", "红霞",
         "金山", "淑芬", "卫东", "晓燕", "长林", "美玲", "振华", "雪梅", "立新", "翠花", "明亮", "凤英")
REGIONS = ("410602", "410603", "410611", "410621", "410622", "420602", "420606", "420607", "420624", "420682")
UNIT_USERS = {"district_gov": "gov_staff", "housing": "housing_staff", "city_police": "police_staff",
              "city_agri": "agri_staff", "city_hrss": "hrss_staff", "district_court": "court_staff",
              "district_procuratorate": "procur_staff"}
# The last draw is a letter a deputy forwarded: 信访形式 来信, 来源 人大代表转交 (a source, not a channel).
CHANNELS = ("来访", "来信", "网信", "电话", "代表转来")
MOBILE = ("138", "150", "176", "186")       # prefixes every numbering plan knows

# (subject, content class, purpose, lead unit)
CLAIMS = [
    ("拆迁安置补偿款迟迟未到位", "城乡建设", "求决", "housing"),
    ("小区违建阳光房影响采光", "城乡建设", "求决", "housing"),
    ("企业拖欠农民工工资", "劳动和社会保障", "求决", "city_hrss"),
    ("退休待遇核定有误", "劳动和社会保障", "申诉", "city_hrss"),
    ("宅基地确权争议", "农村农业", "求决", "city_agri"),
    ("土地承包经营权纠纷", "农村农业", "求决", "city_agri"),
    ("夜间施工噪音扰民", "生态环境", "求决", "city_police"),
    ("住宅楼内开设娱乐场所噪声扰民", "生态环境", "求决", "city_police"),
    ("低保资格被取消", "民政与应急", "申诉", "district_gov"),
    ("孩子入学学位分配不公", "教育", "求决", "district_gov"),
]
SUGGESTIONS = [("建议增设公交线路方便老城区居民出行", "交通运输"), ("建议修改物业管理条例加强业委会监督", "城乡建设"),
               ("建议完善居家和社区养老服务", "民政与应急"), ("对校园餐管理提出意见建议", "教育")]
LEGAL = [("不服一审判决，要求监督法院", "正在审理"), ("执行案件已终结仍要求重新处理", "已结案息访"),
         ("法院判决后对方拒不执行", "其他"), ("对检察院不起诉决定不服", "其他")]
ACCUSATIONS = [("举报住建局干部收受开发商财物", "housing"), ("举报区政府工作人员吃拿卡要", "district_gov"),
               ("举报村干部侵占集体资金", "town_gov")]
QUESTIONS = ["咨询办理居住证证明如何开具", "咨询人才安家补贴申领条件", "咨询医保异地备案流程", "咨询公积金提取政策"]


@dataclass
class Step:
    at: timedelta
    task: str
    user: str
    data: dict = field(default_factory=dict)
    unit: str | None = None         # for steps with one instance per unit (协办单位意见)


@dataclass
class Story:
    kind: str
    form: dict
    steps: list[Step]


def _id_number(region: str, year: int, month: int, day: int, serial: int) -> str:
    """A number that passes the check: a county that existed in the birth year (a later year when
    it did not), a real date, its check digit."""
    for later in range(0, 60):
        body = f"{region}{min(year + later, 2005)}{month:02d}{day:02d}{serial}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number
    raise ValueError(f"no valid ID number for region {region}")


def _person(rng: random.Random) -> dict:
    """The same draws as always (stored demo cases replay from them), made into valid numbers."""
    year, month, day = 1900 + rng.randint(45, 99), rng.randint(1, 12), rng.randint(1, 28)
    region, serial = rng.choice(REGIONS), rng.randint(100, 999)
    rng.randint(0, 10)                  # was a random check digit
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    prefix, number = MOBILE["3578".index(rng.choice("3578"))], rng.randint(100000000, 999999999)
    return {"name": name, "id_number": _id_number(region, year, month, day, serial),
            "phone": f"{prefix}{number % 10 ** 8:08d}"}


def _form(rng, subject, content_class, purpose, channel=None, **extra) -> dict:
    channel = channel or rng.choice(CHANNELS)
    form = {"channel": "来信" if channel == "代表转来" else channel,
            "source": "人大代表转交" if channel == "代表转来" else "本人提出", "subject": subject, "purpose": purpose,
            "content": f"{subject}。信访人请求有关部门依法处理。", "content_class": content_class,
            "problem_region": rng.choice(REGIONS), "petitioners": [_person(rng)]}
    form.update(extra)
    return form


def _d(days: float) -> timedelta:
    return timedelta(days=days)


# How a reply usually leaves the dispute (化解). The stories draw no more random numbers than they
# always did, so the stored-case corpus replays the same steps.
RESOLUTION_OF = {"支持": "已化解", "解释说明": "部分化解", "不予支持": "未化解"}


def _ratings(unit: str) -> dict:
    """The unit's rating, and the office's (asked too; petitioners unhappy with the unit are often
    content with the office). `satisfaction` is what forms of older versions ask for."""
    return {"unit_satisfaction": unit, "office_satisfaction": "基本满意" if unit == "不满意" else unit,
            "satisfaction": unit}


def first_contact(rng) -> Story:
    subject = rng.choice(QUESTIONS)
    way = rng.choice(("即接即办", "即接即办", "精准联办", "登门补办", "法理劝办"))
    steps = [Step(timedelta(minutes=5), "triage", "clerk", {"route": "即接即办", "category": "申诉求决类"}),
             Step(timedelta(minutes=19), "first_contact", "clerk",
                  {"method": way, "answer": "当场答复，明确办理材料和经办窗口", "outcome": "解释说明",
                   "resolution": "已化解"})]
    return Story("即接即办", _form(rng, subject, "党务政务", "其他", channel="电话"), steps)


def gate(rng) -> Story:
    route = rng.choice(("不予受理", "告知", "告知"))
    subject, cls, purpose, _ = rng.choice(CLAIMS)
    steps = [Step(_d(rng.uniform(1, 10)), "triage", "clerk",
                  {"route": route, "category": "申诉求决类", "competent_organ": "区人民政府",
                   **({"gate_reason": GATE_REASONS[0].label} if route == "不予受理" else {})})]
    return Story(route, _form(rng, subject, cls, purpose), steps)


def handling(rng, *, suggestion: bool = False) -> Story:
    if suggestion:
        subject, cls = rng.choice(SUGGESTIONS)
        purpose, lead, category = "意见建议", "district_gov", "建议意见类"
    else:
        subject, cls, purpose, lead = rng.choice(CLAIMS)
        category = "申诉求决类"
    collective = rng.random() < 0.15
    extra = {"collective": True, "persons": rng.randint(6, 30),
             "representatives": [{"name": _person(rng)["name"]} for _ in range(rng.randint(1, 5))]} if collective else {}
    key = rng.random() < 0.15
    mode = "转送" if suggestion else rng.choice(("交办", "交办", "转送"))
    others = [u for u in UNIT_USERS if u != lead]
    co = rng.sample(others, rng.randint(1, 3)) if collective or rng.random() < 0.2 else []
    unit_user = UNIT_USERS[lead]
    t = _d(rng.uniform(0.5, 12))
    steps = [Step(t, "triage", "clerk", {"route": category, "category": category})]
    t += _d(rng.uniform(0.5, 3))
    feedback = mode != "转送" or rng.random() < 0.5
    sign_off = {"mode": mode, "lead_unit": lead, "co_units": co, "feedback_required": feedback, "key_case": key,
                "instruction": "请依法依规办理并按期反馈"}
    steps.append(Step(t, "sign_off", "director", sign_off))
    if rng.random() < 0.08:
        t += _d(rng.uniform(1, 4))
        steps.append(Step(t, "unit_sign", unit_user, {"decision": "异议退回", "reason": "不属于本单位职责"}))
        t += _d(1)
        steps.append(Step(t, "sign_off", "director", sign_off))
    t += _d(rng.uniform(0.5, 4))
    steps.append(Step(t, "unit_sign", unit_user, {"decision": "签收"}))
    for unit in co:
        steps.append(Step(t + _d(rng.uniform(1, 4)), "co_handle", UNIT_USERS[unit],
                          {"co_opinion": "本单位职责范围内已核查处理"}, unit))
    t += _d(rng.uniform(5, 55) if rng.random() < 0.9 else rng.uniform(61, 70))
    if rng.random() < 0.1:
        steps.append(Step(t, "handle", unit_user, {"result": "申请延期", "extension_reason": "需要现场勘验和鉴定",
                                                   "extension_days": 30}))
        steps.append(Step(t + _d(1), "approve_extension", "director", {"approved": True, "extension_days": 30}))
        t += _d(rng.uniform(10, 25))
        steps.append(Step(t, "handle_extended", unit_user, {"report": "经鉴定后依法处理完毕"}))
    else:
        steps.append(Step(t, "handle", unit_user, {"result": "办结", "report": "已调查核实并依法处理"}))
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        t += _d(rng.uniform(1, 3))
        steps.append(Step(t, "review_report", "director", {"quality": "发回重办", "review_note": "未逐项答复诉求"}))
        t += _d(rng.uniform(3, 10))
        steps.append(Step(t, "handle", unit_user, {"result": "办结", "report": "补充调查后重新报告"}))
    t += _d(rng.uniform(1, 3))
    steps.append(Step(t, "review_report", "director", {"quality": "通过"}))
    if not feedback:
        signed = max(i for i, s in enumerate(steps) if s.task == "unit_sign")
        return Story(mode, _form(rng, subject, cls, purpose, key_case=key, **extra), steps[:signed + 1])
    t += _d(rng.uniform(1, 4))
    outcome = rng.choice(("支持", "支持", "解释说明", "不予支持"))
    steps.append(Step(t, "reply", "clerk", {"outcome": outcome, "reply_text": "经承办单位核查，答复如下",
                                            "legal_basis": "《信访工作条例》第三十二条",
                                            "resolution": RESOLUTION_OF[outcome]}))
    if rng.random() < 0.85:
        steps.append(Step(t + _d(rng.uniform(1, 12)), "evaluate", "clerk",
                          _ratings(rng.choice(("满意", "满意", "满意", "基本满意", "不满意")))))
    if key:
        steps.append(Step(t + _d(rng.uniform(3, 14)), "lookback", "leader", {"lookback_result": "整改措施已落实"}))
    if outcome == "不予支持" and rng.random() < 0.5:
        r = t + _d(rng.uniform(5, 28))
        steps += [Step(r, "request_review", "clerk", {"review_requested": True, "review_reason": "对处理意见不服"}),
                  Step(r + _d(rng.uniform(5, 25)), "review_decide", "director",
                       {"decision": "维持", "opinion": "维持原意见", "resolution": "未化解"})]
    return Story(mode, _form(rng, subject, cls, purpose, key_case=key, **extra), steps)


def litigation(rng) -> Story:
    subject, status = rng.choice(LEGAL)
    t = _d(rng.uniform(1, 5))
    steps = [Step(t, "triage", "clerk", {"route": "涉法涉诉", "category": "涉法涉诉"}),
             Step(t + _d(rng.uniform(1, 7)), "legal_screen", "advisor", {"status": status})]
    t += _d(8)
    if status == "正在审理":
        steps.append(Step(t, "guide_litigation", "advisor", {"guidance": "引导信访人依法参与诉讼"}))
    elif status == "已结案息访":
        steps.append(Step(t, "explain_law", "advisor", {"explanation": "以案释法，做好稳控"}))
    else:
        organ = rng.choice(("district_court", "district_procuratorate"))
        steps += [Step(t + _d(20), "study", "advisor", {"facts": "已查明", "law": "民事诉讼法", "procedure": "执行程序",
                                                         "substance": "应依法执行", "participants": "人大代表、员额法官、律师"}),
                  Step(t + _d(22), "transfer", "director", {"organ_unit": organ, "key_assignment": rng.random() < 0.3}),
                  Step(t + _d(50), "supervise", "director", {"supervision": "带案现场调研，协调联动办理"}),
                  Step(t + _d(55), "evaluate_organ", "advisor", {"score": rng.randint(60, 98)})]
    return Story("涉法涉诉", _form(rng, subject, "政法", "申诉", litigation_related=True), steps)


def accusation(rng) -> Story:
    subject, accused = rng.choice(ACCUSATIONS)
    anonymous = rng.random() < 0.3
    form = _form(rng, subject, "纪检监察", "揭发控告", accused_unit=accused)
    if anonymous:
        form.update(anonymous=True, petitioners=[])
    t = _d(rng.uniform(0.5, 5))
    steps = [Step(t, "triage", "clerk", {"route": "检举控告类", "category": "检举控告类"}),
             Step(t + _d(2), "discipline_sign", "discipline_staff", {"signed": True}),
             Step(t + _d(30), "discipline_result", "discipline_staff", {"result_text": "已按规定处置"})]
    if not anonymous:
        steps.append(Step(t + _d(33), "feedback_reporter", "clerk", {"feedback": "已移交纪检监察机关依规处理"}))
    return Story("检举控告", form, steps)


MIX = [(first_contact, 12), (gate, 8), (handling, 50), (lambda rng: handling(rng, suggestion=True), 8),
       (litigation, 14), (accusation, 8)]


def stories(count: int, seed: int = 7) -> list[Story]:
    rng = random.Random(seed)
    makers = [m for m, w in MIX for _ in range(w)]
    return [rng.choice(makers)(rng) for _ in range(count)]
