import TradeWatchCache
import TradeWatchModel

/// The series of the CLI benchmark's cache, as a customs office's would be: each source's
/// series have keys of their own (`FREQ=M.REPORTER=….PARTNER=….FLOW=….CMD=…`, HS headings
/// and M49 areas), and the first sources carry their codelists, so that about 10,000 series
/// can be found by name (`tradewatch series wigs korea`).
///
/// Series number g (source × series per source + series) has CMD `headings[g % 46]`,
/// PARTNER `partners[(g / 46) % 11]`, FLOW `M`/`X` by `(g / 506) % 2` and REPORTER
/// `reporters[(g / 1012) % 8]`: China's imports of wigs (6704) from the DPRK (408) are
/// series 169 (source-0010 with 16 series per source) and 8265 (source-0516).
enum LabelledTrade {
    static let headings: [(code: String, name: String)] = [
        ("0101", "Live horses, asses, mules and hinnies"),
        ("0201", "Meat of bovine animals, fresh or chilled"),
        ("0302", "Fish, fresh or chilled, excluding fish fillets and other fish meat"),
        ("0401", "Milk and cream, not concentrated nor containing added sugar or other sweetening matter"),
        ("0701", "Potatoes, fresh or chilled"),
        ("0803", "Bananas, including plantains, fresh or dried"),
        ("0901", "Coffee, whether or not roasted or decaffeinated; coffee husks and skins"),
        ("0902", "Tea, whether or not flavoured"),
        ("1001", "Wheat and meslin"),
        ("1006", "Rice"),
        ("1201", "Soya beans, whether or not broken"),
        ("1511", "Palm oil and its fractions, whether or not refined, but not chemically modified"),
        ("1701", "Cane or beet sugar and chemically pure sucrose, in solid form"),
        ("2204", "Wine of fresh grapes, including fortified wines; grape must"),
        ("2402", "Cigars, cheroots, cigarillos and cigarettes, of tobacco or of tobacco substitutes"),
        ("2601", "Iron ores and concentrates, including roasted iron pyrites"),
        ("2701", "Coal; briquettes, ovoids and similar solid fuels manufactured from coal"),
        ("2709", "Petroleum oils and oils obtained from bituminous minerals, crude"),
        ("2710", "Petroleum oils and oils obtained from bituminous minerals, other than crude"),
        ("2711", "Petroleum gases and other gaseous hydrocarbons"),
        ("2716", "Electrical energy"),
        ("3004", "Medicaments put up in measured doses or in forms or packings for retail sale"),
        ("3102", "Mineral or chemical fertilisers, nitrogenous"),
        ("3901", "Polymers of ethylene, in primary forms"),
        ("4011", "New pneumatic tyres, of rubber"),
        ("4407", "Wood sawn or chipped lengthwise, sliced or peeled, of a thickness exceeding 6 mm"),
        ("4802", "Uncoated paper and paperboard, of a kind used for writing, printing or other graphic purposes"),
        ("5201", "Cotton, not carded or combed"),
        ("6109", "T-shirts, singlets and other vests, knitted or crocheted"),
        ("6203", "Men's or boys' suits, ensembles, jackets, blazers, trousers, bib and brace overalls, breeches"),
        ("6403", "Footwear with outer soles of rubber, plastics, leather or composition leather"),
        (
            "6704",
            "Wigs, false beards, eyebrows and eyelashes, switches and the like, of human or animal hair or of "
                + "textile materials; other articles of human hair not elsewhere specified or included"
        ),
        ("7108", "Gold (including gold plated with platinum), unwrought or in semi-manufactured forms, or in powder"),
        ("7201", "Pig iron and spiegeleisen in pigs, blocks or other primary forms"),
        ("7208", "Flat-rolled products of iron or non-alloy steel, of a width of 600 mm or more, hot-rolled"),
        ("7403", "Refined copper and copper alloys, unwrought"),
        ("7601", "Unwrought aluminium"),
        ("8471", "Automatic data processing machines and units thereof"),
        ("8517", "Telephone sets, including smartphones and other telephones for cellular networks"),
        ("8542", "Electronic integrated circuits"),
        ("8703", "Motor cars and other motor vehicles principally designed for the transport of persons"),
        ("8708", "Parts and accessories of the motor vehicles of headings 8701 to 8705"),
        ("8901", "Cruise ships, excursion boats, ferry-boats, cargo ships, barges and similar vessels"),
        ("9018", "Instruments and appliances used in medical, surgical, dental or veterinary sciences"),
        ("9403", "Other furniture and parts thereof"),
        ("9503", "Tricycles, scooters, pedal cars and similar wheeled toys; dolls; other toys"),
    ]

