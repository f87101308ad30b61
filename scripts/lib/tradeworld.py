"""The content of scripts/publisher, the publisher simulator: China-DPRK trade statistics and
three news feeds as a pure function of (seed, round), and their renderings in the formats the
publishers use (RSS, Atom, JSON Feed, Comtrade JSON, SDMX-ML 2.1 generic, SDMX-JSON 1.0, CSV).
The codes' names (SDMX structures, Comtrade reference files) are scripts/lib/tradelabels.py.

The same seed and round always give the same bytes: scripts/demo prints figures the reader can
compare from run to run, and the end-to-end tests assert on what a round changed.

A round: news gets 2 new articles, 1 edited (title and summary) and 1 removed per feed;
statistics get 2 new months (provisional, flag P), the provisional months older than the
latest three become final (P -> A, often revised), 3 older figures are revised and one row is
withdrawn. From round 2 on, HS 9701 has a new wording wherever it is named (tradelabels.RENAMED).
"""
import copy
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from xml.sax.saxutils import escape

import tradelabels

REPORTER = 156
PARTNER = 408
FLOWS = {"M": "Import", "X": "Export"}
FEEDS = {"korea-trade": "rss", "border-news": "atom", "customs-notes": "json"}
TOPICS = (
    ("Wig exports across the Yalu", "Processing trade in hair products keeps Dandong's factories busy."),
    ("Customs data show a jump in paintings", "Art from Mansudae studios appears in China's import figures."),
    ("Iron ore shipments resume", "Trucks cross at Sinuiju after months of quiet."),
    ("Seafood trade under scrutiny", "Analysts compare customs lines for molluscs with satellite images."),
    ("Border trade fair reopens", "Traders from Liaoning and Jilin return to the fairground."),
    ("Monthly totals revised", "The customs administration updated last quarter's figures."),
    ("Hair processing in Hunchun", "Workers assemble wigs and eyelashes for export markets."),
    ("Sanctions and statistics", "Why the published totals may not show everything that crosses."),
)
AUTHORS = ["Kim Min-jun", "Li Wei", "Park Soo-ah", "Zhang Hui"]
FIRST_MONTH = (2017, 1)
START_MONTHS = 30  # round 0 covers 2017-01 .. 2019-06


@dataclass(frozen=True)
class Commodity:
    code: str  # an HS heading, or TOTAL
    description: str
    base: float  # the typical monthly import value in USD


BASE_COMMODITIES = (
    Commodity("TOTAL", "All commodities", 150_000_000),
    Commodity("6704", "Wigs, false beards, eyebrows and eyelashes", 9_000_000),
    Commodity("9701", "Paintings, drawings and pastels", 400_000),
    Commodity("2601", "Iron ores and concentrates", 2_500_000),
    Commodity("0307", "Molluscs", 1_200_000),
)


def synthetic_headings(count):
    """`count` extra HS headings from 8401 on (scripts/crashtest asks for 150, to make the
    statistics as large as a real publisher's)."""
    return tuple(Commodity("%04d" % (8401 + i), "Synthetic heading %d" % (8401 + i), 50_000 + 1_000 * i)
                 for i in range(count))


@dataclass(frozen=True)
class Catalog:
    """What the simulator publishes, fixed for the life of the process: built once from the
    command line and passed in."""

    seed: int = 408
    items: int = 12  # articles per feed at round 0
    commodities: tuple = BASE_COMMODITIES
    descriptions: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "descriptions", {c.code: c.description for c in self.commodities})

    def __deepcopy__(self, memo):
        return self  # immutable: every round's world shares it


@dataclass
class Figure:
    """One monthly trade value: `flag` P (provisional) or A (final), `changed` the round that
    last touched it (what SDMX updatedAfter filters on)."""

    value: float
    flag: str
    changed: int


@dataclass
class Article:
    id: str
    title: str
    summary: str
    content: str
    published: datetime
    updated: datetime
    author: str


