import Foundation

/// Hides secrets in URLs and in text that may quote them: API keys in query parameters and
/// passwords in the user-info part become `***`. Every URL that reaches a log line, an error
/// or the cache goes through here first.
public enum Redaction {
    /// Query parameter names whose values are secrets, compared case-insensitively.
    public static let secretParameters: Set<String> = [
        "subscription-key", "subscription_key", "api_key", "apikey", "api-key", "key", "token", "access_token",
        "auth", "password", "secret", "client_secret", "sig", "signature",
    ]

    public static let mask = "***"

    /// `url` with secret query values and any user-info password replaced by `***`.
    public static func url(_ url: String) -> String {
        // Most URLs carry neither a query nor user info: nothing to hide, nothing to copy.
        guard url.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "@") }) else { return url }
        var text = Substring(url)
        var fragment: Substring = ""
        if let hash = text.firstIndex(of: "#") {
            fragment = text[hash...]
            text = text[..<hash]
        }
        var head = text
        var query: Substring?
        if let question = text.firstIndex(of: "?") {
            head = text[..<question]
            query = text[text.index(after: question)...]
        }
        var result = hidePassword(String(head))
        if let query {
            let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
                guard let equals = part.firstIndex(of: "=") else { return String(part) }
                let name = part[..<equals].lowercased()
                return secretParameters.contains(name) ? part[..<equals] + "=" + mask : String(part)
            }
            result += "?" + parts.joined(separator: "&")
        }
        return result + fragment
    }

    /// `text` with every occurrence of each secret replaced by `***`, in every form a server
    /// may echo it back in: raw, percent-encoded (either case of hex digits, `+` for a
    /// space) and base64 (standard or URL-safe, padded or not). See `SecretRedactor`.
    public static func text(_ text: String, hiding secrets: [String]) -> String {
        SecretRedactor.redact(text, secrets: secrets)
    }

    /// The secrets written inside `url` itself: the values of its secret query parameters
    /// (as written and percent-decoded) and the password of its user info. A message about
    /// the URL hides these wherever the server quotes them.
    public static func secrets(inURL url: String) -> [String] {
        var found: [String] = []
        var text = Substring(url)
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        if let question = text.firstIndex(of: "?") {
            for part in text[text.index(after: question)...].split(separator: "&") {
                guard let equals = part.firstIndex(of: "="), secretParameters.contains(part[..<equals].lowercased())
                else { continue }
                let value = String(part[part.index(after: equals)...])
                found.append(value)
                if let decoded = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                    decoded != value
                {
                    found.append(decoded)
                }
            }
            text = text[..<question]
        }
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let password = String(authority[authority.index(after: colon)..<at])
                found.append(password)
                if let decoded = password.removingPercentEncoding, decoded != password { found.append(decoded) }
            }
        }
        return found.filter { $0.utf8.count >= SecretRedactor.minimumLength }
    }

    private static func hidePassword(_ head: String) -> String {
        guard let scheme = head.range(of: "://") else { return head }
        let authorityStart = scheme.upperBound
        let rest = head[authorityStart...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return head }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return head }
        return String(head[..<authorityStart]) + userInfo[..<colon] + ":" + mask + head[at...]
    }
}
