import CLibXML2
public import Foundation

/// A qualified XML name: the local part and, when the element or attribute is in one, its
/// namespace URI.
public struct XMLName: Sendable, Hashable, CustomStringConvertible {
    public var local: String
    public var namespace: String?

    public init(_ local: String, namespace: String? = nil) {
        self.local = local
        self.namespace = namespace
    }

    public var description: String { namespace.map { "{\($0)}\(local)" } ?? local }
}

public struct XMLAttribute: Sendable, Hashable {
    public var name: XMLName
    public var value: String
}

/// Receives a document's events as the reader meets them.
public protocol XMLStreamHandler: AnyObject {
    func xmlStart(_ name: XMLName, attributes: [XMLAttribute])
    func xmlEnd(_ name: XMLName)
    /// Character data, CDATA included, possibly in several pieces per text node.
    func xmlText(_ text: String)
}

/// A problem the reader met and, where it could, recovered from.
public struct XMLIssue: Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    /// An error that breaks well-formedness (as opposed to a warning).
    public var isError: Bool

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// How reading a whole document went.
public struct XMLReport: Sendable {
    /// False when the document broke the XML rules anywhere and was read in recovery mode.
    public var wellFormed: Bool
    /// The first problems met (at most `XMLStreamReader.maxIssues`).
    public var issues: [XMLIssue]
    /// Elements seen: zero means the input was not XML at all.
    public var elements: Int
}

/// Streaming XML over libxml2's SAX2 push parser: bytes go in as they arrive, events come out,
/// and no tree is ever built, so memory does not grow with the document.
///
/// Safe by construction for documents from the network: no DTD is loaded, nothing is fetched,
/// entities declared in the document are never expanded (so neither XXE nor "billion laughs"
/// can do anything), and malformed input is recovered where libxml2 can, with the document
/// reported as not well-formed. The HTML entities that feeds use without declaring them
/// (`&nbsp;`, `&mdash;`...) are read as the characters they name.
public final class XMLStreamReader {
    public static let maxIssues = 20

    private let handler: any XMLStreamHandler
    private let url: String?
    private let encoding: String?
    private var context: xmlParserCtxtPtr?
    private var sax = xmlSAXHandler()
    fileprivate var issues: [XMLIssue] = []
    /// Character data since the last tag, as bytes: libxml2 delivers text in many small pieces
    /// (one per entity reference), and one String per text node is far cheaper than one per piece.
    private var pendingText = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    private var pendingCount = 0
    private var pendingCapacity = 4096
    fileprivate var sawError = false
    fileprivate var elements = 0
    /// Names already made into Swift strings, by the address libxml2 gives them: a document
    /// repeats a few names thousands of times, and libxml2 hands each one out from its
    /// dictionary at the same address. The bytes are kept to check a hit, so an address that
    /// was not a dictionary entry can never return the wrong name.
    /// Direct-mapped by address bits (no hashing on this path: it runs for every element).
    private var names = [(address: UnsafeRawPointer?, bytes: [UInt8], name: String)](
        repeating: (nil, [], ""), count: 512)

    /// - Parameters:
    ///   - url: the document's URL, used in messages only.
    ///   - encoding: an encoding from outside the document (the HTTP charset). It overrides the
    ///     XML declaration, as RFC 7303 says; a byte order mark still overrides it.
    public init(handler: any XMLStreamHandler, url: String? = nil, encoding: String? = nil) {
        self.handler = handler
        self.url = url
        self.encoding = encoding
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = startElementCallback
        sax.endElementNs = endElementCallback
        sax.characters = charactersCallback
        sax.cdataBlock = charactersCallback
        sax.getEntity = getEntityCallback
        sax.reference = referenceCallback
        sax.serror = errorCallback
    }

    deinit {
        pendingText.deallocate()
        if let context {
            xmlFreeDoc(context.pointee.myDoc)
            context.pointee.myDoc = nil
            xmlFreeParserCtxt(context)
        }
    }

    /// Hands the next bytes of the document to the parser.
    public func feed(_ data: Data) {
        data.withUnsafeBytes { feed($0) }
    }