    /// M49 areas, in English and French.
    static let partners: [(code: String, english: String, french: String)] = [
        ("0", "World", "Monde"),
        ("156", "China", "Chine"),
        ("392", "Japan", "Japon"),
        ("408", "Democratic People's Republic of Korea", "République populaire démocratique de Corée"),
        ("410", "Republic of Korea", "République de Corée"),
        ("643", "Russian Federation", "Fédération de Russie"),
        ("704", "Viet Nam", "Viet Nam"),
        ("842", "United States of America", "États-Unis d'Amérique"),
        ("276", "Germany", "Allemagne"),
        ("764", "Thailand", "Thaïlande"),
        ("458", "Malaysia", "Malaisie"),
    ]

    static let reporters: [(code: String, name: String)] = [
        ("156", "China"), ("410", "Republic of Korea"), ("392", "Japan"), ("842", "United States of America"),
        ("643", "Russian Federation"), ("704", "Viet Nam"), ("276", "Germany"), ("764", "Thailand"),
    ]

    static let flows: [(code: String, name: String)] = [("M", "Import"), ("X", "Export")]

    /// The key of series number `g`.
    static func key(_ g: Int) -> SeriesKey {
        SeriesKey([
            SeriesKey.Dimension(id: "FREQ", value: "M"),
            SeriesKey.Dimension(id: "REPORTER", value: reporters[(g / 1012) % reporters.count].code),
            SeriesKey.Dimension(id: "PARTNER", value: partners[(g / 46) % partners.count].code),
            SeriesKey.Dimension(id: "FLOW", value: flows[(g / 506) % flows.count].code),
            SeriesKey.Dimension(id: "CMD", value: headings[g % headings.count].code),
        ])
    }

    /// The codelists and structure of the `TRADE` dataset, as a structure message would give them.
    static let batch: LabelBatch = {
        var labels: [CodeLabel] = [CodeLabel(component: "FREQ", code: "M", language: "en", name: "Monthly")]
        for heading in headings {
            labels.append(
                CodeLabel(
                    component: "CMD", code: heading.code, language: "en", name: heading.name,
                    parent: String(heading.code.prefix(2))))
        }
        for partner in partners {
            labels.append(CodeLabel(component: "PARTNER", code: partner.code, language: "en", name: partner.english))
            labels.append(CodeLabel(component: "PARTNER", code: partner.code, language: "fr", name: partner.french))
        }
        for reporter in reporters {
            labels.append(CodeLabel(component: "REPORTER", code: reporter.code, language: "en", name: reporter.name))
        }
        for flow in flows {
            labels.append(CodeLabel(component: "FLOW", code: flow.code, language: "en", name: flow.name))
        }
        let dimensions = ["FREQ", "REPORTER", "PARTNER", "FLOW", "CMD"]
        let structure = DatasetStructure(
            dataset: "TRADE", names: [.init(language: "en", text: "Merchandise trade by partner and commodity")],
            reference: "TW:DSD_TRADE(1.0)",
            dimensions: dimensions.map { DatasetStructure.Component(id: $0, codelist: "TW:CL_\($0)(1.0)") },
            timeDimension: "TIME_PERIOD",
            attributes: [DatasetStructure.Component(id: "OBS_STATUS", attachment: .observation, mandatory: false)],
            measures: [DatasetStructure.Component(id: "OBS_VALUE")])
        return LabelBatch(dataset: "TRADE", structure: structure, labels: labels, complete: Set(dimensions))
    }()
}
