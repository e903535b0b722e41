"""Seeded generator of realistic synthetic bank portfolios, written as a dataset folder.

:func:`generate_portfolio` writes ``entities.csv``, ``relationships.csv``,
``facilities.csv``, ``groups.csv`` and ``bank.toml`` (DESIGN section 2) for exactly
``parties`` entities (companies, persons and a few bank counterparties). The same
``(parties, seed, as_of)`` gives byte-identical files (with the same numpy version: the
draws come from ``numpy.random.default_rng``). Rows are streamed to the CSV writers cluster
by cluster and random numbers are drawn from numpy in blocks, so a million parties take
about half a minute and some 40 MB of memory.

How a portfolio is built
------------------------
The parties come in *clusters*, each one true group of connected clients (DESIGN R6) plus
the outsiders around it (managers, minority investors, joint ventures):

* cluster sizes are heavy-tailed (Lomax/Pareto): many standalone companies and individual
  borrowers, a few conglomerates with thousands of subsidiaries;
* the top of a group is a person, a family of 2-4 relatives (``RELATIVE_OF``) or a holding
  company; below it a tree of subsidiaries 2-4 levels deep with majority stakes, control
  that needs two holders added together (e.g. 30% + 25%), control by agreement, board or VIE
  (``CONTROLS``), exactly-50% joint ventures and minority associates (both *not*
  controlled, so not group members), cross-holdings back into a parent or a sibling, minority
  outside investors, historical (expired) stakes, and sometimes a supplier that depends on
  the group for more than half its revenue (``DEPENDS_ON`` >= 0.5, a group member too);
* between clusters: guarantee chains and circles (担保圈), economic dependence below 0.5,
  and "suspected links" (the person controlling one group manages a company of another);
  none of them merges groups.

Every share is kept in basis points, and the OWNS rows into any company (current and
historical together) sum to at most 99%; outsiders hold at most 49% of any company in all,
so no outsider ever gains control by accident and ``groups.csv`` can state the true groups.
``groups.csv`` declares most groups exactly, with a few deliberate differences (a member
missing, an unrelated standalone company added).

The first clusters are a fixed showcase (a family that controls only with its shares added
together, a 4-level chain, a 50% joint venture, a VIE, a cross-holding, a three-group
guarantee circle whose defaulted member sets off a cascade, a suspected link, an eligible
bank guarantee, ...), so every feature is present even for :data:`MIN_PARTIES` parties.
``tier1_capital`` in ``bank.toml`` is chosen from the generated book (gross exposures with
the CN-2018 product ccfs): the three largest groups at or above the 20% group limit of
CN-2018 and no single party above 25% of tier 1 (so the largest party breaches the 15%
single-party limit: there is always a breach to show), and a handful of parties are large
exposures (above 2.5% of tier 1). Interbank counterparties get 3-20% of tier 1.

Dates: historical rows end before ``as_of``; by default ``as_of`` is the fixed date
:data:`DEFAULT_AS_OF` (not today), so that the output does not change with the calendar and
every row that is current on that date is also current today.
"""

from __future__ import annotations

import csv
import heapq
import math
from collections import deque
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np

from schema.model import load_model
from schema.regime import load_regime
from schema.values import lei_check_digits, uscc_check_char

__all__ = [
    "DEFAULT_AS_OF",
    "ENTITY_COLUMNS",
    "FACILITY_COLUMNS",
    "FX",
    "GROUP_COLUMNS",
    "MIN_PARTIES",
    "RELATIONSHIP_COLUMNS",
    "RELATIONSHIP_TYPES",
    "PortfolioSummary",
    "generate_portfolio",
]

DEFAULT_AS_OF = date(2024, 12, 31)
"""The reference date used when ``as_of`` is not given: historical rows end before it."""

_MODEL = load_model()
ENTITY_COLUMNS = _MODEL.contract_columns("entities")
RELATIONSHIP_COLUMNS = _MODEL.contract_columns("relationships")
FACILITY_COLUMNS = _MODEL.contract_columns("facilities")
GROUP_COLUMNS = _MODEL.contract_columns("groups")
RELATIONSHIP_TYPES = _MODEL.contract_relationship_types
"""Column names of the four tables, in the order written, and the relationship types: the
data contract of the model (``Model.contract_columns``), its extensions left out."""

_REGIME = load_regime("CN-2018")
"""The regime the portfolio is written for (``bank.toml``): its CCFs weight the undrawn
parts and its limits size tier 1 capital."""

FX = {"USD": 7.10, "HKD": 0.91}
"""Units of CNY per unit of each foreign currency, as written to ``bank.toml``."""

_SHOWCASE_BUDGETS = (1, 1, 13, 6, 4)
MIN_PARTIES = sum(_SHOWCASE_BUDGETS) + 2
"""The smallest ``parties`` accepted: the showcase clusters and two bank counterparties."""


@dataclass(frozen=True)
class PortfolioSummary:
    """What :func:`generate_portfolio` wrote.

    Attributes
    ----------
    folder : Path
        The dataset folder.
    entities, companies, persons, banks : int
        Entity rows; ``companies`` includes the ``banks`` (interbank counterparties).
    relationships : dict of str to int
        Relationship rows by type, every type of DESIGN section 2 present (possibly 0).
    facilities : int
        Facility rows.
    declared_groups, declared_members : int
        Groups and member rows of ``groups.csv``.
    tier1_capital : int
        The tier 1 capital written to ``bank.toml``, in CNY.
    """

    folder: Path
    entities: int
    companies: int
    persons: int
    banks: int
    relationships: dict[str, int]
    facilities: int
    declared_groups: int
    declared_members: int
    tier1_capital: int

    @property
    def relationship_rows(self) -> int:
        """All relationship rows."""
        return sum(self.relationships.values())


# --------------------------------------------------------------------------- check characters

