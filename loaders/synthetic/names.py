"""Names and places for the sample generator: Chinese, Hong Kong, Singapore and US companies
and persons, and the cities they are registered in, drawn from small vocabularies."""

from __future__ import annotations

from loaders.synthetic.draws import Rand

__all__ = ["DOMESTIC_BANKS", "GSIB_BANKS", "GSIB_COUNTRIES", "US_REGIONS", "City", "city",
           "company_name", "country", "person_name", "root", "surname"]

City = tuple[str, str, str]
"""A city: its name as company names use it, its administrative division code, its ISO
3166-2 region."""

# (name in company names, administrative division code, ISO 3166-2 region)
_CITIES = (
    ("北京", "110105", "CN-BJ"), ("上海", "310115", "CN-SH"), ("深圳市", "440300", "CN-GD"),
    ("广州", "440106", "CN-GD"), ("杭州", "330106", "CN-ZJ"), ("南京", "320105", "CN-JS"),
    ("苏州", "320505", "CN-JS"), ("成都", "510107", "CN-SC"), ("武汉", "420106", "CN-HB"),
    ("重庆", "500103", "CN-CQ"), ("天津", "120116", "CN-TJ"), ("西安", "610113", "CN-SN"),
    ("宁波", "330212", "CN-ZJ"), ("厦门", "350203", "CN-FJ"), ("青岛", "370212", "CN-SD"),
    ("长沙", "430104", "CN-HN"), ("郑州", "410105", "CN-HA"), ("合肥", "340104", "CN-AH"),
    ("福州", "350102", "CN-FJ"), ("济南", "370102", "CN-SD"), ("昆明", "530102", "CN-YN"),
    ("大连", "210204", "CN-LN"), ("无锡", "320214", "CN-JS"), ("东莞市", "441900", "CN-GD"),
    ("佛山市", "440604", "CN-GD"), ("温州", "330302", "CN-ZJ"), ("珠海", "440402", "CN-GD"),
    ("南宁", "450103", "CN-GX"), ("贵阳", "520102", "CN-GZ"), ("沈阳", "210102", "CN-LN"),
    ("哈尔滨", "230102", "CN-HL"), ("长春", "220102", "CN-JL"), ("石家庄", "130102", "CN-HE"),
    ("太原", "140105", "CN-SX"), ("南昌", "360102", "CN-JX"), ("兰州", "620102", "CN-GS"),
    ("义乌", "330782", "CN-ZJ"), ("泉州", "350502", "CN-FJ"), ("常州", "320411", "CN-JS"),
    ("烟台", "370602", "CN-SD"),
)
_ROOT_FIRST = "华恒金宏瑞新盛天中永嘉泰德海星鼎富安博长东广汇凯隆兴亿远卓世信鑫正宝万佳君诚启合"
_ROOT_SECOND = "信达通源远丰港成联安禾和润川河晟泰博城方泽辉宇邦途力创锦昌茂腾发明鸿峰基业盈"
# (word, GB/T 4754 section)
_TRADES = (
    ("科技", "I"), ("信息技术", "I"), ("软件", "I"), ("贸易", "F"), ("商贸", "F"),
    ("供应链管理", "F"), ("置业", "K"), ("房地产开发", "K"), ("建设", "E"), ("建筑工程", "E"),
    ("物流", "G"), ("运输", "G"), ("化工", "C"), ("机械", "C"), ("电子", "C"), ("医药", "C"),
    ("食品", "C"), ("纺织", "C"), ("新材料", "C"), ("汽车零部件", "C"), ("钢铁", "C"),
    ("能源", "D"), ("电力", "D"), ("矿业", "B"), ("农业", "A"), ("酒店管理", "H"),
    ("环保", "N"), ("投资", "L"), ("实业", "L"), ("商务服务", "L"),
)
_HOLDING_WORDS = ("实业", "控股", "投资", "实业", "控股")
_EN_PREFIXES = (
    "Harbour", "Pacific", "Golden", "Summit", "Orient", "Evergreen", "Silverline", "Northstar",
    "Jade", "Lotus", "Crescent", "Meridian", "Bluewater", "Kingsway", "Pearl River", "Phoenix",
    "Sterling", "Horizon", "Victoria", "Kowloon", "Marina", "Lion City", "Eastwind",
    "Brightstone", "Cedar", "Granite", "Riverside", "Unity", "Oceanic", "Silk Road",
)
_EN_TRADES = (
    ("Logistics", "G"), ("Trading", "F"), ("Technology", "I"), ("Holdings", "L"),
    ("Properties", "K"), ("Construction", "E"), ("Energy", "D"), ("Pharmaceuticals", "C"),
    ("Manufacturing", "C"), ("Foods", "C"), ("Shipping", "G"), ("Capital", "L"),
    ("Hotels", "H"), ("Resources", "B"), ("Electronics", "C"), ("Textiles", "C"),
)
_EN_SUFFIXES = {"HK": ("Limited", "Ltd", "Company Limited"), "SG": ("Pte. Ltd.",),
                "US": ("Inc.", "LLC", "Corp.")}
