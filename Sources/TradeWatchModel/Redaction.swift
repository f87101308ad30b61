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

    /// `text` with every occurrence of each secret replaced by `***`.
    public static func text(_ text: String, hiding secrets: [String]) -> String {
        var text = text
        for secret in secrets where secret.count >= 4 {
            text = text.replacing(secret, with: mask)
        }
        return text
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