def month_add(ym, n):
    y, m = ym
    index = y * 12 + (m - 1) + n
    return (index // 12, index % 12 + 1)


def month_text(ym):
    return "%04d-%02d" % ym


@dataclass
class World:
    """All content for one round. `replay` builds round R by replaying the rounds from zero;
    `next_round` steps from the current one (the same bytes as replaying)."""

    catalog: Catalog
    rng: random.Random
    round: int = 0
    rows: dict = field(default_factory=dict)  # (flow, cmd, month) -> Figure
    deleted: dict = field(default_factory=dict)  # (flow, cmd, month) -> the round that withdrew it
    articles: dict = field(default_factory=lambda: {name: [] for name in FEEDS})  # feed -> [Article], newest last
    counter: int = 0
    last_month: tuple = FIRST_MONTH

    @classmethod
    def replay(cls, catalog, round_number):
        world = cls(catalog, random.Random(catalog.seed))
        rng = world.rng
        months = [month_add(FIRST_MONTH, i) for i in range(START_MONTHS)]
        for month in months:
            world.add_month(rng, month, 0)
        world.finalize(months, 0)
        for name in FEEDS:
            for _ in range(catalog.items):
                world.new_article(rng, name, 0)
        world.last_month = months[-1]
        for r in range(1, round_number + 1):
            world.round = r
            world.advance(rng, r)
        return world

    def next_round(self):
        world = copy.deepcopy(self)
        world.round += 1
        world.advance(world.rng, world.round)
        return world

    # -- statistics ------------------------------------------------------------
    def add_month(self, rng, month, r):
        for flow in FLOWS:
            for commodity in self.catalog.commodities:
                if commodity.code == "TOTAL":
                    continue
                season = 1.0 + 0.15 * ((month[1] % 6) - 2.5) / 2.5
                value = round(commodity.base * season * rng.uniform(0.6, 1.4) * (0.7 if flow == "X" else 1.0), 2)
                self.rows[(flow, commodity.code, month)] = Figure(value, "P", r)
            total = sum(v.value for k, v in self.rows.items() if k[0] == flow and k[2] == month and k[1] != "TOTAL")
            self.rows[(flow, "TOTAL", month)] = Figure(round(total * 1.8, 2), "P", r)

    def finalize(self, months, r):
        """Months older than the latest three become final (P -> A)."""
        for key, row in self.rows.items():
            if key[2] in months[:-3] and row.flag == "P":
                row.flag = "A"
                row.changed = r

    def advance(self, rng, r):
        for _ in range(2):
            self.last_month = month_add(self.last_month, 1)
            self.add_month(rng, self.last_month, r)
        months = sorted({k[2] for k in self.rows})
        for key in sorted(self.rows):
            row = self.rows[key]
            if key[2] in months[:-3] and row.flag == "P":
                row.flag = "A"
                row.value = round(row.value * rng.uniform(0.97, 1.03), 2)
                row.changed = r
        finals = sorted(k for k, v in self.rows.items() if v.flag == "A")
        for key in rng.sample(finals, 3):
            self.rows[key].value = round(self.rows[key].value * rng.uniform(0.95, 1.05), 2)
            self.rows[key].changed = r
        withdrawn = rng.choice(sorted(k for k in self.rows if k[1] != "TOTAL"))
        del self.rows[withdrawn]
        self.deleted[withdrawn] = r
        # News
        for name in FEEDS:
            items = self.articles[name]
            editable = items[1:-1]
            if editable:
                edited = rng.choice(editable)
                edited.title = edited.title + " (updated)"
                edited.summary = edited.summary + " Figures were corrected on round %d." % r
                edited.updated = edited.published + timedelta(hours=r)
            if len(items) > 3:
                items.remove(rng.choice(items[1:-2]))
            for _ in range(2):
                self.new_article(rng, name, r)

    def new_article(self, rng, feed, r):
        self.counter += 1
        title, summary = TOPICS[rng.randrange(len(TOPICS))]
        published = datetime(2019, 7, 1, 9, 0, tzinfo=timezone.utc) + timedelta(hours=6 * self.counter)
        self.articles[feed].append(Article(
            id="%s-%04d" % (feed, self.counter),
            title="%s #%d" % (title, self.counter),
            summary=summary,
            content="<p>%s</p><p>Reported from Dandong, %s.</p>" % (escape(summary), published.strftime("%B %Y")),
            published=published,
            updated=published,
            author=rng.choice(AUTHORS),
        ))

    def select(self, flows=None, cmds=None, periods=None, start=None, end=None):
        out = []
        for key in sorted(self.rows):
            flow, cmd, month = key
            if flows and flow not in flows:
                continue
            if cmds and cmd not in cmds:
                continue
            if periods and month_text(month).replace("-", "") not in periods:
                continue
            if start and month_text(month) < start:
                continue
            if end and month_text(month) > end:
                continue
            out.append((key, self.rows[key]))
        return out


# -- renderers: each returns the bytes of one document --------------------------
def rfc822(dt):
    return formatdate(dt.timestamp(), usegmt=True)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_rss(world, name):
    items = []
    for a in reversed(world.articles[name]):
        items.append(
            "<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>http://news.example/%s</link>"
            "<description>%s</description><pubDate>%s</pubDate><author>%s</author><category>trade</category></item>"
            % (a.id, escape(a.title), a.id, escape(a.summary), rfc822(a.published), escape(a.author)))
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Korea Trade Watch</title>"
            "<link>http://news.example/</link><description>China-DPRK trade news</description><ttl>30</ttl>%s"
            "</channel></rss>\n" % "".join(items)).encode()


