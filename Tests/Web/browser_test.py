#!/usr/bin/env python3
"""The public web pages (issue 29) in a real browser: headless Chromium driven by Selenium, with
JavaScript turned off, axe-core checking every page for WCAG 2.2 A and AA, a screenshot of
each page kept, and hostile input. Run by WebBrowserTests with the foiflow binary and an empty
migrated database; exits 1 naming every failure.

usage: browser_test.py --bin FOIFLOW --db DATABASE_URL --shots FOLDER
"""
import argparse
import importlib.util
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import icalendar
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
parser.add_argument("--bin", required=True)
parser.add_argument("--db", required=True)
parser.add_argument("--shots", required=True)
args = parser.parse_args()
os.makedirs(args.shots, exist_ok=True)

failures = []
MARK_NAME = "Zed Markerson"
MARK_EMAIL = "zed.marker@example.org"
HOSTILE = "<script>alert('pwned')</script><b>bold</b>"


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what, flush=True)


def cli(*arguments, today="2026-12-01"):
    env = dict(os.environ, DATABASE_URL=args.db, FOIFLOW_TODAY=today, FOIFLOW_TODAY_OVERRIDE="yes", FOIFLOW_USER="")
    run = subprocess.run([args.bin, *arguments], env=env, capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        print("cli", arguments, "->", run.returncode, run.stderr, flush=True)
    return run


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """foiflow serve with the web pages, on free ports, with `today` fixed."""

    def __init__(self, today):
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=args.db, FOIFLOW_TODAY=today, FOIFLOW_TODAY_OVERRIDE="yes")
        self.process = subprocess.Popen(
            [args.bin, "serve", "--listen", f"127.0.0.1:{free_port()}", "--web-listen", f"127.0.0.1:{self.port}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/", timeout=2).read()
                return
            except Exception:
                time.sleep(0.05)
        raise SystemExit("the web listener did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def http(method, url, data=None, headers=None):
    """(status, headers, body) without following anything."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def axe_script():
    """A current axe-core (with the WCAG 2.2 rules): the one shipped in axe-playwright-python."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec and spec.submodule_search_locations:
        path = os.path.join(list(spec.submodule_search_locations)[0], "axe.min.js")
        if os.path.exists(path):
            return path
    return None


AXE = axe_script()
check(AXE is not None, "a current axe-core is installed (axe-playwright-python, for its axe.min.js)")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600", "--disable-dev-shm-usage"]:
    options.add_argument(argument)
# Every page must work with JavaScript turned off.
options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
driver.set_page_load_timeout(20)
# axe-core is itself a script: it checks each page as the browser above laid it out, in a
# second browser with scripts on, from the same HTML and the server's stylesheet.
checker_options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600", "--disable-dev-shm-usage",
                 "--allow-file-access-from-files"]:
    checker_options.add_argument(argument)
checker = webdriver.Chrome(options=checker_options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
checker.set_page_load_timeout(20)
checker.set_script_timeout(60)
pages_seen = []


def look(name):
    """Screenshot, axe, and no personal data of the requester on this public page."""
    driver.save_screenshot(os.path.join(args.shots, f"{name}.png"))
    pages_seen.append(name)
    source = driver.page_source
    check(MARK_NAME not in source and MARK_EMAIL not in source, f"{name}: shows the requester's name or e-mail")
    check('<html lang="en"' in source or "<html lang='en'" in source, f"{name}: the page's language")
    if AXE:
        base = re.match(r"https?://[^/]+", driver.current_url).group(0)
        copy = os.path.join(args.shots, f"{name}.html")
        with open(copy, "w") as f:
            f.write(source.replace("<head>", f'<head><base href="{base}/">', 1))
        checker.get("file://" + copy)
        axe = Axe(checker, script_url=AXE)
        axe.inject()
        result = axe.run(options={"runOnly": {"type": "tag", "values": WCAG}})
        violations = result["violations"]
        check(not violations, f"{name}: axe finds {[(v['id'], [n['target'] for n in v['nodes']][:3]) for v in violations]}")


def submit():
    """Sends the page's form and waits for the page that answers it."""
    button = driver.find_element(By.CSS_SELECTOR, "button[type=submit]")
    button.click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(button))


def count_requests():
    return len(cli("request", "list", "--format", "csv").stdout.strip().splitlines()) - 1


# Set up: a unit, an admin, an officer, and a delay before publication.
for command in (["user", "add", "admin", "--role", "admin"], ["user", "add", "asmith", "--role", "officer", "--name", "Alex Smith",
                                                             "--email", "a.smith@north.example"]):
    check(cli(*command).returncode == 0, f"set-up {command}")
check(cli("unit", "set", "--name", "North Police Disclosure Unit", "--email", "foi@north.example", "--as", "admin").returncode == 0, "unit set")
check(cli("policy", "publish-after", "2", "--as", "admin").returncode == 0, "policy publish-after")

# The checker can fail: a page with an image without a text alternative and a tiny target.
if AXE:
    bad = os.path.join(args.shots, "axe-self-check.html")
    with open(bad, "w") as f:
        f.write('<html><body><img src="x.png"><a href="/" style="display:inline-block;width:8px;height:8px"></a></body></html>')
    checker.get("file://" + bad)
    axe = Axe(checker, script_url=AXE)
    axe.inject()
    found = {v["id"] for v in axe.run(options={"runOnly": {"type": "tag", "values": WCAG}})["violations"]}
    check({"image-alt", "html-has-lang"} <= found, f"axe finds what is wrong on a bad page: {found}")

server = Server("2026-12-01")
try:
    driver.get(server.base + "/")
    check("Our commitments" in driver.page_source, "the start page lists the commitments")
    look("home")

    # The form, with markup in every field and a bad e-mail: errors beside the fields, and
    # every value shown back as text.
    driver.get(server.base + "/request")
    look("request-form")
    driver.find_element(By.ID, "kind").click()
    for field in ["name", "address", "request"]:
        driver.find_element(By.ID, field).send_keys(HOSTILE)
    driver.find_element(By.ID, "email").send_keys("not an address " + HOSTILE)
    submit()
    check("There is a problem" in driver.page_source, "a bad form shows its errors")
    check(driver.find_element(By.ID, "name").get_attribute("value") == HOSTILE, "markup typed in a field comes back as text")
    check(not driver.find_elements(By.CSS_SELECTOR, "main b, main script"), "markup typed in a field is never markup")
    check(driver.find_element(By.ID, "email").get_attribute("aria-invalid") == "true", "the bad field is marked invalid")
    look("request-form-errors")

    # Made properly: the reference and the access code.
    before = count_requests()
    driver.get(server.base + "/request")
    driver.find_element(By.ID, "kind").click()
    driver.find_element(By.ID, "name").send_keys(MARK_NAME)
    driver.find_element(By.ID, "email").send_keys(MARK_EMAIL)
    driver.find_element(By.ID, "request").send_keys(HOSTILE + " stop and search figures for 2025")
    submit()
    ref = driver.find_element(By.CSS_SELECTOR, ".ref").text
    code = driver.find_element(By.CSS_SELECTOR, ".code").text
    check(re.fullmatch(r"FOI-2026-\d{6}", ref) is not None, f"the form gives a reference ({ref})")
    check(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code) is not None, f"the form gives an access code ({code})")
    check(count_requests() == before + 1, "the form made one request")
    look("request-done")
    letters = cli("letters", ref, "--format", "csv").stdout
    check("acknowledgement,email,queued" in letters, f"the acknowledgement is queued by e-mail: {letters}")
    check(code in cli("letter", "1").stdout, "the acknowledgement letter carries the access code")
    shown = cli("request", "show", ref, "--format", "json").stdout
    check(MARK_NAME in shown and "<script>" in shown, "the request holds what was typed, as typed")
    due = json.loads(shown)["due"]

    # Its status page: state, due date, lead officer.
    check(cli("request", "act", ref, "assign", "to=asmith", "--as", "admin").returncode == 0, "assign")
    driver.get(server.base + "/status")
    look("status-form")
    driver.find_element(By.ID, "ref").send_keys(ref.lower())
    driver.find_element(By.ID, "code").send_keys(code.replace("-", " "))
    submit()
    main = driver.find_element(By.TAG_NAME, "main").text
    check("We are working on it" in main, f"the status page says where it stands: {main}")
    check(due in main and "20 working days" in main, f"the status page gives the due date and why: {main}")
    check("Alex Smith" in main and "a.smith@north.example" in main, f"the status page names the lead officer: {main}")
    check("Acknowledgement" in main, f"the status page lists the letters: {main}")
    look("status")
    # A wrong code and an unknown reference answer alike.
    answers = []
    for typed_ref, typed_code in [(ref, "AAAA-AAAA-AAAA-AAAA"), ("FOI-2026-999999", code)]:
        status, _, body = http("POST", server.base + "/status", urllib.parse.urlencode({"ref": typed_ref, "code": typed_code}).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded"})
        answers.append((status, re.sub(r'value="[^"]*"', "", body)))
    check(answers[0] == answers[1] and answers[0][0] == 404, "an unknown reference and a wrong code get the same answer")
    driver.get(server.base + "/status")
    driver.find_element(By.ID, "ref").send_keys(ref)
    driver.find_element(By.ID, "code").send_keys("AAAA-AAAA-AAAA-AAAA")
    submit()
    look("status-not-found")

    # Two requests an officer made and leads, and the web one answered and published (with
    # markup in its title, shown as text) after the delay.
    for _ in range(2):
        made = cli("request", "create", "foi", "received=2026-11-20", "requester=Al", "--as", "asmith").stdout
        other = re.search(r"ref=(\S+)", made).group(1)
        check(cli("request", "act", other, "assign", "to=asmith", "--as", "asmith").returncode == 0, "assign the officer's own")
    answered = cli("request", "act", ref, "respond", "outcome=partial", "exemptions=s31", "reason=law enforcement", "publish=yes",
                   "publish_title=Stop and search <i>figures</i> 2025", "--as", "asmith")
    check(answered.returncode == 0, f"respond publish=yes: {answered.stderr}")
    driver.get(server.base + "/disclosure-log")
    check(ref not in driver.page_source, "the log waits for the authority's delay")
    look("log-before")

    # Forged and hostile requests change nothing and leave the server up.
    before = count_requests()
    forged = urllib.parse.urlencode({"kind": "foi", "name": "Forger", "email": "f@example.org", "request": "x", "contact": "email"}).encode()
    status, _, _ = http("POST", server.base + "/request", forged, {"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 403, f"a form without its CSRF token is refused ({status})")
    status, _, _ = http("POST", server.base + "/request", forged + b"&csrf=" + b"a" * 64,
                        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "foiflow_csrf=" + "b" * 64})
    check(status == 403, f"a form whose token is not its cookie's is refused ({status})")
    check(count_requests() == before, "a forged form changes nothing")
    status, _, _ = http("POST", server.base + "/status", b"ref=" + b"x" * 200_000, {"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 413, f"an oversized body is refused ({status})")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        try:
            reply = raw.recv(100)
        except OSError:
            reply = b""
    check(reply == b"" or reply.startswith(b"HTTP/1.1 4"), f"a malformed request gets a 4xx or nothing ({reply[:20]!r})")
    status, headers, body = http("GET", server.base + "/no-such-page")
    check(status == 404 and "Page not found" in body and "Error" not in headers.get("Server", ""), "a 404 page, without internals")
    check("default-src 'none'" in headers.get("Content-Security-Policy", "") and headers.get("X-Frame-Options") == "DENY"
          and headers.get("X-Content-Type-Options") == "nosniff", f"security headers on an error page: {headers}")
    check(http("GET", server.base + "/")[0] == 200, "the server is still up")
    driver.get(server.base + "/no-such-page")
    look("not-found")

    # The officer's calendar: one event per open assigned request, on its due date.
    path = cli("user", "calendar-token", "asmith", "--as", "admin").stdout.strip()
    status, headers, body = http("GET", server.base + path)
    check(status == 200 and headers.get("Content-Type", "").startswith("text/calendar"), f"the calendar feed ({status})")
    calendar = icalendar.Calendar.from_ical(body)
    events = [c for c in calendar.walk("VEVENT")]
    open_refs = [line.split(",")[0] for line in cli("request", "list", "--format", "csv").stdout.splitlines()[1:]
                 if ",asmith," in line and ",responded," not in line]
    check(len(events) == len(open_refs) == 2, f"one event per open assigned request ({len(events)} events, {open_refs})")
    for event in events:
        event_ref = str(event["SUMMARY"]).split(" ")[0]
        event_due = json.loads(cli("request", "show", event_ref, "--format", "json").stdout)["due"]
        check(event.decoded("DTSTART").isoformat() == event_due, f"{event_ref} on its due date ({event.decoded('DTSTART')} vs {event_due})")
    check(http("GET", server.base + "/calendar/" + "0" * 64 + ".ics")[0] == 404, "an unknown calendar token")
    # A disabled officer's feed stops at once (and enabling them again does not bring it back).
    check(cli("user", "disable", "asmith", "--as", "admin").returncode == 0, "disable the officer")
    check(http("GET", server.base + path)[0] == 404, "a disabled officer's calendar feed stops at once")
    check(cli("user", "enable", "asmith", "--as", "admin").returncode == 0, "enable the officer")
    check(http("GET", server.base + path)[0] == 404, "a re-enabled officer needs a new calendar token")
finally:
    server.stop()

# Two working days later the response is on the log, in the feed, and findable.
server = Server("2026-12-03")
try:
    driver.get(server.base + "/disclosure-log")
    main = driver.find_element(By.TAG_NAME, "main").text
    check(ref in main and "Stop and search <i>figures</i> 2025" in main, f"the published response is on the log, its title as text: {main}")
    look("log")
    driver.get(server.base + "/disclosure-log?q=stop+search")
    check(ref in driver.page_source, "the log finds it by its words")
    driver.get(server.base + "/disclosure-log?q=zebra")
    check(ref not in driver.page_source, "and not by others")
    driver.get(server.base + f"/disclosure-log/{ref}")
    check("s31" in driver.page_source and "Provided in part" in driver.page_source, "its entry page")
    look("log-entry")
    status, headers, body = http("GET", server.base + "/disclosure-log.atom")
    feed = ET.fromstring(body)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.find("a:title", ns).text for e in feed.findall("a:entry", ns)]
    check(status == 200 and any(ref in t for t in titles), f"the Atom feed has it: {titles}")
    check(MARK_NAME not in body and MARK_EMAIL not in body, "the feed names nobody")
    for path in ["/statistics", "/statistics/2026", "/statistics/2026/q4"]:
        driver.get(server.base + path)
        check("how we" in driver.page_source.lower(), f"{path} renders")
        look("statistics" + path.replace("/statistics", "").replace("/", "-"))

    # A thousand wrong codes from one address: refused after the limit, none succeeds, and
    # the right code too is refused once the limit is reached.
    outcomes = {}
    for attempt in range(1000):
        guess = "-".join("".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(4)) for _ in range(4))
        status, _, _ = http("POST", server.base + "/status", urllib.parse.urlencode({"ref": ref, "code": guess}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
        outcomes[status] = outcomes.get(status, 0) + 1
    check(outcomes.get(200, 0) == 0 and outcomes.get(429, 0) >= 950, f"1,000 wrong codes: {outcomes}")
    status, _, _ = http("POST", server.base + "/status", urllib.parse.urlencode({"ref": ref, "code": code}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 429, f"past the limit even the right code waits ({status})")
finally:
    server.stop()
    driver.quit()
    checker.quit()

print(json.dumps({"pages": pages_seen, "failures": failures}))
sys.exit(1 if failures else 0)
