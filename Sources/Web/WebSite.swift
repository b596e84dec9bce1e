import Dates
import Deadlines
import Digest
import Foundation
import HTTPTypes
import Hummingbird
import Letters
import Logging
import Mail
import NIOCore
import Postgres
import Statistics
import Store
import Workflow

/// The request context of the public pages: the client's address, for rate limits.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Form posts are small: anything larger is refused before it is read.
    public var maxUploadSize: Int { WebSite.maxBody }
}

/// The public face of the same engine (`foiflow serve --web-listen`): the request form, a
/// request's status by reference and access code, the disclosure log and its feed, the
/// statistics, and officers' calendars. The same stores and rules as the line protocol; a
/// request made here is made exactly as `CREATE` makes one, by the user `web`.
public struct WebSite: Sendable {
    public static let maxBody = 16 * 1024
    /// The actor a request made through the form is recorded against (an officer's rights, no
    /// team: it is every team's until someone assigns it).
    public static let actor = Actor(login: "web", role: .officer)

    let pool: PostgresPool
    let requests: RequestStore
    let pages: PageBook
    let letters: LetterWriter
    let today: @Sendable () -> CivilDate
    let logger: Logger
    let forms: RateLimiter
    let lookups: RateLimiter

    public init(
        pool: PostgresPool, requests: RequestStore, pages: PageBook, letters: LetterWriter, today: @escaping @Sendable () -> CivilDate,
        logger: Logger, formsPerHour: Int = 20, lookupsPerTenMinutes: Int = 30
    ) {
        self.pool = pool
        self.requests = requests
        self.pages = pages
        self.letters = letters
        self.today = today
        self.logger = logger
        forms = RateLimiter(limit: formsPerHour, window: .seconds(3600))
        lookups = RateLimiter(limit: lookupsPerTenMinutes, window: .seconds(600))
    }