def render_atom(world, name):
    entries = []
    for a in reversed(world.articles[name]):
        entries.append(
            "<entry><id>urn:border-news:%s</id><title>%s</title><link href=\"http://border.example/%s\"/>"
            "<published>%s</published><updated>%s</updated><author><name>%s</name></author>"
            "<summary>%s</summary><content type=\"html\">%s</content></entry>"
            % (a.id, escape(a.title), a.id, iso(a.published), iso(a.updated), escape(a.author),
               escape(a.summary), escape(a.content)))
    updated = max(a.updated for a in world.articles[name])
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
            "<title>Border News</title><id>urn:border-news</id><updated>%s</updated>%s</feed>\n"
            % (iso(updated), "".join(entries))).encode()


def render_json_feed(world, name):
    items = [{
        "id": a.id, "title": a.title, "url": "http://customs.example/" + a.id,
        "summary": a.summary, "content_html": a.content,
        "date_published": iso(a.published), "date_modified": iso(a.updated),
        "authors": [{"name": a.author}], "tags": ["customs"],
    } for a in reversed(world.articles[name])]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Customs Notes",
                       "home_page_url": "http://customs.example/", "items": items}, indent=1).encode()


def comtrade_record(catalog, key, row, described_round=None):
    """One record of the Comtrade API v1 (`data` of /get and /preview), every field it sends.
    With `described_round` (a query with includeDesc=true), the description fields name the
    codes as the reference files do at that round (tradelabels.data_descriptions)."""
    flow, cmd, month = key
    value = row.value
    weight = None if cmd == "TOTAL" else round(value / 37.5, 1)
    record = {
        "typeCode": "C", "freqCode": "M", "refPeriodId": int("%04d%02d01" % month), "refYear": month[0],
        "refMonth": month[1], "period": "%04d%02d" % month, "reporterCode": REPORTER, "reporterISO": "CHN",
        "reporterDesc": "China", "flowCode": flow, "flowDesc": FLOWS[flow], "partnerCode": PARTNER,
        "partnerISO": "PRK", "partnerDesc": "Dem. People's Rep. of Korea", "partner2Code": 0, "partner2ISO": "W00",
        "partner2Desc": "World", "classificationCode": "H5", "classificationSearchCode": "HS",
        "isOriginalClassification": True, "cmdCode": cmd, "cmdDesc": catalog.descriptions[cmd],
        "aggrLevel": 0 if cmd == "TOTAL" else 4, "isLeaf": cmd != "TOTAL", "customsCode": "C00",
        "customsDesc": "TOTAL CPC", "mosCode": "0", "motCode": 0, "motDesc": "TOTAL MOT", "qtyUnitCode": 8,
        "qtyUnitAbbr": "kg", "qty": weight, "isQtyEstimated": False, "altQtyUnitCode": -1, "altQtyUnitAbbr": "N/A",
        "altQty": None, "isAltQtyEstimated": False, "netWgt": weight, "isNetWgtEstimated": row.flag == "P",
        "grossWgt": None, "isGrossWgtEstimated": False,
        "cifvalue": value if flow == "M" else None, "fobvalue": value if flow == "X" else None,
        "primaryValue": value, "legacyEstimationFlag": 0, "isReported": row.flag == "A", "isAggregate": False,
    }
    if described_round is not None:
        record.update(tradelabels.data_descriptions(catalog, cmd, FLOWS[flow], described_round))
    return record


def series_groups(selection):
    groups = {}
    for key, row in selection:
        groups.setdefault((key[0], key[1]), []).append((key[2], row))
    return groups


