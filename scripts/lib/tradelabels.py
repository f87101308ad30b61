"""The names scripts/publisher gives its codes, and the documents that carry them: SDMX structure
messages (SDMX-ML 2.1 and 3.0: the dataflow, its data structure definition, concept scheme and
codelists) and UN Comtrade's reference files (`files/v1/app/reference/*.json`).

Names depend on the publication round, like the figures: from round `RENAMED_FROM` on, HS 9701
takes the wording of HS 2022 (mosaics join collages), in every document that names it (the
codelist, the reference files, Comtrade's `cmdDesc` with includeDesc=true, the CSV's description
column), so a client can show a label's history.

The shapes follow the SDMX 2.1 and 3.0 standards and the public reference files of the Comtrade
API (`{"results": [{"id", "text", ...}]}`, listed by ListofReferences.json).
"""
import json
from xml.sax.saxutils import escape, quoteattr

AGENCY = "PUB"
FLOW_ID = "TRADE_CN_KP"
VERSION = "1.0"
RENAMED_FROM = 2  # the round from which HS 9701 has its new wording

# HS chapters and headings: code -> (parent, English name, French name or None).
HS = {
    "TOTAL": (None, "All commodities", "Tous produits"),
    "03": ("TOTAL", "Fish and crustaceans, molluscs and other aquatic invertebrates",
           "Poissons et crustacés, mollusques et autres invertébrés aquatiques"),
    "0307": ("03", "Molluscs, whether in shell or not, live, fresh, chilled, frozen, dried, salted or in brine; "
             "smoked molluscs; flours, meals and pellets of molluscs, fit for human consumption", None),
    "26": ("TOTAL", "Ores, slag and ash", "Minerais, scories et cendres"),
    "2601": ("26", "Iron ores and concentrates, including roasted iron pyrites", None),
    "67": ("TOTAL", "Feathers and down, prepared; and articles made of feather or of down; artificial flowers; "
           "articles of human hair", None),
    "6704": ("67", "Wigs, false beards, eyebrows and eyelashes; switches and the like, of human or animal hair or "
             "of textile materials; other articles of human hair n.e.s.",
             "Perruques, barbes, sourcils, cils, mèches et articles analogues en cheveux, poils ou matières "
             "textiles ; ouvrages en cheveux n.d.a."),
    "84": ("TOTAL", "Nuclear reactors, boilers, machinery and mechanical appliances; parts thereof", None),
    "85": ("TOTAL", "Electrical machinery and equipment and parts thereof", None),
    "97": ("TOTAL", "Works of art; collectors' pieces and antiques",
           "Objets d'art, de collection ou d'antiquité"),
    "9701": ("97", "Paintings, drawings and pastels, executed entirely by hand; collages and similar decorative "
             "plaques", "Tableaux, peintures et dessins, faits entièrement à la main ; collages et tableautins "
             "décoratifs similaires"),
}
RENAMED = {"9701": "Paintings, drawings and pastels, executed entirely by hand; collages, mosaics and similar "
                   "decorative plaques"}

# Comtrade's areas: code -> (name, ISO alpha-2, ISO alpha-3, note, effective, expired, is group).
AREAS = {
    0: ("World", None, "W00", "World", "1901-01-01T00:00:00", None, True),
    156: ("China", "CN", "CHN", "China", "1900-01-01T00:00:00", None, False),
    408: ("Dem. People's Rep. of Korea", "KP", "PRK", "Democratic People's Republic of Korea",
          "1900-01-01T00:00:00", None, False),
    410: ("Rep. of Korea", "KR", "KOR", "Republic of Korea", "1900-01-01T00:00:00", None, False),
    490: ("Other Asia, nes", None, "S19", "Other Asia, not elsewhere specified", "1900-01-01T00:00:00", None, False),
    643: ("Russian Federation", "RU", "RUS", "Russian Federation", "1992-01-01T00:00:00", None, False),
    810: ("USSR (...1990)", "SU", "SUN", "Former USSR", "1900-01-01T00:00:00", "1991-12-31T00:00:00", False),
}
REPORTERS = (156, 408, 410, 643, 810)
COMTRADE_FLOWS = (("M", "Import"), ("X", "Export"), ("RM", "Re-import"), ("RX", "Re-export"))
CUSTOMS = (("C00", "TOTAL customs procedure codes"), ("C01", "Clearance for home use"), ("C05", "Free zone"),
           ("C06", "Inward processing"), ("C20", "CPC N.E.S."))