_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 alphabet
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body8: str) -> str:
    """Check character of a 9-character organisation code (GB 11714-1997)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


# --------------------------------------------------------------------------- vocabularies

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
_US_REGIONS = ("US-NY", "US-CA", "US-DE", "US-TX")
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
_DOMESTIC_BANKS = ("江南商业银行股份有限公司", "北川农村商业银行股份有限公司",
                   "海港城市商业银行股份有限公司", "中原兴业银行股份有限公司",
                   "东岳银行股份有限公司", "西陵村镇银行有限责任公司")
_GSIB_BANKS = ("Meridian Global Bank N.A.", "Atlas Universal Banking Corporation",
               "Crown Pacific Bank plc")
_GSIB_COUNTRIES = ("US", "US", "HK")

_MAJORITY_BP = (5100, 5500, 6000, 6500, 6700, 7000, 7500, 8000, 8500, 9000, 9500, 9900)
_MAX_HELD_BP = 9900       # all OWNS rows into one company together: at most 99%
_MAX_OUTSIDE_BP = 4900    # outsiders together: at most 49%, so they never control
_ROLES = ("chairman", "director", "director", "ceo", "cfo", "supervisor", "key_person")
_PRODUCTS = (("loan", 0.45), ("revolving", 0.65), ("trade_finance", 0.80),
             ("guarantee_line", 0.90), ("bond", 1.0))
_PATTERNS = (("majority", 0.72), ("pair", 0.82), ("vie", 0.86), ("jv", 0.92),
             ("associate", 1.0))


# --------------------------------------------------------------------------- random numbers

class _Rand:
    """Random draws from one numpy generator, fetched in blocks and served one at a time."""

    __slots__ = ("_gen", "_u", "_z")
    _BLOCK = 16384

    def __init__(self, seed: int) -> None:
        self._gen = np.random.default_rng(seed)
        self._u: list[float] = []
        self._z: list[float] = []

    def u(self) -> float:
        """Uniform in [0, 1)."""
        try:
            return self._u.pop()
        except IndexError:
            self._u = self._gen.random(self._BLOCK).tolist()
            return self._u.pop()

    def normal(self) -> float:
        try:
            return self._z.pop()
        except IndexError:
            self._z = self._gen.standard_normal(self._BLOCK).tolist()
            return self._z.pop()

    def code(self, alphabet: str, length: int) -> str:
        """``length`` characters of ``alphabet`` from one uniform draw (at most 2**52 codes)."""
        n = int(self.u() * len(alphabet) ** length)
        chars = []
        for _ in range(length):
            n, digit = divmod(n, len(alphabet))
            chars.append(alphabet[digit])
        return "".join(chars)

    def chance(self, p: float) -> bool:
        return self.u() < p

    def below(self, n: int) -> int:
        return int(self.u() * n)

    def between(self, lo: int, hi: int) -> int:
        """Integer in [lo, hi]."""
        return lo + int(self.u() * (hi - lo + 1))

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u()

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.u() * len(seq))]

    def lognormal(self, median: float, sigma: float) -> float:
        """Log-normal, the normal draw clipped at 3.3 sigma: heavy tails, no monsters."""
        return median * math.exp(sigma * min(3.3, max(-3.3, self.normal())))

    def lomax(self, alpha: float) -> float:
        """Pareto II (Lomax) with scale 1: heavy-tailed, >= 0."""
        return (1.0 - self.u()) ** (-1.0 / alpha) - 1.0

    def weighted(self, table: Sequence[tuple[str, float]]) -> str:
        """A name from ``(name, cumulative probability)`` pairs."""
        x = self.u()
        for name, cumulative in table:
            if x < cumulative:
                return name
        return table[-1][0]


# --------------------------------------------------------------------------- formatting

def _money(x: float) -> str:
    return f"{x:.2f}"


def _share_text(bp: int, style: float) -> str:
    """A share of ``bp`` basis points, as a fraction (``0.355``) or a percentage (``35.5%``)."""
    if style < 0.55:
        return f"{bp // 10000}.{bp % 10000:04d}".rstrip("0").rstrip(".")
    text = f"{bp // 100}.{bp % 100:02d}".rstrip("0").rstrip(".")
    return text + (" %" if style > 0.97 else "%")


def _iso(day: date, days_back: int) -> str:
    return date.fromordinal(day.toordinal() - days_back).isoformat()


# --------------------------------------------------------------------------- files

class _Table:
    """One CSV file of the data contract: the header, then rows given by column name (a
    column not given is empty), so rows follow the model's columns whatever their order."""

    __slots__ = ("_empty", "_writer")

    def __init__(self, handle: IO[str], columns: Sequence[str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._writer.writerow(columns)
        self._empty = dict.fromkeys(columns, "")

    def row(self, **cells: str) -> None:
        # merged in C, in the header's order (a loop over the cells made the run a fifth slower)
        row = {**self._empty, **cells}
        if len(row) != len(self._empty):
            raise KeyError(f"not a column: {', '.join(sorted(cells.keys() - self._empty.keys()))}")
        self._writer.writerow(row.values())


# --------------------------------------------------------------------------- building blocks

@dataclass(slots=True)
class _Co:
    """A company of the cluster being built (discarded when the cluster is done)."""

    id: str
    name: str
    depth: int
    controlled: bool
    net_assets: float
    parent: _Co | None = None
    children: int = 0
    held: int = 0
    outside: int = 0
    holders: set[str] = field(default_factory=set)
    managers: set[str] = field(default_factory=set)
    facilities: list[tuple[str, float]] = field(default_factory=list)
    exposure: float = 0.0


@dataclass(slots=True)
class _Spec:
    """What a cluster should contain; ``None`` fields are drawn at random."""

    budget: int
    top: str                          # "person", "family" or "company"
    family: int = 0
    others: int | None = None
    supplier: bool | None = None
    additive: bool | None = None
    patterns: tuple[str, ...] = ()
    cross: bool | None = None
    historical: bool | None = None
    guarantee_chain: bool | None = None
    declare: bool | None = None
    drop_member: bool | None = None
    extra_member: bool | None = None
    defaulted_apex: bool = False
    watch_last: bool = False


@dataclass(slots=True)
class _Cluster:
    number: int
    top: list[str]
    companies: list[_Co]
    others: list[str]


# (cluster number, company id, (facility id, exposure) or None, net assets)
_Anchor = tuple[int, str, tuple[str, float] | None, float]


class _Builder:
    """Writes one portfolio; holds the tables, counters and small reservoirs of recent ids."""

    def __init__(self, tables: dict[str, _Table], parties: int, seed: int, as_of: date) -> None:
        self.r = _Rand(seed)
        self.ent = tables["entities"]
        self.rel = tables["relationships"]
        self.fac = tables["facilities"]
        self.grp = tables["groups"]
        self.as_of = as_of
        width = max(6, len(str(parties)))
        self.company_fmt = f"C{{:0{width}d}}"
        self.person_fmt = f"P{{:0{width}d}}"
        self.facility_fmt = f"F{{:0{max(6, len(str(4 * parties)))}d}}"
        self.group_fmt = f"G{{:0{width}d}}"
        self.n_companies = 0
        self.n_persons = 0
        self.n_facilities = 0
        self.n_groups = 0
        self.n_members = 0
        self.n_clusters = 0
        self.counts = dict.fromkeys(RELATIONSHIP_TYPES, 0)
        self.banks = [f"B{i:04d}" for i in range(1, 3 + min(parties // 50_000, 9000))]
        # reservoirs of recent ids for links between clusters (bounded, never the whole book)
        self.anchors: deque[_Anchor] = deque(maxlen=64)
        self.controllers: deque[tuple[int, str]] = deque(maxlen=32)
        self.standalone: deque[str] = deque(maxlen=32)
        self.cross_guarantees: set[tuple[str, str]] = set()
        # the largest exposures, for choosing tier 1 capital
        self.top_groups: list[float] = []
        self.top_parties: list[float] = []

    # ----------------------------------------------------------------------- rows

    def link(self, type_: str, source: str, target: str, **cells: str) -> None:
        """A relationship row; ``cells`` are its other columns by name."""
        self.rel.row(type=type_, source=source, target=target, **cells)
        self.counts[type_] += 1

    def owns(self, source: str, co: _Co, bp: int, *, outside: bool,
             historical: bool = False) -> None:
        r = self.r
        co.held += bp
        if outside:
            co.outside += bp
        co.holders.add(source)
        valid_from = valid_to = ""
        if historical:
            valid_from = _iso(self.as_of, r.between(2200, 4000))
            valid_to = _iso(self.as_of, r.between(60, 2000))
        elif r.chance(0.15):
            valid_from = _iso(self.as_of, r.between(30, 4000))
        self.link("OWNS", source, co.id, share=_share_text(bp, r.u()),
                  valid_from=valid_from, valid_to=valid_to,
                  source_ref="register" if r.chance(0.8) else "annual_report")

    def manages(self, person: str, co: _Co, role: str, *, historical: bool = False) -> None:
        if person in co.managers:
            return
        co.managers.add(person)
        valid_from = valid_to = ""
        if historical:
            valid_from = _iso(self.as_of, self.r.between(2200, 4000))
            valid_to = _iso(self.as_of, self.r.between(60, 2000))
        self.link("MANAGES", person, co.id, role=role, valid_from=valid_from,
                  valid_to=valid_to, source_ref="register")

    def guarantees(self, source: str, target: str, facility: tuple[str, float] | None,
                   amount: float, *, eligible: bool) -> None:
        r = self.r
        valid_from = valid_to = ""
        if r.chance(0.04):
            valid_from = _iso(self.as_of, r.between(1500, 3000))
            valid_to = _iso(self.as_of, r.between(30, 1400))
        elif r.chance(0.3):
            valid_from = _iso(self.as_of, r.between(30, 1400))
        self.link("GUARANTEES", source, target, amount=_money(max(amount, 10_000.0)),
                  facility=facility[0] if facility else "",
                  eligible="true" if eligible else "false", valid_from=valid_from,
                  valid_to=valid_to, source_ref="credit_file")

    def facilities(self, borrower: str, size: float, country: str, n: int,
                   person: bool = False) -> tuple[list[tuple[str, float]], float]:
        """Write ``n`` facilities for a borrower of ``size`` (CNY); return them and the total
        exposure in CNY (undrawn parts weighted by the ccf or the product's usual one)."""
        r = self.r
        written: list[tuple[str, float]] = []
        total = 0.0
        for _ in range(n):
            self.n_facilities += 1
            fid = self.facility_fmt.format(self.n_facilities)
            product = "loan" if person else r.weighted(_PRODUCTS)
            cny = size * r.lognormal(0.06, 0.7) if not person else r.lognormal(600_000.0, 1.0)
            cny = min(max(cny, 20_000.0), max(size, 20_000.0) * 0.7) if not person else cny
            drawn_part = 1.0
            if product == "revolving":
                drawn_part = 0.0 if r.chance(0.06) else r.uniform(0.2, 0.9)
            elif product in ("trade_finance", "guarantee_line"):
                drawn_part = r.uniform(0.0, 1.0)
            elif product == "loan" and r.chance(0.25):
                drawn_part = r.uniform(0.5, 0.95)
            currency = "CNY"
            x = r.u()
            if country == "CN":
                currency = "USD" if x < 0.07 else "CNY"
            elif country == "HK":
                currency = "USD" if x < 0.5 else "HKD" if x < 0.8 else "CNY"
            elif country == "SG":
                currency = "USD" if x < 0.8 else "CNY"
            else:
                currency = "USD"
            rate = FX.get(currency, 1.0)
            outstanding = round(cny * drawn_part / rate, 2)
            undrawn = round(cny * (1.0 - drawn_part) / rate, 2)
            ccf = _REGIME.ccf_for(product)
            ccf_text = ""
            if undrawn > 0 and not r.chance(0.3):
                # the facility states its ccf: the product's, or now and then a revolving
                # line the bank may cancel at any time
                if product == "revolving" and r.chance(0.2):
                    ccf = _REGIME.ccf["unconditionally_cancellable"]
                ccf_text = f"{ccf:g}"
            exposure = (outstanding + ccf * undrawn) * rate
            self.fac.row(id=fid, borrower=borrower, outstanding=_money(outstanding),
                         undrawn=_money(undrawn), ccf=ccf_text, product=product,
                         currency=currency)
            written.append((fid, exposure))
            total += exposure
        return written, total

    # ----------------------------------------------------------------------- parties

    def person(self, city: tuple[str, str, str], surname: str | None = None,
               status: str = "active") -> str:
        r = self.r
        self.n_persons += 1
        pid = self.person_fmt.format(self.n_persons)
        latin = surname is None and r.chance(0.06)
        if latin:
            country, region = ("HK", "HK") if r.chance(0.7) else ("SG", "SG")
            if r.chance(0.5):
                name = f"{r.pick(_HK_SURNAMES)} {r.pick(_HK_GIVEN)}"
            elif r.chance(0.8):
                name = f"{r.pick(_WESTERN_GIVEN)} {r.pick(_HK_SURNAMES)}"
            else:
                name = f"{r.pick(_WESTERN_GIVEN)} {r.pick(_WESTERN_SURNAMES)}"
        else:
            country, region = "CN", city[2]
            if surname is None:
                surname = _SURNAMES[int(r.u() ** 1.7 * len(_SURNAMES))]
            given = r.pick(_GIVEN) if r.chance(0.3) else r.pick(_GIVEN) + r.pick(_GIVEN)
            name = surname + given
        self.ent.row(id=pid, name=name, kind="person", country=country, region=region,
                     is_bank="false", is_gsib="false", status=status)
        return pid

    def company(self, *, name: str, industry: str, country: str, city: tuple[str, str, str],
                size: float, depth: int, controlled: bool, facilities: int | None = None,
                borrow: float = 0.78, status: str | None = None, lei_p: float = 0.1) -> _Co:
        r = self.r
        self.n_companies += 1
        cid = self.company_fmt.format(self.n_companies)
        registration = lei = ""
        region = city[2]
        if country == "CN":
            registration = self.uscc(city[1])
            lou = "300300"
        else:
            lei_p = max(lei_p, 0.45)
            lou = r.pick(("549300", "529900", "213800"))
            if country == "HK":
                registration, region = str(r.between(1_000_000, 3_299_999)), "HK"
            elif country == "SG":
                registration = f"{r.between(2005, 2023)}{r.between(10000, 99999)}" + r.pick("KMNRWZ")
                region = "SG"
            else:
                registration, region = "", r.pick(_US_REGIONS)
        if r.chance(lei_p):
            lei = self.lei(lou)
        total_assets = min(max(size, 200_000.0), 3.0e12)
        net_assets = total_assets * r.uniform(0.12, 0.55)
        revenue = total_assets * r.lognormal(0.6, 0.5)
        if status is None:
            status = "watch" if r.chance(0.03) else "active"
        self.ent.row(id=cid, name=name, kind="company", registration_id=registration, lei=lei,
                     country=country, region=region, industry=industry, is_bank="false",
                     is_gsib="false", net_assets=f"{net_assets:.0f}",
                     total_assets=f"{total_assets:.0f}", revenue=f"{revenue:.0f}",
                     status=status)
        if facilities is None:
            x = r.u() / borrow      # no facility with probability 1 - borrow
            facilities = 0 if x >= 1 else 1 if x < 0.55 else 2 if x < 0.85 else 3 if x < 0.96 else 4
        co = _Co(cid, name, depth, controlled, float(f"{net_assets:.0f}"))
        co.facilities, co.exposure = self.facilities(cid, total_assets, country, facilities)
        return co

    def uscc(self, division: str) -> str:
        """A unified social credit code of an enterprise (91) registered in ``division``;
        its organisation code part carries its own GB 11714 check character."""
        body = self.r.code(_USCC_CHARSET, 8)
        first17 = "91" + division + body + _org_code_check(body)
        return first17 + uscc_check_char(first17)

    def lei(self, lou: str) -> str:
        """An LEI issued by the LOU whose 6-character prefix is ``lou``."""
        base = lou + self.r.code(_ALNUM, 6) + self.r.code(_ALNUM, 6)
        return base + lei_check_digits(base)

    def city(self) -> tuple[str, str, str]:
        return _CITIES[int(self.r.u() ** 1.4 * len(_CITIES))]

    def root(self) -> str:
        r = self.r
        first = r.pick(_ROOT_FIRST)
        second = r.pick(_ROOT_SECOND)
        return first + (second if second != first else r.pick(_ROOT_SECOND[:5]))

    def company_name(self, root: str, city: tuple[str, str, str], country: str,
                     holding: bool = False) -> tuple[str, str]:
        """A company name and its GB/T 4754 section."""
        r = self.r
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

    def country(self, foreign: float) -> str:
        x = self.r.u()
        if x >= foreign:
            return "CN"
        x /= foreign
        return "HK" if x < 0.6 else "SG" if x < 0.85 else "US"

    def outsider(self, cluster: _Cluster, co: _Co) -> str | None:
        """An outside investor for ``co``: a company of an earlier cluster or a non-member
        person of this one, not yet a holder of ``co``."""
        r = self.r
        for _ in range(3):
            if self.anchors and (not cluster.others or r.chance(0.6)):
                candidate = self.anchors[r.below(len(self.anchors))][1]
            elif cluster.others:
                candidate = cluster.others[r.below(len(cluster.others))]
            else:
                return None
            if candidate not in co.holders and candidate != co.id:
                return candidate
        return None

    def add_outsider(self, cluster: _Cluster, co: _Co, lo: int, hi: int, *,
                     historical: bool = False) -> None:
        room = min(_MAX_HELD_BP - co.held, _MAX_OUTSIDE_BP - co.outside, hi)
        if room < lo:
            return
        source = self.outsider(cluster, co)
        if source is not None:
            self.owns(source, co, self.r.between(lo, room), outside=True, historical=historical)

    # ----------------------------------------------------------------------- exposure

    def count_exposure(self, groups: Sequence[float], parties: Sequence[float]) -> None:
        """Note the gross exposures (CNY) of groups and of single parties."""
        for exposure in groups:
            _push(self.top_groups, exposure)
        for exposure in parties:
            _push(self.top_parties, exposure)

    # ----------------------------------------------------------------------- clusters

    def singleton(self, *, company: bool, status: str | None = None,
                  anchor: bool | None = None) -> str:
        """A party with no group: a standalone company or an individual borrower. A
        standalone company serves later either as an anchor for links from other clusters
        or as a candidate extra member of a declared group, never both (an extra member
        must not be supported by any link)."""
        r = self.r
        self.n_clusters += 1
        city = self.city()
        if company:
            country = self.country(0.06)
            name, industry = self.company_name(self.root(), city, country)
            co = self.company(name=name, industry=industry, country=country, city=city,
                              size=r.lognormal(6.0e7, 1.2), depth=0, controlled=False,
                              status=status)
            if anchor if anchor is not None else r.chance(0.5):
                self.anchors.append((self.n_clusters - 1, co.id,
                                     co.facilities[0] if co.facilities else None,
                                     co.net_assets))
            else:
                self.standalone.append(co.id)
            self.count_exposure((co.exposure,), (co.exposure,))
            return co.id
        pid = self.person(city, status=status or ("watch" if r.chance(0.03) else "active"))
        _, exposure = self.facilities(pid, 0.0, "CN", 1 if r.chance(0.9) else 2, person=True)
        self.count_exposure((exposure,), (exposure,))
        return pid

    def family(self, size: int, city: tuple[str, str, str]) -> list[str]:
        r = self.r
        surname = _SURNAMES[int(r.u() ** 1.7 * len(_SURNAMES))]
        head = self.person(city, surname)
        members = [head]
        # (relation of the new member to the head, same surname)
        plan = [("spouse", False), ("child", True), ("sibling", True), ("child", True)]
        if r.chance(0.3):
            plan[0], plan[1] = plan[1], plan[0]
        for relation, same in plan[: size - 1]:
            member = self.person(city, surname if same else None)
            # `relation` says what the source is to the target
            if relation == "child":
                self.link("RELATIVE_OF", head, member, relation="parent", source_ref="analyst")
            else:
                self.link("RELATIVE_OF", member, head, relation=relation, source_ref="analyst")
            members.append(member)
        if size >= 3 and r.chance(0.5):
            # the spouse and the child know each other too; an in-law now and then
            self.link("RELATIVE_OF", members[1], members[2],
                      relation="other" if r.chance(0.2) else
                      ("child" if plan[0][0] == "child" else "parent"),
                      source_ref="analyst")
        return members

    def cluster(self, spec: _Spec) -> _Cluster:
        """Write one cluster: its parties, ownership tree, managers, guarantees and the
        bank's declared group."""
        r = self.r
        number = self.n_clusters
        self.n_clusters += 1
        city = self.city()
        root = self.root()
        top: list[str] = []
        if spec.top == "person":
            top = [self.person(city)]
        elif spec.top == "family":
            top = self.family(spec.family, city)
        rest = spec.budget - len(top)
        supplier = spec.supplier if spec.supplier is not None else rest >= 4 and r.chance(0.12)
        supplier = int(bool(supplier) and rest >= 3)
        n_others = spec.others if spec.others is not None else int(rest * r.uniform(0.1, 0.35))
        n_companies = rest - n_others - supplier
        if n_companies < 1:
            n_others -= 1 - n_companies
            n_companies = 1
        others = [self.person(city) for _ in range(n_others)]
        cluster = _Cluster(number, top, [], others)

        # the apex (a holding company in a group of several)
        scale = math.sqrt(n_companies)
        holding = n_companies > 1 or spec.top == "company"
        name, industry = self.company_name(root, city, "CN", holding=holding)
        apex = self.company(name=name, industry=industry, country="CN", city=city,
                            size=r.lognormal(2.5e8, 1.3) * scale, depth=0, controlled=True,
                            facilities=max(1, r.between(0, 3)), lei_p=0.5,
                            status="defaulted" if spec.defaulted_apex else None)
        cluster.companies.append(apex)
        self.apex_owners(cluster, apex, spec)

        names = {apex.name}
        # the bank lends to a few members of a conglomerate, not to every one of them
        borrow = min(0.78, 3.0 / scale)
        parents = [apex]          # controlled, depth <= 2: may hold subsidiaries
        controlled = [apex]
        for i in range(1, n_companies):
            pattern = spec.patterns[i - 1] if i - 1 < len(spec.patterns) else r.weighted(_PATTERNS)
            if pattern == "deep":
                parent = max(parents, key=lambda c: c.depth)
                pattern = "majority"
            elif r.chance(0.3):
                parent = apex
            else:
                parent = parents[r.below(len(parents))]
            country = self.country(0.04 + 0.08 * min(1.0, n_companies / 40))
            where = self.city() if r.chance(0.5) else city
            name, industry = self.company_name(root, where, country)
            for _ in range(3):
                if name not in names:
                    break
                name, industry = self.company_name(root, where, country)
            names.add(name)
            co = self.company(name=name, industry=industry, country=country, city=where,
                              size=r.lognormal(1.2e8, 1.3), depth=parent.depth + 1,
                              borrow=borrow,
                              controlled=pattern in ("majority", "pair", "vie"),
                              status="watch" if spec.watch_last and i == n_companies - 1
                              else None)
            co.parent = parent
            parent.children += 1
            self.subsidiary_owners(cluster, co, parent, controlled, pattern)
            cluster.companies.append(co)
            if co.controlled:
                controlled.append(co)
                if co.depth <= 2:
                    parents.append(co)

        if spec.cross if spec.cross is not None else len(controlled) >= 3 and r.chance(0.2):
            for i in range(1 + len(controlled) // 60):
                for _attempt in range(20):
                    if self.cross_holding(controlled, into_parent=i == 0 and bool(spec.cross)):
                        break
        if spec.historical if spec.historical is not None else r.chance(0.06):
            target = controlled[r.below(len(controlled))]
            self.add_outsider(cluster, target, 300, 3000, historical=True)
            if others:
                self.manages(others[r.below(len(others))], target, "director", historical=True)

        members: list[str] = [*top, *(c.id for c in controlled)]
        member_exposure = sum(c.exposure for c in controlled)
        if supplier:
            country = self.country(0.05)
            where = self.city()
            name, industry = self.company_name(self.root(), where, country)
            sup = self.company(name=name, industry=industry, country=country, city=where,
                               size=r.lognormal(4.0e7, 1.2), depth=0, controlled=False)
            cluster.companies.append(sup)
            customer = controlled[r.below(len(controlled))]
            self.link("DEPENDS_ON", sup.id, customer.id,
                      share=_share_text(r.between(55, 90) * 100, 0.0),
                      source_ref=r.pick(("analyst", "annual_report")))
            members.append(sup.id)
            member_exposure += sup.exposure

        self.management(cluster, controlled)
        chain = spec.guarantee_chain
        for co in cluster.companies[1:]:
            if co.parent is not None and co.controlled and (
                    chain if chain is not None else r.chance(0.25)):
                facility = co.facilities[0] if co.facilities else None
                base = facility[1] if facility else co.net_assets * 0.3
                self.guarantees(co.parent.id, co.id, facility, base * r.uniform(0.3, 1.0),
                                eligible=r.chance(0.2))
        if top and r.chance(0.15) and apex.facilities:
            facility = apex.facilities[0]
            self.guarantees(top[0], apex.id, facility, facility[1] * r.uniform(0.2, 0.8),
                            eligible=False)

        # exposure: the group, the companies outside it, and every party on its own
        parties = [c.exposure for c in cluster.companies]
        if top and r.chance(0.08):
            _, exposure = self.facilities(top[0], 0.0, "CN", 1, person=True)
            parties.append(exposure)
            member_exposure += exposure
        alone = [c.exposure for c in cluster.companies if not c.controlled and c.id not in members]
        self.count_exposure([member_exposure, *alone], parties)
        self.declare(cluster, members, controlled, spec)
        return cluster

    def apex_owners(self, cluster: _Cluster, apex: _Co, spec: _Spec) -> None:
        r = self.r
        top = cluster.top
        if spec.top == "person":
            self.owns(top[0], apex, r.pick(_MAJORITY_BP) if r.chance(0.7)
                      else r.between(5100, 9900), outside=False)
        elif spec.top == "family":
            additive = spec.additive if spec.additive is not None else r.chance(0.5)
            if additive:
                # no one alone holds half; together they do
                total = r.between(5100, 7500)
                first = r.between(max(total - 4900, 2600), min(4900, total - 1000))
                self.owns(top[0], apex, first, outside=False)
                self.owns(top[1], apex, total - first, outside=False)
            else:
                self.owns(top[0], apex, r.between(5100, 8000), outside=False)
            for member in top[1 if not additive else 2:]:
                room = _MAX_HELD_BP - apex.held
                if room >= 200 and r.chance(0.5):
                    self.owns(member, apex, r.between(100, min(1000, room - 100)),
                              outside=False)
        else:
            # a holding with dispersed outside shareholders: no one controls it
            for _ in range(r.between(0, 3)):
                self.add_outsider(cluster, apex, 300, 1500)
            return
        if r.chance(0.4):
            self.add_outsider(cluster, apex, 100, 4900)

    def subsidiary_owners(self, cluster: _Cluster, co: _Co, parent: _Co,
                          controlled: list[_Co], pattern: str) -> None:
        r = self.r
        top = cluster.top
        if pattern == "pair":
            second = None
            if len(controlled) >= 2:
                pick = r.below(len(controlled) - 1)
                second = controlled[pick + (controlled[pick] is parent)].id
            elif top:
                second = top[0]
            if second is None:
                pattern = "majority"
            else:
                # neither holder has half; together they have control (e.g. 30% + 25%)
                total = r.between(5100, 7500)
                first = r.between(max(total - 4900, 2000), min(4900, total - 1500))
                self.owns(parent.id, co, first, outside=False)
                self.owns(second, co, total - first, outside=False)
                self.add_outsider(cluster, co, 100, 2500)
                return
        if pattern == "majority":
            self.owns(parent.id, co, r.pick(_MAJORITY_BP) if r.chance(0.7)
                      else r.between(5100, 9900), outside=False)
            room = _MAX_HELD_BP - co.held
            if top and room >= 200 and r.chance(0.1):
                self.owns(top[r.below(len(top))], co, r.between(100, min(room - 100, 1500)),
                          outside=False)
            if r.chance(0.35):
                self.add_outsider(cluster, co, 100, 4900)
        elif pattern == "vie":
            controller = top[0] if top else cluster.companies[0].id
            basis = r.pick(("VIE", "agreement", "board"))
            self.link("CONTROLS", controller, co.id, basis=basis,
                      source_ref=r.pick(("annual_report", "analyst")))
            if r.chance(0.7):
                self.owns(parent.id, co, r.between(500, 3000), outside=False)
            self.add_outsider(cluster, co, 500, 4900)
        elif pattern == "jv":
            # exactly half is not control; the partner holds less, so no one controls
            self.owns(parent.id, co, 5000, outside=False)
            self.add_outsider(cluster, co, 2000, 4900)
        else:  # associate: a minority stake
            self.owns(parent.id, co, r.between(1000, 4900), outside=False)
            self.add_outsider(cluster, co, 500, 4900)

    def cross_holding(self, controlled: list[_Co], into_parent: bool = False) -> bool:
        """A subsidiary takes a small stake back in its parent (an ownership cycle) or in a
        sibling; False when the draw does not fit (the target is full or already held by
        the subsidiary)."""
        r = self.r
        if len(controlled) < 2:
            return False
        holder = controlled[1 + r.below(len(controlled) - 1)]
        parent = holder.parent
        if parent is not None and parent.id not in holder.holders:
            parent = None           # control by agreement: no stake to close a cycle with
        if into_parent and parent is None:
            return False
        target = parent if parent is not None and (into_parent or r.chance(0.6)) \
            else controlled[r.below(len(controlled))]
        if target is None or target is holder or holder.id in target.holders:
            return False
        bp = min(r.between(300, 1000), _MAX_HELD_BP - target.held)
        if bp < 100:
            return False
        self.owns(holder.id, target, bp, outside=False)
        return True

    def management(self, cluster: _Cluster, controlled: list[_Co]) -> None:
        r = self.r
        top, others = cluster.top, cluster.others
        companies = cluster.companies
        for i, co in enumerate(companies):
            if top and ((i == 0 and r.chance(0.8)) or (co.controlled and r.chance(0.2))):
                self.manages(top[r.below(len(top))] if i else top[0], co,
                             "legal_representative")
            elif others:
                self.manages(others[r.below(len(others))], co, "legal_representative")
            if others and r.chance(0.5):
                self.manages(others[r.below(len(others))], co, r.pick(_ROLES))
            if len(top) > 1 and co.controlled and r.chance(0.15):
                self.manages(top[1 + r.below(len(top) - 1)], co, r.pick(_ROLES[:4]))
        # everyone of the cluster's other persons has some role somewhere
        for j, person in enumerate(others):
            co = companies[j % len(companies)]
            self.manages(person, co, r.pick(_ROLES))

    def declare(self, cluster: _Cluster, members: list[str], controlled: list[_Co],
                spec: _Spec) -> None:
        """Write the bank's declared group: the true members, now and then one missing (a
        subsidiary without subsidiaries of its own) or one unrelated company added."""
        r = self.r
        apex = controlled[0]
        if len(members) < 2 or not (spec.declare if spec.declare is not None else r.chance(0.9)):
            return
        declared = list(members)
        if (spec.drop_member if spec.drop_member is not None else r.chance(0.03)) \
                and len(declared) >= 3:
            leaves = [c.id for c in controlled[1:] if not c.children]
            if leaves:
                declared.remove(leaves[r.below(len(leaves))])
        if (spec.extra_member if spec.extra_member is not None else r.chance(0.03)) \
                and self.standalone:
            declared.append(self.standalone.popleft())
        self.n_groups += 1
        group_id = self.group_fmt.format(self.n_groups)
        name = apex.name.removesuffix("有限公司").removesuffix("股份").removesuffix("集团")
        group_name = name + "集团" if apex.name.endswith("公司") else apex.name + " Group"
        for member in declared:
            self.grp.row(group_id=group_id, member=member, group_name=group_name)
        self.n_members += len(declared)

    def remember(self, cluster: _Cluster) -> None:
        """Keep a few ids of a finished cluster for links from later clusters."""
        r = self.r
        companies = cluster.companies
        for _ in range(min(2, len(companies))):
            co = companies[r.below(len(companies))]
            self.anchors.append((cluster.number, co.id,
                                 co.facilities[0] if co.facilities else None, co.net_assets))
        if cluster.top:
            self.controllers.append((cluster.number, cluster.top[0]))

    def cross_links(self, cluster: _Cluster) -> None:
        """Links between this cluster and earlier ones that do not merge groups."""
        r = self.r
        companies = cluster.companies
        if not self.anchors:
            return
        if r.chance(0.12):      # a guarantee chain across groups
            co = companies[r.below(len(companies))]
            number, other, facility, net_assets = self.anchors[r.below(len(self.anchors))]
            if number != cluster.number:
                if r.chance(0.5):
                    self.cross_guarantee(co.id, other, facility, co.net_assets * r.uniform(0.1, 1.2))
                else:
                    fac = co.facilities[0] if co.facilities else None
                    self.cross_guarantee(other, co.id, fac, net_assets * r.uniform(0.1, 1.2))
        if r.chance(0.015):     # a guarantee circle across three groups
            self.circle(companies[r.below(len(companies))])
        if r.chance(0.05):      # economic dependence below the threshold
            co = companies[r.below(len(companies))]
            other = self.anchors[r.below(len(self.anchors))][1]
            if other != co.id:
                self.link("DEPENDS_ON", co.id, other,
                          share=_share_text(r.between(10, 45) * 100, r.u()),
                          source_ref=r.pick(("analyst", "annual_report")))
        if self.controllers and r.chance(0.02):     # a suspected link
            number, person = self.controllers[r.below(len(self.controllers))]
            if number != cluster.number:
                self.manages(person, companies[r.below(len(companies))],
                             r.pick(("director", "supervisor", "key_person")))
        if r.chance(0.005) and companies[0].facilities:    # a bank's standby guarantee
            facility = companies[0].facilities[0]
            self.cross_guarantee(self.banks[r.below(len(self.banks))], companies[0].id,
                                 facility, facility[1] * r.uniform(0.5, 1.0), eligible=True)

    def cross_guarantee(self, source: str, target: str, facility: tuple[str, float] | None,
                        amount: float, eligible: bool = False) -> bool:
        if source == target or (source, target) in self.cross_guarantees:
            return False
        self.cross_guarantees.add((source, target))
        self.guarantees(source, target, facility, amount, eligible=eligible)
        return True

    def circle(self, co: _Co) -> None:
        """``co`` -> B -> C -> ``co`` with B and C from two other earlier clusters."""
        r = self.r
        anchors = self.anchors
        b = anchors[r.below(len(anchors))]
        c = anchors[r.below(len(anchors))]
        if b[0] == c[0]:
            return
        self.cross_guarantee(co.id, b[1], b[2], co.net_assets * r.uniform(0.3, 1.5))
        self.cross_guarantee(b[1], c[1], c[2], b[3] * r.uniform(0.3, 1.5))
        fac = co.facilities[0] if co.facilities else None
        self.cross_guarantee(c[1], co.id, fac, c[3] * r.uniform(0.3, 1.5))

    # ----------------------------------------------------------------------- the whole book

    def showcase(self) -> None:
        """The fixed first clusters: every feature of the data contract, even at 30 parties."""
        self.singleton(company=True, anchor=True)     # a joint-venture partner
        self.singleton(company=True, anchor=False)    # wrongly declared in a group later
        family = self.cluster(_Spec(
            budget=_SHOWCASE_BUDGETS[2], top="family", family=3, others=3, supplier=False,
            additive=True, patterns=("majority", "deep", "pair", "jv", "vie", "deep"),
            cross=True, historical=True, guarantee_chain=True, declare=True,
            drop_member=False, extra_member=False))
        self.remember(family)
        person = self.cluster(_Spec(
            budget=_SHOWCASE_BUDGETS[3], top="person", others=1, supplier=True,
            patterns=("majority", "majority"), cross=False, historical=False,
            guarantee_chain=False, declare=True, drop_member=True, extra_member=False,
            defaulted_apex=True))
        holding = self.cluster(_Spec(
            budget=_SHOWCASE_BUDGETS[4], top="company", others=1, supplier=False,
            patterns=("majority", "associate"), cross=False, historical=False,
            guarantee_chain=True, declare=True, drop_member=False, extra_member=True,
            watch_last=True))
        # a guarantee circle across the three groups; the defaulted apex sets off a cascade
        a, b, c = family.companies[1], person.companies[0], holding.companies[0]
        self.cross_guarantee(a.id, b.id, b.facilities[0], a.net_assets * 1.5)
        self.cross_guarantee(b.id, c.id, c.facilities[0], b.net_assets * 0.5)
        self.cross_guarantee(c.id, a.id, a.facilities[0] if a.facilities else None,
                             c.net_assets * 1.2)
        # the bank's standby guarantee: eligible protection (an apex always borrows)
        self.cross_guarantee(self.banks[0], c.id, c.facilities[0], c.facilities[0][1] * 0.6,
                             eligible=True)
        # suspected links: a group's controller manages a company of another group
        self.manages(person.top[0], family.companies[2], "director")
        self.manages(family.top[0], holding.companies[0], "supervisor")
        # economic dependence below the threshold: no merge
        self.link("DEPENDS_ON", c.id, family.companies[0].id, share="0.3",
                  source_ref="annual_report")
        self.remember(person)
        self.remember(holding)

    def cluster_spec(self, remaining: int, cap: int) -> _Spec | None:
        """A random cluster, or None for a single party."""
        r = self.r
        if remaining < 2 or r.chance(0.35):
            return None
        budget = min(remaining, cap, 2 + int(3.0 * r.lomax(1.3)))
        x = r.u()
        if budget >= 3 and x < 0.3:
            return _Spec(budget, "family", family=min(budget - 1, r.between(2, 4)))
        if x < 0.75 or budget < 3:
            return _Spec(budget, "person")
        return _Spec(budget, "company")

    def bank_counterparties(self, tier1: float) -> None:
        r = self.r
        for i, bid in enumerate(self.banks):
            gsib = i % 5 == 1
            if gsib:
                name = _GSIB_BANKS[(i // 5) % len(_GSIB_BANKS)]
                country = _GSIB_COUNTRIES[(i // 5) % len(_GSIB_COUNTRIES)]
                region = "HK" if country == "HK" else "US-NY"
                registration = ""
                lou = "549300"
                total_assets = r.lognormal(1.5e13, 0.3)
            else:
                city = self.city()
                name = _DOMESTIC_BANKS[i % len(_DOMESTIC_BANKS)]
                if i >= len(_DOMESTIC_BANKS):
                    name = f"{city[0].removesuffix('市')}{name}"
                country, region = "CN", city[2]
                registration = self.uscc(city[1])
                lou = "300300"
                total_assets = r.lognormal(8.0e11, 0.8)
            lei = self.lei(lou)
            net_assets = total_assets * r.uniform(0.06, 0.09)
            self.ent.row(id=bid, name=name, kind="company", registration_id=registration,
                         lei=lei, country=country, region=region, industry="J", is_bank="true",
                         is_gsib="true" if gsib else "false", net_assets=f"{net_assets:.0f}",
                         total_assets=f"{total_assets:.0f}",
                         revenue=f"{total_assets * r.uniform(0.02, 0.04):.0f}", status="active")
            share_of_tier1 = r.uniform(0.03, 0.12) if gsib else r.uniform(0.04, 0.2)
            currency = "USD" if gsib else "CNY"
            rate = FX.get(currency, 1.0)
            self.n_facilities += 1
            self.fac.row(id=self.facility_fmt.format(self.n_facilities), borrower=bid,
                         outstanding=_money(tier1 * share_of_tier1 / rate), undrawn=_money(0.0),
                         product="loan", currency=currency)


def _push(heap: list[float], value: float, keep: int = 64) -> None:
    if len(heap) < keep:
        heapq.heappush(heap, value)
    elif value > heap[0]:
        heapq.heapreplace(heap, value)


def _tier1(top_groups: list[float], top_parties: list[float]) -> int:
    """Tier 1 capital from the largest gross exposures (CNY), rounded to three significant
    digits: the three largest groups at or above the group limit of the regime (CN-2018:
    20%), unless that puts a single party above 25% (then tier 1 is raised to keep it at
    25%); and at least three parties above the regime's large-exposure threshold (CN-2018:
    2.5%), unless that puts a single party above 40% (in very small books only)."""
    group_limit = next(float(limit["limit"]) for limit in _REGIME.limits
                       if limit["check"] == "group")
    large = float(_REGIME.large_exposure["threshold"])
    groups = sorted(top_groups, reverse=True)
    parties = sorted(top_parties, reverse=True)
    tier1 = max(groups[min(2, len(groups) - 1)] / group_limit, parties[0] / 0.25)
    if len(parties) >= 3 and parties[2] <= large * tier1:
        tier1 = max(parties[2] / large * 0.99, parties[0] / 0.40)
    digits = 10 ** max(0, int(math.log10(tier1)) - 2)
    return max(1, int(tier1 // digits * digits))


# --------------------------------------------------------------------------- public API

def generate_portfolio(folder: Path, parties: int = 200, seed: int = 7, *,
                       as_of: date | None = None) -> PortfolioSummary:
    """Write a synthetic bank portfolio of about ``parties`` companies and persons.

    Parameters
    ----------
    folder : Path
        The dataset folder; created if missing. ``entities.csv``, ``relationships.csv``,
        ``facilities.csv``, ``groups.csv`` and ``bank.toml`` in it are overwritten.
    parties : int, default 200
        Number of entity rows (companies, persons and the bank counterparties); the
        portfolio has exactly this many. At least :data:`MIN_PARTIES`; a million take
        well under a minute.
    seed : int, default 7
        Seed of the random draws: the same ``(parties, seed, as_of)`` gives byte-identical
        files.
    as_of : date, optional
        Reference date: historical rows end before it and current rows start before it.
        Default :data:`DEFAULT_AS_OF`, a fixed past date, so that the output does not depend
        on the day it is generated.

    Returns
    -------
    PortfolioSummary
        Counts of what was written.

    Raises
    ------
    ValueError
        If ``parties`` is below :data:`MIN_PARTIES`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = generate_portfolio(Path(tmp), parties=40, seed=1)
    >>> summary.entities, summary.relationships["RELATIVE_OF"] > 0
    (40, True)
    """
    if parties < MIN_PARTIES:
        raise ValueError(f"parties must be at least {MIN_PARTIES}, got {parties}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    as_of = as_of or DEFAULT_AS_OF
    with ExitStack() as stack:
        tables = {
            stem: _Table(stack.enter_context(
                (folder / f"{stem}.csv").open("w", encoding="utf-8", newline="")), columns)
            for stem, columns in (("entities", ENTITY_COLUMNS),
                                  ("relationships", RELATIONSHIP_COLUMNS),
                                  ("facilities", FACILITY_COLUMNS), ("groups", GROUP_COLUMNS))
        }
        builder = _Builder(tables, parties, seed, as_of)
        builder.showcase()
        remaining = parties - len(builder.banks) - builder.n_companies - builder.n_persons
        cap = max(8, min(5000, parties // 40))
        second_default = parties >= 1000
        while remaining > 0:
            spec = builder.cluster_spec(remaining, cap)
            if spec is None:
                company = builder.r.chance(0.6)
                status = None
                if company and second_default:
                    status, second_default = "defaulted", False
                builder.singleton(company=company, status=status)
                remaining -= 1
                continue
            cluster = builder.cluster(spec)
            builder.cross_links(cluster)
            builder.remember(cluster)
            remaining -= spec.budget
        tier1 = _tier1(builder.top_groups, builder.top_parties)
        builder.bank_counterparties(float(tier1))
    net_capital = round(tier1 * 1.2)
    fx = "\n".join(f"{code} = {rate:.2f}" for code, rate in FX.items())
    (folder / "bank.toml").write_text(
        f"# Synthetic portfolio (groupgraph loaders.synthetic): parties={parties}, seed={seed},"
        f" as_of={as_of.isoformat()}\n"
        f'name = "示范商业银行股份有限公司 (synthetic)"\n'
        f'base_currency = "CNY"\n'
        f"tier1_capital = {tier1}\n"
        f"net_capital = {net_capital}\n"
        f'regime = "{_REGIME.name}"\n'
        f"\n[fx]\n{fx}\n",
        encoding="utf-8", newline="\n")
    return PortfolioSummary(
        folder=folder,
        entities=builder.n_companies + builder.n_persons + len(builder.banks),
        companies=builder.n_companies + len(builder.banks),
        persons=builder.n_persons,
        banks=len(builder.banks),
        relationships=dict(builder.counts),
        facilities=builder.n_facilities,
        declared_groups=builder.n_groups,
        declared_members=builder.n_members,
        tier1_capital=tier1,
    )