def render_sdmx_ml(world, selection, deleted):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<message:GenericData '
           'xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
           'xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic" '
           'xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">'
           '<message:Header><message:ID>TW%d</message:ID><message:Test>false</message:Test>'
           '<message:Prepared>2019-07-01T00:00:00Z</message:Prepared><message:Sender id="PUBLISHER"/>'
           '<message:Structure structureID="TRADE" dimensionAtObservation="TIME_PERIOD">'
           '<common:Structure><Ref agencyID="PUB" id="TRADE_CN_KP" version="1.0"/></common:Structure>'
           '</message:Structure></message:Header>' % world.round]

    def series(flow, cmd, observations, with_values):
        parts = ['<generic:Series><generic:SeriesKey>']
        for dim, val in (("FREQ", "M"), ("REPORTER", "CN"), ("PARTNER", "KP"), ("FLOW", flow), ("CMD", cmd)):
            parts.append('<generic:Value id="%s" value="%s"/>' % (dim, val))
        parts.append('</generic:SeriesKey>')
        if with_values:
            parts.append('<generic:Attributes><generic:Value id="UNIT_MEASURE" value="USD"/>'
                         '<generic:Value id="UNIT_MULT" value="0"/></generic:Attributes>')
        for month, row in observations:
            parts.append('<generic:Obs><generic:ObsDimension value="%s"/>' % month_text(month))
            if with_values:
                parts.append('<generic:ObsValue value="%s"/><generic:Attributes>'
                             '<generic:Value id="OBS_STATUS" value="%s"/></generic:Attributes>'
                             % (repr(row.value), row.flag))
            parts.append('</generic:Obs>')
        parts.append('</generic:Series>')
        return "".join(parts)

    out.append('<message:DataSet structureRef="TRADE" action="Replace">')
    for (flow, cmd), observations in sorted(series_groups(selection).items()):
        out.append(series(flow, cmd, observations, True))
    out.append('</message:DataSet>')
    if deleted:
        out.append('<message:DataSet structureRef="TRADE" action="Delete">')
        for (flow, cmd), observations in sorted(series_groups([(k, {}) for k in deleted]).items()):
            out.append(series(flow, cmd, observations, False))
        out.append('</message:DataSet>')
    out.append('</message:GenericData>\n')
    return "".join(out).encode()


def render_sdmx_json(world, selection):
    flows = sorted({k[0] for k, _ in selection}) or ["M"]
    cmds = sorted({k[1] for k, _ in selection}) or ["TOTAL"]
    months = sorted({k[2] for k, _ in selection})
    series = {}
    for key, row in selection:
        flow, cmd, month = key
        skey = "0:0:0:%d:%d" % (flows.index(flow), cmds.index(cmd))
        entry = series.setdefault(skey, {"attributes": [0], "observations": {}})
        entry["observations"][str(months.index(month))] = [row.value, 0 if row.flag == "A" else 1]
    body = {
        "header": {"id": "TW%d" % world.round, "prepared": "2019-07-01T00:00:00Z", "sender": {"id": "PUBLISHER"}},
        "dataSets": [{"action": "Replace", "series": series}],
        "structure": {
            "dimensions": {
                "series": [
                    {"id": "FREQ", "values": [{"id": "M"}]},
                    {"id": "REPORTER", "values": [{"id": "CN"}]},
                    {"id": "PARTNER", "values": [{"id": "KP"}]},
                    {"id": "FLOW", "values": [{"id": f} for f in flows]},
                    {"id": "CMD", "values": [{"id": c} for c in cmds]},
                ],
                "observation": [{"id": "TIME_PERIOD", "values": [{"id": month_text(m)} for m in months]}],
            },
            "attributes": {
                "series": [{"id": "UNIT_MEASURE", "values": [{"id": "USD"}]}],
                "observation": [{"id": "OBS_STATUS", "values": [{"id": "A"}, {"id": "P"}]}],
            },
        },
    }
    return json.dumps(body).encode()


def render_csv(world):
    """Every figure, with the HS heading's description quoted (it holds semicolons) after its code."""
    lines = ["Reporter;Partner;Flow;HS;HS description;Month;Value;Flag"]
    for key, row in world.select():
        flow, cmd, month = key
        value = ("%.2f" % row.value).replace(".", ",")
        description = '"%s"' % tradelabels.hs_name(world.catalog, cmd, world.round).replace('"', '""')
        lines.append("China;DPRK;%s;%s;%s;%s;%s;%s" % (FLOWS[flow], cmd, description, month_text(month), value,
                                                       row.flag))
    return ("\n".join(lines) + "\n").encode()