TRANSPORT = (("0", "TOTAL modes of transport"), ("1000", "Air"), ("2000", "Water"), ("2100", "Sea"),
             ("3000", "Land"), ("3100", "Railway"), ("3200", "Road"), ("9000", "Not elsewhere classified"))
FREQUENCIES = (("A", "Annual"), ("Q", "Quarterly"), ("M", "Monthly"))
HS_EDITIONS = {"HS": "Combined HS", "H0": "HS 1992", "H1": "HS 1996", "H2": "HS 2002", "H3": "HS 2007",
               "H4": "HS 2012", "H5": "HS 2017", "H6": "HS 2022"}
# The descriptions a Comtrade data record carries with includeDesc=true, besides cmdDesc.
DATA_DESCRIPTIONS = {"reporterDesc": "China", "partnerDesc": AREAS[408][0], "partner2Desc": "World",
                     "customsDesc": "TOTAL CPC", "motDesc": "TOTAL MOT"}


def hs_codes(catalog):
    """Every HS code the catalog's data uses, with the chapters above them, in code order
    (TOTAL first)."""
    codes = {"TOTAL"}
    for commodity in catalog.commodities:
        codes.add(commodity.code)
        if commodity.code != "TOTAL":
            codes.add(commodity.code[:2])
    return sorted(codes, key=lambda c: (c != "TOTAL", c))


def hs_label(catalog, code, round_number):
    """(parent, English name, French name or None) of `code` at `round_number`."""
    if code in HS:
        parent, name, french = HS[code]
    elif len(code) == 2:
        parent, name, french = "TOTAL", "Chapter %s" % code, None
    else:
        parent, name, french = code[:2], catalog.descriptions.get(code, code), None
    if code in RENAMED and round_number >= RENAMED_FROM:
        name, french = RENAMED[code], None
    return parent, name, french


def hs_name(catalog, code, round_number):
    """The English name of an HS code at `round_number`."""
    return hs_label(catalog, code, round_number)[1]


# -- SDMX structures -----------------------------------------------------------------------------
FLOW_NAMES = (("en", "China-DPRK trade by HS heading, monthly"),
              ("fr", "Commerce Chine-RPDC par position du SH, mensuel"))
DSD_NAMES = (("en", "Bilateral trade in goods by commodity"), ("fr", "Commerce bilatéral de biens par produit"))
CONCEPTS = (
    ("FREQ", "Frequency", "Fréquence"), ("REPORTER", "Reporting economy", "Économie déclarante"),
    ("PARTNER", "Partner economy", "Économie partenaire"), ("FLOW", "Trade flow", "Flux commercial"),
    ("CMD", "Commodity (HS heading)", "Produit (position du SH)"), ("TIME_PERIOD", "Time period", "Période"),
    ("OBS_VALUE", "Observation value", "Valeur de l'observation"),
    ("UNIT_MEASURE", "Unit of measure", "Unité de mesure"), ("UNIT_MULT", "Unit multiplier", "Multiplicateur"),
    ("OBS_STATUS", "Observation status", "Statut de l'observation"),
)
DIMENSIONS = (("FREQ", "CL_FREQ"), ("REPORTER", "CL_AREA"), ("PARTNER", "CL_AREA"), ("FLOW", "CL_FLOW"),
              ("CMD", "CL_HS"))
# (id, codelist, mandatory, attached to: the series dimensions or the observation)
ATTRIBUTES = (("UNIT_MEASURE", "CL_UNIT", True, "series"), ("UNIT_MULT", "CL_UNIT_MULT", False, "series"),
              ("OBS_STATUS", "CL_OBS_STATUS", False, "observation"))