    /// The application on `host:port`, to run as a service beside the line protocol.
    public func application(host: String, port: Int) -> some ApplicationProtocol {
        Application(
            router: router(), server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }

    func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: PageMiddleware(site: self))
        router.get("/") { _, _ in try await self.home() }
        router.get("/style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: self.pages.stylesheet)))
        }
        router.get("/request") { request, _ in try await self.requestForm(request) }
        router.post("/request") { request, context in try await self.submitRequest(request, context: context) }
        router.get("/status") { _, _ in try await self.page("status-form", title: "Follow your request", [:]) }
        router.post("/status") { request, context in try await self.status(request, context: context) }
        router.get("/disclosure-log") { request, _ in try await self.log(request) }
        router.get("/disclosure-log.atom") { request, _ in try await self.feed(request) }
        router.get("/disclosure-log/:ref") { _, context in try await self.logEntry(context.parameters.get("ref") ?? "") }
        router.get("/statistics") { _, _ in try await self.statisticsIndex() }
        router.get("/statistics/:year") { _, context in try await self.statistics(year: context.parameters.get("year"), quarter: nil) }
        router.get("/statistics/:year/:quarter") { _, context in
            try await self.statistics(year: context.parameters.get("year"), quarter: context.parameters.get("quarter"))
        }
        router.get("/calendar/:file") { _, context in try await self.calendar(context.parameters.get("file") ?? "") }
        return router
    }

    // MARK: Pages

    /// Values every page has: the site's name and the unit's contact (the footer).
    func common(title: String) async throws -> [String: Any] {
        let unit = try await requests.unit.current()
        var values: [String: Any] = ["title": title, "site": unit.name ?? "Information requests"]
        values["unitEmail"] = unit.email
        values["unitPhone"] = unit.phone
        values["unitAddress"] = unit.address
        return values
    }

    func page(
        _ name: String, title: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], _ values: [String: Any]
    ) async throws
        -> Response
    {
        var all = try await common(title: title)
        all.merge(values) { $1 }
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: pages.render(name, all))))
    }

    func errorPage(_ status: HTTPResponse.Status, message: String? = nil) async -> Response {
        let (heading, text): (String, String) =
            switch status.code {
            case 404: ("Page not found", "There is no page at this address.")
            case 413: ("Too much was sent", "What you sent is larger than this form takes.")
            case 429: ("Too many attempts", "You have made too many attempts from your connection. Please wait a while and try again.")
            case 403: ("The form has expired", "Please go back, reload the page and send the form again.")
            case 400..<500: ("Something is wrong with the request", "The page could not understand what was sent.")
            default: ("Sorry, something went wrong", "Please try again later.")
            }
        let values: [String: Any] = ["heading": heading, "message": message ?? text]
        if let response = try? await page("error", title: heading, status: status, values) { return response }
        return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: heading)))
    }

    /// The kinds the public may ask for here, in words.
    static let formKinds: [(kind: RequestKind, label: String)] = [
        (.foi, "Ask for information we hold (Freedom of Information)"),
        (.eir, "Ask for environmental information (Environmental Information Regulations)"),
        (.complaint, "Complain about our service"),
        (.dpc, "Complain about how we handled your personal data"),
    ]

    func home() async throws -> Response {
        let published = Dictionary(
            try await CommitmentStore(pool: pool).list().map { ($0.kind, $0.commitment.text) }, uniquingKeysWith: { first, _ in first })
        let kinds: [[String: Any]] = [RequestKind.foi, .eir, .sar, .complaint, .dpc].map { kind in
            var row: [String: Any] = ["name": kind.title, "law": kind.ruleText]
            row["commitment"] = published[kind]
            return row
        }
        return try await page("home", title: "Information requests", ["kinds": kinds])
    }

    // MARK: Make a request

    static let csrfCookie = "foiflow_csrf"

    func requestForm(_ request: Request) async throws -> Response {
        let token = request.cookies[Self.csrfCookie]?.value.filter(\.isHexDigit) ?? ""
        let csrf = token.count == 64 ? token : SHA256.hexString((0..<32).map { _ in UInt8.random(in: 0...255) })
        return try await formPage(values: [:], errors: [], csrf: csrf, status: .ok)
    }

    func formPage(
        values: [String: String], errors: [(field: String, message: String)], csrf: String, status: HTTPResponse.Status
    ) async throws
        -> Response
    {
        let error = Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        let kinds: [[String: Any]] = Self.formKinds.enumerated().map { index, item in
            [
                "id": index == 0 ? "kind" : "kind-\(item.kind.rawValue)", "value": item.kind.rawValue, "label": item.label,
                "checked": values["kind"] == item.kind.rawValue, "first": index == 0,
            ]
        }
        func field(
            _ name: String, _ label: String, type: String = "text", hint: String? = nil, autocomplete: String? = nil, multiline: Bool = false
        )
            -> [String: Any]
        {
            var row: [String: Any] = ["name": name, "label": label, "type": type, "value": values[name] ?? "", "multiline": multiline]
            row["hint"] = hint
            row["error"] = error[name]
            row["autocomplete"] = autocomplete
            let described = [hint.map { _ in "\(name)-hint" }, error[name].map { _ in "\(name)-error" }].compactMap { $0 }
            if !described.isEmpty { row["describedBy"] = described.joined(separator: " ") }
            return row
        }
        let fields = [
            field("name", "Your name", autocomplete: "name"),
            field("email", "Your e-mail address", type: "email", hint: "We will reply by e-mail if you give one", autocomplete: "email"),
            field("address", "Your postal address", hint: "If you would like a reply by post", autocomplete: "street-address"),
            field("phone", "Your telephone number", type: "tel", hint: "Only if you would like us to telephone you", autocomplete: "tel"),
            field("request", "Your request", hint: "Describe the information you want, or what your complaint is about", multiline: true),
        ]
        let contacts: [[String: Any]] = [("email", "By e-mail"), ("post", "By post"), ("phone", "By telephone")].map { value, label in
            [
                "id": value == "email" ? "contact" : "contact-\(value)", "value": value, "label": label,
                "checked": (values["contact"] ?? "email") == value,
            ]
        }
        var page: [String: Any] = [
            "kinds": kinds, "fields": fields, "contacts": contacts, "csrf": csrf,
            "errors": ["any": !errors.isEmpty, "list": errors.map { ["field": $0.field == "kind" ? "kind" : $0.field, "message": $0.message] }],
        ]
        page["kindError"] = error["kind"]
        page["contactError"] = error["contact"]
        return try await self.page(
            "request-form", title: errors.isEmpty ? "Make a request" : "Error: make a request", status: status,
            headers: [.setCookie: "\(Self.csrfCookie)=\(csrf); Path=/; HttpOnly; SameSite=Strict"], page)
    }

    func submitRequest(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await Self.form(request)
        // A form from this site carries the token its cookie holds; a forged one does not.
        let cookie = request.cookies[Self.csrfCookie]?.value ?? ""
        guard cookie.count == 64, let sent = form["csrf"], UserStore.constantTimeEqual(Array(sent.utf8), Array(cookie.utf8)) else {
            throw HTTPError(.forbidden)
        }
        guard forms.allow(context.clientAddress) else { throw HTTPError(.tooManyRequests) }
        var values = form.mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        values["csrf"] = nil
        var errors: [(field: String, message: String)] = []
        let kind = values["kind"].flatMap { name in Self.formKinds.first { $0.kind.rawValue == name }?.kind }
        if kind == nil { errors.append(("kind", "Choose what you would like to do")) }
        let name = values["name"] ?? ""
        if name.isEmpty {
            errors.append(("name", "Enter your name"))
        } else if name.count > 200 {
            errors.append(("name", "Your name must be 200 characters or fewer"))
        }
        let email = values["email"].flatMap { $0.isEmpty ? nil : $0 }
        if let email, EmailAddress.problem(email) != nil {
            errors.append(("email", "Enter an e-mail address in the right form, like name@example.org"))
        }
        let address = values["address"].flatMap { $0.isEmpty ? nil : $0 }
        if let address, address.count > 500 { errors.append(("address", "Your address must be 500 characters or fewer")) }
        let phone = values["phone"].flatMap { $0.isEmpty ? nil : $0 }
        if let phone, TelephoneNumber.problem(phone) != nil { errors.append(("phone", "Enter a telephone number, like 01632 960001")) }
        let text = values["request"] ?? ""
        if text.isEmpty {
            errors.append(("request", "Enter your request"))
        } else if text.count > 5000 {
            errors.append(("request", "Your request must be 5,000 characters or fewer"))
        }
        let contact = values["contact"] ?? "email"
        switch contact {
        case "email" where email == nil: errors.append(("email", "Enter your e-mail address, or choose another way for us to reply"))
        case "post" where address == nil: errors.append(("address", "Enter your postal address, or choose another way for us to reply"))
        case "phone" where phone == nil: errors.append(("phone", "Enter your telephone number, or choose another way for us to reply"))
        case "email", "post", "phone": break
        default: errors.append(("contact", "Choose how we should reply"))
        }
        for (field, value) in values where HostileText.firstForbidden(in: value) != nil && !errors.contains(where: { $0.field == field }) {
            errors.append((field, "Remove the control characters from this answer"))
        }
        guard let kind, errors.isEmpty else { return try await formPage(values: values, errors: errors, csrf: cookie, status: .badRequest) }
        let today = self.today()
        var fields = [Field("received", today.description), Field("requester", name), Field("subject", text), Field("contact", contact)]
        if let email { fields.append(Field("email", email)) }
        if let address { fields.append(Field("address", address)) }
        if let phone { fields.append(Field("phone", phone)) }
        let result: ChangeResult
        do {
            result = try await requests.create(kind: kind, fields: fields, by: Self.actor, today: today)
        } catch let error as WorkflowError {
            if case .badArgument(let text) = error {
                return try await formPage(values: values, errors: [("request", text)], csrf: cookie, status: .badRequest)
            }
            throw error
        }
        var done: [String: Any] = ["ref": result.ref, "code": result.accessCode ?? ""]
        done["due"] = result.due?.description ?? "the date in our acknowledgement"
        return try await page("request-done", title: "Your request has been sent", headers: [.cacheControl: "no-store"], done)
    }

    /// A posted form, at most `maxBody` bytes (413 past it).
    static func form(_ request: Request) async throws -> [String: String] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBody { throw HTTPError(.contentTooLarge) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBody) } catch { throw HTTPError(.contentTooLarge) }
        return FormBody.parse(String(buffer: body))
    }

    // MARK: Follow a request

    func status(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await Self.form(request)
        let ref = (form["ref"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard lookups.allow(context.clientAddress) else { throw HTTPError(.tooManyRequests) }
        let unit = try await requests.unit.current()
        guard let found = try await PublicStore(pool: pool).status(ref: ref, code: form["code"] ?? "", unit: unit) else {
            // An unknown reference and a wrong code answer alike.
            return try await page(
                "status-form", title: "Error: follow your request", status: .notFound,
                [
                    "problem": "We could not find a request with that reference and access code. Check both and try again.",
                    "ref": String(ref.prefix(40)),
                ])
        }
        let letterRows: [[String: Any]] = found.letters.map { letter in
            ["name": Self.letterName(letter.type), "date": letter.on.description, "onItsWay": letter.status == "queued"]
        }
        var values: [String: Any] = [
            "ref": found.ref, "stateText": Self.sentence(letters.stateText(found.state) ?? found.state.rawValue),
            "received": found.received.description,
            "rule": "The law gives us " + found.kind.ruleText + ".", "leadName": found.lead.name ?? "Our disclosure unit",
            "letters": ["any": !letterRows.isEmpty, "list": letterRows],
        ]
        values["due"] = found.state.isOpen ? found.due?.description : nil
        values["whatNext"] = found.state.isOpen ? letters.whatNext(found.kind).map(Self.sentence) : nil
        values["leadContact"] = found.lead.contactText
        values["updateDue"] = found.updateDue?.description
        return try await page("status", title: "Request \(found.ref)", headers: [.cacheControl: "no-store"], values)
    }

    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst() + (text.hasSuffix(".") ? "" : ".")
    }

    static func letterName(_ type: LetterType) -> String {
        switch type {
        case .acknowledgement: "Acknowledgement"
        case .clarification: "Asking you to clarify"
        case .feeNotice: "Fees notice"
        case .extension: "Extending the time"
        case .response: "Our answer"
        case .refusal: "Our answer (refusal notice)"
        case .transfer: "Transferred"
        case .lapse: "Closed: no reply"
        case .reviewOutcome: "Internal review outcome"
        case .progressUpdate: "Progress update"
        }
    }

    // MARK: The disclosure log

    static func outcomeName(_ outcome: String) -> String {
        switch Outcome(rawValue: outcome) {
        case .granted?: "Information provided"
        case .partial?: "Provided in part"
        case .refused?: "Refused"
        case .notHeld?: "Not held"
        case .ncnd?: "Neither confirmed nor denied"
        case .upheld?, .upheldInPart?, .overturned?, nil: outcome
        }
    }

    func log(_ request: Request) async throws -> Response {
        // A browser sends a form's spaces as `+`.
        let query = request.uri.queryParameters.get("q").map { String($0.replacingOccurrences(of: "+", with: " ").prefix(200)) }
        let page = max(1, min(10_000, request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1))
        let (entries, more) = try await PublicStore(pool: pool).log(query: query, page: page, today: today())
        let rows: [[String: Any]] = entries.map { entry in
            ["ref": entry.ref, "answered": entry.answeredOn.description, "title": entry.title, "outcome": Self.outcomeName(entry.outcome)]
        }
        func link(_ page: Int) -> String {
            var parts = ["page=\(page)"]
            if let query, !query.isEmpty { parts.insert("q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", at: 0) }
            return "/disclosure-log?" + parts.joined(separator: "&")
        }
        var values: [String: Any] = ["entries": ["any": !rows.isEmpty, "list": rows], "feed": true]
        values["q"] = query
        values["previous"] = page > 1 ? link(page - 1) : nil
        values["next"] = more ? link(page + 1) : nil
        return try await self.page("log", title: page > 1 ? "Disclosure log, page \(page)" : "Disclosure log", values)
    }

    func logEntry(_ ref: String) async throws -> Response {
        guard RequestReference(ref) != nil, let entry = try await PublicStore(pool: pool).entry(ref: ref, today: today()) else {
            throw HTTPError(.notFound)
        }
        var values: [String: Any] = [
            "ref": entry.ref, "kind": entry.kind.title, "answered": entry.answeredOn.description, "title": entry.title,
            "outcome": Self.outcomeName(entry.outcome), "feed": true,
        ]
        values["grounds"] = entry.grounds
        return try await page("log-entry", title: entry.title, values)
    }

    func feed(_ request: Request) async throws -> Response {
        let (entries, _) = try await PublicStore(pool: pool).log(query: nil, page: 1, pageSize: 50, today: today())
        let host = request.head.authority.map { $0.filter { $0.isLetter || $0.isNumber || ".:-[]".contains($0) } } ?? "localhost"
        var values = try await common(title: "Disclosure log")
        values["base"] = "http://\(host)"
        values["updated"] = "\((entries.map(\.publishedOn).max() ?? today()).description)T00:00:00Z"
        values["entries"] = entries.map { entry -> [String: Any] in
            var row: [String: Any] = [
                "ref": entry.ref, "title": entry.title, "answered": entry.answeredOn.description, "published": entry.publishedOn.description,
                "outcome": Self.outcomeName(entry.outcome),
            ]
            row["grounds"] = entry.grounds
            return row
        }
        return Response(
            status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: pages.render("feed", values))))
    }

    // MARK: Statistics

    func statisticsIndex() async throws -> Response {
        let today = self.today()
        var periods: [[String: Any]] = [["href": "/statistics/\(today.year)", "label": "\(today.year) so far"]]
        var (year, quarter) = (today.year, (today.month - 1) / 3 + 1)
        for _ in 0..<8 {
            (year, quarter) = quarter == 1 ? (year - 1, 4) : (year, quarter - 1)
            periods.append(["href": "/statistics/\(year)/q\(quarter)", "label": "\(year), quarter \(quarter)"])
        }
        return try await page("statistics-index", title: "How we perform", ["periods": periods])
    }

    func statistics(year yearText: String?, quarter quarterText: String?) async throws -> Response {
        let today = self.today()
        guard let yearText, let year = Int(yearText), (2000...today.year).contains(year) else { throw HTTPError(.notFound) }
        var from = CivilDate(year: year, month: 1, day: 1), to = CivilDate(year: year, month: 12, day: 31)
        if let quarterText {
            guard quarterText.count == 2, quarterText.first == "q", let quarter = Int(quarterText.dropFirst()), (1...4).contains(quarter) else {
                throw HTTPError(.notFound)
            }
            from = CivilDate(year: year, month: quarter * 3 - 2, day: 1)
            to = CivilDate(year: year, month: quarter * 3, day: 1).map { $0.adding(months: 1).adding(days: -1) }
        }
        guard let from, var to, from <= today else { throw HTTPError(.notFound) }
        if to > today { to = today }
        let report = try await StatsStore(pool: pool).report(from: from, to: to, asOf: today, kinds: [.foi, .eir])
        let title = try await requests.unit.current().name ?? "Information requests"
        let html = try StatsPage.html(report, title: title)
        // The page carries its own small style element: allowed by its hash, and nothing else inline.
        var policy = PageMiddleware.contentSecurityPolicy
        if let start = html.range(of: "<style>"), let end = html.range(of: "</style>", range: start.upperBound..<html.endIndex) {
            let style = String(html[start.upperBound..<end.lowerBound])
            let hash = Data(SHA256.hash(Array(style.utf8))).base64EncodedString()
            policy = policy.replacingOccurrences(of: "style-src 'self'", with: "style-src 'self' 'sha256-\(hash)'")
        }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if let name = HTTPField.Name("Content-Security-Policy") { headers[name] = policy }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    // MARK: Calendars

    func calendar(_ file: String) async throws -> Response {
        guard file.hasSuffix(".ics"), let found = try await PublicStore(pool: pool).calendar(token: String(file.dropLast(4))) else {
            throw HTTPError(.notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: ICalendar.render(login: found.login, items: found.items))))
    }
}

/// Security headers on every response, and errors as plain pages without internals.
struct PageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let site: WebSite

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", contentSecurityPolicy), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"), ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]

    @concurrent
    func handle(
        _ request: Request, context: WebContext, next: @concurrent (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = await site.errorPage(error.status)
        } catch {
            site.logger.error("web page failed", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            response = await site.errorPage(.internalServerError)
        }
        for (name, value) in Self.securityHeaders {
            guard let field = HTTPField.Name(name), response.headers[field] == nil else { continue }
            response.headers[field] = value
        }
        return response
    }
}
