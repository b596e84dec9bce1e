/// Limits and addresses of the line-protocol server.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on (0: any free port, reported by `LineServer.boundPort`).
    public var port: Int
    /// The longest request line accepted, in bytes (excluding the line end).
    public var maxLineLength: Int
    /// The most connections served at once; one more gets `ERR BUSY` and is closed.
    public var maxConnections: Int
    /// A connection that sends nothing for this long is closed.
    public var idleTimeout: Duration
    /// A connection that has not authenticated this long after it opened is closed.
    public var authTimeout: Duration
    /// A line that has started must end within this time, or the connection is closed (a
    /// client sending a byte a second cannot hold a slot for ever).
    public var lineTimeout: Duration
    /// The most connections served at once from one IP address; one more gets `ERR BUSY`.
    public var maxConnectionsPerIP: Int

    public init(
        host: String = "127.0.0.1", port: Int = 7878, maxLineLength: Int = 16 * 1024,
        maxConnections: Int = 1024, idleTimeout: Duration = .seconds(300), authTimeout: Duration = .seconds(10),
        lineTimeout: Duration = .seconds(30), maxConnectionsPerIP: Int = 64
    ) {
        self.host = host
        self.port = port
        self.maxLineLength = maxLineLength
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.authTimeout = authTimeout
        self.lineTimeout = lineTimeout
        self.maxConnectionsPerIP = maxConnectionsPerIP
    }

    /// Parses `HOST:PORT` (IPv6 as `[::1]:7878`).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return (String(host), port)
    }
}

/// The product's name and version, as `HELLO` and `--version` report them.
public enum FoiflowVersion {
    public static let name = "foiflow"
    public static let current = "0.1.0"
    public static let protocolVersion = 1
}