    public func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else { return }
        // libxml2 counts a chunk in an Int32: a larger buffer goes in pieces.
        var offset = 0
        while offset < bytes.count {
            let count = Int32(min(bytes.count - offset, Self.largestChunk))
            if let context {
                xmlParseChunk(context, base + offset, count, 0)
            } else {
                start(with: base + offset, count: count)
            }
            offset += Int(count)
        }
    }

    /// The most bytes handed to libxml2 at once.
    static let largestChunk = 1 << 24

    /// Ends the document and reports how reading it went.
    public func finish() -> XMLReport {
        if let context { xmlParseChunk(context, nil, 0, 1) }
        flushText()
        let wellFormed = !sawError && (context.map { $0.pointee.wellFormed != 0 } ?? false)
        return XMLReport(wellFormed: wellFormed && elements > 0, issues: issues, elements: elements)
    }

    private func start(with bytes: UnsafePointer<CChar>?, count: Int32) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        let hasBOM: Bool = {
            guard let bytes, count >= 2 else { return false }
            let b0 = UInt8(bitPattern: bytes[0])
            let b1 = UInt8(bitPattern: bytes[1])
            return (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)
                || (count >= 3 && b0 == 0xEF && b1 == 0xBB && UInt8(bitPattern: bytes[2]) == 0xBF)
        }()
        let override = hasBOM ? nil : encoding
        // With an outside encoding, create the context empty so the switch happens before
        // any byte is decoded.
        context = withUnsafeMutablePointer(to: &sax) { handler in
            xmlCreatePushParserCtxt(handler, me, override == nil ? bytes : nil, override == nil ? count : 0, url)
        }
        guard let context else { return }
        var options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)
        if let override, let converter = xmlFindCharEncodingHandler(override) {
            xmlSwitchToEncoding(context, converter)
            options |= Int32(XML_PARSE_IGNORE_ENC.rawValue)
        }
        xmlCtxtUseOptions(context, options)
        // Never replace entities with their declared content, and never load anything.
        context.pointee.replaceEntities = 0
        context.pointee.loadsubset = 0
        context.pointee.validate = 0
        if override != nil { xmlParseChunk(context, bytes, count, 0) }
    }

    /// Where the parser is now, for issues libxml2 does not locate itself.
    fileprivate var position: (line: Int, column: Int) {
        guard let context else { return (0, 0) }
        let raw = UnsafeMutableRawPointer(context)
        return (Int(xmlSAX2GetLineNumber(raw)), Int(xmlSAX2GetColumnNumber(raw)))
    }

    fileprivate func record(_ issue: XMLIssue) {
        if issue.isError {
            sawError = true
            // libxml2 stops delivering entity references (even &amp;) once it marks the
            // document not well-formed; the reader keeps that verdict itself and lets the
            // parser go on recovering the rest of the text.
            context?.pointee.wellFormed = 1
        }
        if issues.count < Self.maxIssues {
            var list = take(&issues, leaving: [])
            list.append(issue)
            issues = list
        }
    }

    fileprivate func start(_ name: XMLName, _ attributes: [XMLAttribute]) {
        flushText()
        elements += 1
        handler.xmlStart(name, attributes: attributes)
    }

    fileprivate func end(_ name: XMLName) {
        flushText()
        handler.xmlEnd(name)
    }

    /// Appends raw bytes to the pending text: a plain copy, as this runs once per piece.
    fileprivate func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if pendingCount + bytes.count > pendingCapacity {
            var capacity = pendingCapacity * 2
            while capacity < pendingCount + bytes.count { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: pendingText, count: pendingCount)
            pendingText.deallocate()
            pendingText = grown
            pendingCapacity = capacity
        }
        (pendingText + pendingCount).update(from: base, count: bytes.count)
        pendingCount += bytes.count
    }

    fileprivate func text(_ text: String) {
        var text = text
        text.withUTF8 { self.text($0) }
    }

    /// The string for a NUL-terminated name from libxml2, made once per distinct name.
    fileprivate func name(_ pointer: UnsafePointer<xmlChar>) -> String {
        let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        let address = UnsafeRawPointer(pointer)
        let slot = Int(truncatingIfNeeded: UInt(bitPattern: address) >> 3) & (names.count - 1)
        if names[slot].address == address, names[slot].bytes.count == length,
            names[slot].bytes.withUnsafeBytes({ $0.baseAddress.map { memcmp($0, pointer, length) == 0 } ?? true })
        {
            return names[slot].name
        }
        let bytes = UnsafeBufferPointer(start: pointer, count: length)
        let made = String(decoding: bytes, as: UTF8.self)
        // Stored through a local (see `take`): every element reads this table.
        var table = take(&names, leaving: [])
        table[slot] = (address, Array(bytes), made)
        names = table
        return made
    }

    private func flushText() {
        guard pendingCount > 0 else { return }
        let text = String(decoding: UnsafeBufferPointer(start: pendingText, count: pendingCount), as: UTF8.self)
        pendingCount = 0
        handler.xmlText(text)
    }
}