def codelists(catalog, round_number):
    """(id, names, [(code, [(lang, name)], parent)]) for every codelist the structure uses."""
    def plain(*codes):
        return [(code, [(lang, text) for lang, text in names if text], None) for code, names in codes]

    hs = []
    for code in hs_codes(catalog):
        parent, name, french = hs_label(catalog, code, round_number)
        hs.append((code, [("en", name)] + ([("fr", french)] if french else []), parent))
    return (
        ("CL_FREQ", (("en", "Frequency"), ("fr", "Fréquence")),
         plain(("M", (("en", "Monthly"), ("fr", "Mensuel"))), ("A", (("en", "Annual"), ("fr", "Annuel"))))),
        ("CL_AREA", (("en", "Economies"), ("fr", "Économies")),
         plain(("CN", (("en", "China"), ("fr", "Chine"), ("zh", "中国"))),
               ("KP", (("en", "Democratic People's Republic of Korea"),
                       ("fr", "République populaire démocratique de Corée"), ("zh", "朝鲜民主主义人民共和国"))))),
        ("CL_FLOW", (("en", "Trade flows"), ("fr", "Flux commerciaux")),
         plain(("M", (("en", "Imports"), ("fr", "Importations"))), ("X", (("en", "Exports"), ("fr", "Exportations"))))),
        ("CL_HS", (("en", "Harmonized System headings"), ("fr", "Positions du Système harmonisé")), hs),
        ("CL_UNIT", (("en", "Units of measure"),), plain(("USD", (("en", "US dollar"), ("fr", "Dollar des États-Unis"))))),
        ("CL_UNIT_MULT", (("en", "Unit multipliers"),), plain(("0", (("en", "Units"), ("fr", "Unités"))))),
        ("CL_OBS_STATUS", (("en", "Observation status"), ("fr", "Statut de l'observation")),
         plain(("A", (("en", "Normal value"), ("fr", "Valeur normale"))),
               ("P", (("en", "Provisional value"), ("fr", "Valeur provisoire"))),
               ("E", (("en", "Estimated value"), ("fr", "Valeur estimée"))))),
    )


def urn(kind, ident, child=None):
    return "urn:sdmx:org.sdmx.infomodel.%s=%s:%s(%s)%s" % (kind, AGENCY, ident, VERSION, "." + child if child else "")


CODELIST_URN, CONCEPT_URN = "codelist.Codelist", "conceptscheme.Concept"
DSD_URN, FLOW_URN = "datastructure.DataStructure", "datastructure.Dataflow"


def names(prefix, pairs):
    return "".join("<%s:Name xml:lang=%s>%s</%s:Name>" % (prefix, quoteattr(lang), escape(text), prefix)
                   for lang, text in pairs)


class Dialect:
    """What differs between SDMX-ML 2.1 and 3.0 structure messages."""

    def __init__(self, version):
        self.v3 = version == "3.0"
        schemas = "http://www.sdmx.org/resources/sdmxml/schemas/%s/" % ("v3_0" if self.v3 else "v2_1")
        self.namespaces = 'xmlns:message="%smessage" xmlns:structure="%sstructure" xmlns:common="%scommon"' % (
            schemas, schemas, schemas)

    def ref(self, urn_text, ref_attrs):
        """A reference to a maintainable or a concept: the URN in 3.0; Ref then URN in 2.1."""
        if self.v3:
            return escape(urn_text)
        return "<Ref %s/><URN>%s</URN>" % (ref_attrs, escape(urn_text))

    def local(self, ident):
        """A reference to a code or component of the same structure."""
        return escape(ident) if self.v3 else '<Ref id=%s/>' % quoteattr(ident)

    def codelist_ref(self, ident):
        return self.ref(urn(CODELIST_URN, ident),
                        'agencyID="%s" id="%s" version="%s" package="codelist" class="Codelist"' % (AGENCY, ident, VERSION))

    def concept_ref(self, ident):
        return self.ref(urn(CONCEPT_URN, "CS_TRADE", ident),
                        'agencyID="%s" maintainableParentID="CS_TRADE" maintainableParentVersion="%s" id="%s" '
                        'package="conceptscheme" class="Concept"' % (AGENCY, VERSION, ident))

    def dsd_ref(self):
        return self.ref(urn(DSD_URN, FLOW_ID), 'agencyID="%s" id="%s" version="%s" package="datastructure" '
                        'class="DataStructure"' % (AGENCY, FLOW_ID, VERSION))


def maintainable(tag, ident, kind):
    return '<structure:%s id="%s" agencyID="%s" version="%s" urn="%s">' % (tag, ident, AGENCY, VERSION, urn(kind, ident))