US_REGIONS = ("US-NY", "US-CA", "US-DE", "US-TX")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
_GIVEN = (
    "建国伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文辉鹏宇浩凯晨欣怡婷雪琳峰斌波宁海林红"
    "玉兰志春梅晓东亮成龙飞俊鑫佳子嘉瑞博思雨萱涵诗轩泽睿昊然立新永利庆荣德义"
)
_HK_SURNAMES = ("Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Leung", "Ng", "Tam", "Lam",
                "Tang", "Yip", "Kwok", "Fung", "Tan", "Lim", "Ong", "Goh")
_HK_GIVEN = ("Tai Man", "Siu Ming", "Ka Yan", "Wing Kei", "Chi Keung", "Mei Ling", "Kwok Wai",
             "Hoi Yan", "Chun Kit", "Wai Ling")
_WESTERN_GIVEN = ("David", "Michael", "Sarah", "Emily", "James", "Grace", "Peter", "Daniel",
                  "Jennifer", "Kevin", "Jason", "Michelle", "Vincent", "Alice", "John", "Anna")
_WESTERN_SURNAMES = ("Smith", "Miller", "Johnson", "Brown", "Taylor", "Walker", "Clarke",
                     "Evans", "Wright", "Harris")
DOMESTIC_BANKS = ("江南商业银行股份有限公司", "北川农村商业银行股份有限公司",
                   "海港城市商业银行股份有限公司", "中原兴业银行股份有限公司",
                   "东岳银行股份有限公司", "西陵村镇银行有限责任公司")
GSIB_BANKS = ("Meridian Global Bank N.A.", "Atlas Universal Banking Corporation",
               "Crown Pacific Bank plc")
GSIB_COUNTRIES = ("US", "US", "HK")


def city(r: Rand) -> City:
    """A city, the large ones more often."""
    return _CITIES[int(r.u() ** 1.4 * len(_CITIES))]


def root(r: Rand) -> str:
    """The two characters that make the names of one group's companies alike."""
    first = r.pick(_ROOT_FIRST)
    second = r.pick(_ROOT_SECOND)
    return first + (second if second != first else r.pick(_ROOT_SECOND[:5]))


def company_name(r: Rand, root: str, city: City, country: str,
                 holding: bool = False) -> tuple[str, str]:
    """A company name and its GB/T 4754 section."""
    if holding:
        word = r.pick(_HOLDING_WORDS)
        prefix = city[0] if r.chance(0.25) else ""
        return f"{prefix}{root}{word}集团有限公司", "L"
    if country == "CN":
        word, industry = r.pick(_TRADES)
        prefix = "" if r.chance(0.12) else city[0]
        suffix = "股份有限公司" if r.chance(0.15) else "有限公司"
        return f"{prefix}{root}{word}{suffix}", industry
    if country == "HK" and r.chance(0.4):
        word, industry = r.pick(_TRADES[:12])
        return f"{root}{r.pick(('国际', ''))}{word}(香港)有限公司", industry
    word, industry = r.pick(_EN_TRADES)
    return f"{r.pick(_EN_PREFIXES)} {word} {r.pick(_EN_SUFFIXES[country])}", industry


def country(r: Rand, foreign: float) -> str:
    """``CN``, or with probability ``foreign`` HK, SG or US."""
    x = r.u()
    if x >= foreign:
        return "CN"
    x /= foreign
    return "HK" if x < 0.6 else "SG" if x < 0.85 else "US"


def surname(r: Rand) -> str:
    """A Chinese surname, the common ones more often."""
    return _SURNAMES[int(r.u() ** 1.7 * len(_SURNAMES))]


def person_name(r: Rand, city: City, family: str | None = None) -> tuple[str, str, str]:
    """A person's name, country and region: mostly Chinese from ``city`` (with the surname
    ``family`` when given), now and then from Hong Kong or Singapore."""
    if family is None and r.chance(0.06):
        place = "HK" if r.chance(0.7) else "SG"
        if r.chance(0.5):
            name = f"{r.pick(_HK_SURNAMES)} {r.pick(_HK_GIVEN)}"
        elif r.chance(0.8):
            name = f"{r.pick(_WESTERN_GIVEN)} {r.pick(_HK_SURNAMES)}"
        else:
            name = f"{r.pick(_WESTERN_GIVEN)} {r.pick(_WESTERN_SURNAMES)}"
        return name, place, place
    family = surname(r) if family is None else family
    given = r.pick(_GIVEN) if r.chance(0.3) else r.pick(_GIVEN) + r.pick(_GIVEN)
    return family + given, "CN", city[2]