// MARK: - libxml2 callbacks (C functions: the reader comes back through the context pointer)

private func reader(_ context: UnsafeMutableRawPointer?) -> XMLStreamReader? {
    context.map { Unmanaged<XMLStreamReader>.fromOpaque($0).takeUnretainedValue() }
}

private func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

private func startElementCallback(
    _ context: UnsafeMutableRawPointer?, _ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?, _ namespaceCount: Int32,
    _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, _ attributeCount: Int32, _ defaulted: Int32,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    guard let reader = reader(context) else { return }
    var list: [XMLAttribute] = []
    if let attributes, attributeCount > 0 {
        list.reserveCapacity(Int(attributeCount))
        for index in 0..<Int(attributeCount) {
            // Five pointers per attribute: local name, prefix, URI, value start, value end.
            let base = index * 5
            guard let local = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else {
                continue
            }
            var value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
            // Without entity substitution libxml2 hands an ampersand in an attribute value
            // (`&amp;`, `&#38;`) over as `&#38;`, and only an ampersand so: undo exactly that.
            // (A literal "&#38;" in the document arrives as "&#38;#38;" and becomes "&#38;".)
            if value.utf8.contains(UInt8(ascii: "&")) { value = value.replacingOccurrences(of: "&#38;", with: "&") }
            list.append(
                XMLAttribute(
                    name: XMLName(reader.name(local), namespace: attributes[base + 2].map(reader.name)), value: value))
        }
    }
    reader.start(XMLName(localname.map(reader.name) ?? "", namespace: uri.map(reader.name)), list)
}

private func endElementCallback(
    _ context: UnsafeMutableRawPointer?, _ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?
) {
    guard let reader = reader(context) else { return }
    reader.end(XMLName(localname.map(reader.name) ?? "", namespace: uri.map(reader.name)))
}

private func charactersCallback(
    _ context: UnsafeMutableRawPointer?, _ characters: UnsafePointer<xmlChar>?, _ count: Int32
) {
    guard let characters, count > 0, let context else { return }
    // Called for every piece of text (one per entity reference): no retain of the reader.
    Unmanaged<XMLStreamReader>.fromOpaque(context)._withUnsafeGuaranteedRef {
        $0.text(UnsafeBufferPointer(start: characters, count: Int(count)))
    }
}

/// Only the five predefined entities and the HTML names below are known; whatever the
/// document declares itself is never looked at, let alone expanded.
private func getEntityCallback(_ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?) -> xmlEntityPtr? {
    guard let name else { return nil }
    if let predefined = xmlGetPredefinedEntity(name) { return predefined }
    let text = String(cString: name)
    guard let entity = HTMLEntities.entity(named: text), let reader = reader(context) else { return nil }
    let (line, column) = reader.position
    reader.record(
        XMLIssue(
            line: line, column: column, message: "undeclared HTML entity &\(text); read as the character it names",
            isError: true))
    return entity
}

private func referenceCallback(_ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?) {
    guard let name, let text = HTMLEntities.text(for: String(cString: name)) else { return }
    reader(context)?.text(text)
}

private func errorCallback(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error, let reader = reader(context) else { return }
    let message =
        string(UnsafePointer(error.pointee.message).map { UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self) })?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "XML error"
    reader.record(
        XMLIssue(
            line: Int(error.pointee.line), column: Int(error.pointee.int2), message: message,
            isError: error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue))
}