def render_structure(catalog, round_number, version, full):
    """The structure message for the dataflow: only the Dataflow unless `full` (references=all
    and the like), then its DSD, concept scheme and codelists too. `version` is "2.1" or "3.0"."""
    d = Dialect(version)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<message:Structure %s>' % d.namespaces,
           '<message:Header><message:ID>TWS%d</message:ID><message:Test>false</message:Test>'
           '<message:Prepared>2019-07-01T00:00:00Z</message:Prepared><message:Sender id="PUBLISHER"/>'
           '</message:Header><message:Structures>' % round_number]
    out.append('<structure:Dataflows>%s%s<structure:Structure>%s</structure:Structure></structure:Dataflow>'
               '</structure:Dataflows>' % (maintainable("Dataflow", FLOW_ID, FLOW_URN), names("common", FLOW_NAMES),
                                           d.dsd_ref()))
    if full:
        out.append(render_codelists(d, catalog, round_number))
        out.append(render_concepts(d))
        out.append(render_dsd(d))
    out.append('</message:Structures></message:Structure>\n')
    return "".join(out).encode()


def render_codelists(d, catalog, round_number):
    out = ['<structure:Codelists>']
    for ident, list_names, codes in codelists(catalog, round_number):
        out.append(maintainable("Codelist", ident, CODELIST_URN) + names("common", list_names))
        for code, code_names, parent in codes:
            out.append('<structure:Code id=%s urn=%s>%s' % (
                quoteattr(code), quoteattr(urn("codelist.Code", ident, code)), names("common", code_names)))
            if parent:
                out.append('<structure:Parent>%s</structure:Parent>' % d.local(parent))
            out.append('</structure:Code>')
        out.append('</structure:Codelist>')
    out.append('</structure:Codelists>')
    return "".join(out)


def render_concepts(d):
    tag = "ConceptSchemes" if d.v3 else "Concepts"
    out = ['<structure:%s>' % tag, maintainable("ConceptScheme", "CS_TRADE", "conceptscheme.ConceptScheme"),
           names("common", (("en", "Trade concepts"), ("fr", "Concepts du commerce")))]
    for ident, english, french in CONCEPTS:
        out.append('<structure:Concept id="%s" urn="%s">%s</structure:Concept>' % (
            ident, urn(CONCEPT_URN, "CS_TRADE", ident), names("common", (("en", english), ("fr", french)))))
    out.append('</structure:ConceptScheme></structure:%s>' % tag)
    return "".join(out)


def render_dsd(d):
    enumeration = '<structure:LocalRepresentation><structure:Enumeration>%s</structure:Enumeration>' \
                  '</structure:LocalRepresentation>'
    out = ['<structure:DataStructures>', maintainable("DataStructure", FLOW_ID, DSD_URN), names("common", DSD_NAMES),
           '<structure:DataStructureComponents><structure:DimensionList id="DimensionDescriptor">']
    for position, (ident, codelist) in enumerate(DIMENSIONS, 1):
        out.append('<structure:Dimension id="%s" position="%d"><structure:ConceptIdentity>%s'
                   '</structure:ConceptIdentity>%s</structure:Dimension>'
                   % (ident, position, d.concept_ref(ident), enumeration % d.codelist_ref(codelist)))
    out.append('<structure:TimeDimension id="TIME_PERIOD" position="%d"><structure:ConceptIdentity>%s'
               '</structure:ConceptIdentity><structure:LocalRepresentation><structure:TextFormat '
               'textType="ObservationalTimePeriod"/></structure:LocalRepresentation></structure:TimeDimension>'
               '</structure:DimensionList><structure:AttributeList id="AttributeDescriptor">'
               % (len(DIMENSIONS) + 1, d.concept_ref("TIME_PERIOD")))
    for ident, codelist, mandatory, level in ATTRIBUTES:
        if d.v3:
            status = 'usage="%s"' % ("mandatory" if mandatory else "optional")
        else:
            status = 'assignmentStatus="%s"' % ("Mandatory" if mandatory else "Conditional")
        if level == "series":
            relationship = "".join('<structure:Dimension>%s</structure:Dimension>' % d.local(dim)
                                   for dim, _ in DIMENSIONS)
        elif d.v3:
            relationship = '<structure:Observation/>'
        else:
            relationship = '<structure:PrimaryMeasure>%s</structure:PrimaryMeasure>' % d.local("OBS_VALUE")
        out.append('<structure:Attribute id="%s" %s><structure:ConceptIdentity>%s</structure:ConceptIdentity>%s'
                   '<structure:AttributeRelationship>%s</structure:AttributeRelationship></structure:Attribute>'
                   % (ident, status, d.concept_ref(ident), enumeration % d.codelist_ref(codelist), relationship))
    measure = "Measure" if d.v3 else "PrimaryMeasure"
    out.append('</structure:AttributeList><structure:MeasureList id="MeasureDescriptor"><structure:%s '
               'id="OBS_VALUE"><structure:ConceptIdentity>%s</structure:ConceptIdentity></structure:%s>'
               '</structure:MeasureList></structure:DataStructureComponents></structure:DataStructure>'
               '</structure:DataStructures>' % (measure, d.concept_ref("OBS_VALUE"), measure))
    return "".join(out)


