import TradeWatchModel

extension SDMXMLReader {
    /// SDMX's cross-domain attribute concepts and the common attributes publishers add: what
    /// a structure-specific message's XML attributes are read as when there is no structure.
    public static let knownAttributes: Set<String> = [
        "UNIT_MEASURE", "UNIT", "UNIT_MULT", "DECIMALS", "TITLE", "TITLE_COMPL", "COLL_METHOD", "COMPILATION",
        "SOURCE_AGENCY", "TIME_FORMAT", "OBS_STATUS", "OBS_CONF", "CONF_STATUS", "CONF_STATUS_OBS", "COMMENT",
        "COMMENT_OBS", "COMMENT_TS", "BREAKS", "UNIT_INDEX_BASE", "TIME_PER_COLLECT", "NAT_TITLE", "PUBL_PUBLIC",
        "PUBL_ECB", "PUBL_MU", "DOM_SER_IDS", "BASE_PER", "REF_PERIOD_DETAIL", "DATA_COMP", "EMBARGO_TIME",
        "OBS_COM", "OBS_PRE_BREAK", "SOURCE_PUB", "COVERAGE", "SERIES_NAME", "FOOTNOTE", "OBS_FLAG", "OBS_NOTE",
        "REFERENCE_PERIOD", "POWERCODE", "UNIT_MULT_CODE", "DERIVATION_TYPE", "OBS_VALUE_DESC", "DISS_ORG",
        "SCALE", "FLAG", "FOOTNOTES", "TIME_COVERAGE", "UNIT_MEASURE_DETAIL", "OBS_PRE_BREAK_VALUE",
    ]
}

/// Telling components apart, and groups: by the structure when there is one (`SDMXDataLayout`).
extension SDMXMLReader.Handler {
    /// Whether a series' XML attribute is an attribute: by the structure, else by its name.
    func isAttribute(_ id: String) -> Bool {
        if let dimension = layout.isDimension(id) { return !dimension }
        let attribute = attributeIDs.contains(id)
        note(id, asAttribute: attribute)
        return attribute
    }

    /// Whether an observation's XML attribute is a key part without the structure's word: the
    /// dimension at the observation level, or any non-attribute of a flat message.
    func isDimensionByHeuristic(_ id: String) -> Bool {
        let dimension = id == dataSetObservationDimension || (!inSeries && !attributeIDs.contains(id))
        note(id, asAttribute: !dimension)
        return dimension
    }

    private func note(_ id: String, asAttribute: Bool) {
        if layout.structure == nil {
            layout.usedHeuristic = true
        } else {
            layout.noteUnknown(id, asAttribute: asAttribute)
        }
    }

    /// A structure-specific group's values are its XML attributes; a generic one's come in
    /// `GroupKey` and `Attributes`.
    func startGroup(_ attributes: [XMLAttribute]) {
        groupKey = nil
        var values: [SeriesKey.Dimension] = []
        for attribute in attributes where attribute.name.namespace == nil {
            let id = attribute.name.local
            // `type` names the group (2.1), unless the structure has a component of that name.
            if id == "type" && layout.isDimension(id) == nil { continue }
            values.append(SeriesKey.Dimension(id: id, value: attribute.value))
        }
        groupValues = values
        push(.group)
    }

    func finishGroup() {
        pop()
        let values = take(&groupValues, leaving: [])
        let key = groupKey
        groupKey = nil
        guard context.last == .dataSet, !values.isEmpty else { return }
        var groups = take(&self.groups, leaving: SDMXGroups())
        if !groups.add(SDMXGroups.Group(key: key, values: values), layout: layout) { droppedGroups += 1 }
        self.groups = groups
    }

    /// The attributes an observation of the series with this key starts from: the data set's,
    /// its groups', its own.
    func attributes(of key: [SeriesKey.Dimension]) -> [String: String] {
        var merged = dataSetAttributes
        if !groups.isEmpty {
            var groups = take(&self.groups, leaving: SDMXGroups())
            merged.merge(groups.attributes(for: key, layout: layout)) { _, group in group }
            self.groups = groups
        }
        merged.merge(seriesAttributes) { _, series in series }
        return merged
    }

    /// Attributes with the ones the model names pulled out: unit, unit multiplier, status.
    /// UNIT_MEASURE is the unit; UNIT stands in when it is absent and is kept as an
    /// attribute when both are given.
    struct SplitAttributes {
        var unitMeasure: String?
        var unitOther: String?
        var multiplier: String?
        var status: String?
        var others: [String: String] = [:]

        init(_ attributes: [String: String]) {
            for (id, value) in attributes { set(id, value) }
        }

        mutating func set(_ id: String, _ value: String) {
            switch id {
            case "UNIT_MEASURE": unitMeasure = value
            case "UNIT": unitOther = value
            case "UNIT_MULT": multiplier = value
            case "OBS_STATUS": status = value
            default: others[id] = value
            }
        }

        var unit: String? { unitMeasure ?? unitOther }

        var rest: [String: String] {
            guard unitMeasure != nil, let unitOther else { return others }
            var all = others
            all["UNIT"] = unitOther
            return all
        }
    }
}