# -- Comtrade reference files --------------------------------------------------------------------
REFERENCE_FILES = {
    # file -> (category, variable, description)
    "Reporters.json": ("reporter", "Reporter",
                       "The country or geographic area to which the measured statistical phenomenon relates"),
    "partnerAreas.json": ("partner", "Partner country/area",
                          "The partner country or geographic area for the respective trade flow"),
    "tradeRegimes.json": ("flow", "Trade Flow",
                          "Trade flow or sub-flow (exports, re-exports, imports, re-imports, etc.)"),
    "CustomsCodes.json": ("customs", "Customs Procedure Code", "Customs or statistical procedure"),
    "ModeOfTransportCodes.json": ("mot", "Modes of Transport", "The mode of transport used when goods enter or "
                                  "leave the economic territory of a country"),
    "Frequency.json": ("freq", "Frequency", "The time interval at which observations occur"),
}
for _code, _name in HS_EDITIONS.items():
    REFERENCE_FILES[_code + ".json"] = ("cmd:" + _code, "Product [%s]" % _name,
                                        "The classification of %s – goods" % _name)


def area(code, role):
    """One entry of Reporters.json (`role` "reporter") or partnerAreas.json ("Partner")."""
    name, iso2, iso3, note, effective, expired, group = AREAS[code]
    entry = {"id": code, "text": name, role + "Code": code, role + "Desc": name, role[0].lower() + role[1:] + "Note": note}
    if iso2:
        entry[role + "CodeIsoAlpha2"] = iso2
    entry[role + "CodeIsoAlpha3"] = iso3
    entry["entryEffectiveDate"] = effective
    if expired:
        entry["entryExpiredDate"] = expired
    entry["isGroup"] = group
    return entry


def render_reference(catalog, round_number, file, base):
    """The bytes of reference file `file` (None when there is no such file); `base` is the
    address the index's fileuri values start with."""
    if file == "ListofReferences.json":
        body = {"results": [{"category": category, "variable": variable, "description": description,
                             "fileuri": base + name} for name, (category, variable, description)
                            in REFERENCE_FILES.items()]}
    elif file == "Reporters.json":
        body = {"results": [area(code, "reporter") for code in REPORTERS]}
    elif file == "partnerAreas.json":
        body = {"results": [area(code, "Partner") for code in sorted(AREAS)]}
    elif file == "tradeRegimes.json":
        body = {"more": False, "results": [{"id": c, "text": t} for c, t in COMTRADE_FLOWS]}
    elif file == "CustomsCodes.json":
        body = {"more": False, "results": [{"id": c, "text": t} for c, t in CUSTOMS]}
    elif file == "ModeOfTransportCodes.json":
        body = {"results": [{"id": c, "text": t} for c, t in TRANSPORT]}
    elif file == "Frequency.json":
        body = {"more": False, "results": [{"id": c, "text": t} for c, t in FREQUENCIES]}
    elif file.endswith(".json") and file[:-5] in HS_EDITIONS:
        edition = file[:-5]
        results = []
        for code in hs_codes(catalog):
            parent, name, _ = hs_label(catalog, code, round_number)
            if code == "TOTAL":
                text = "Total - All %s commodities" % ("H6" if edition == "HS" else edition)
            else:
                text = "%s - %s" % (code, name)
            results.append({"id": code, "text": text, "parent": parent or "#", "isLeaf": "0",
                            "aggrLevel": 0 if code == "TOTAL" else len(code), "standardUnitAbbr": "n/a"})
        body = {"more": False, "minimumInputLength": 2, "classCode": edition, "className": HS_EDITIONS[edition],
                "results": results}
    else:
        return None
    return json.dumps(body, indent=2, ensure_ascii=False).encode()


def data_descriptions(catalog, cmd, flow_name, round_number):
    """The description fields of a Comtrade data record asked with includeDesc=true."""
    described = dict(DATA_DESCRIPTIONS)
    described["flowDesc"] = flow_name
    described["cmdDesc"] = "All Commodities" if cmd == "TOTAL" else hs_name(catalog, cmd, round_number)
    return described
