#!/usr/bin/python3
"""Load ecraudit HTML reports in headless Chromium through the DevTools
protocol and fail on anything a self-contained, script-safe page must not do.

Standard library only (the WebSocket client is written out below).

For each report file:
  * Network, Runtime, Log and Page domains are enabled before navigation;
    any request other than the file itself fails the check (CSS, fonts,
    images, favicons, prefetches ... everything);
  * any Runtime.exceptionThrown, console error/assert, Log entry of level
    error (CSP violations, Trusted Types violations) or JavaScript dialog
    (alert from an injected payload) fails the check;
  * the page's own script is exercised: every sort button, the filter, the
    severity select, expand/collapse; the filter must actually filter;
  * after all that, the DOM must hold no <img>, no on* attribute and only
    the report's own <script>;
  * the page is printed to PDF (Page.printToPDF) and the PDF's text must
    contain the sections and the finding details;
  * the same file is loaded again with JavaScript disabled and its DOM must
    hold every section and finding.
Usage: cdp_check.py --chromium PATH --out DIR FILE.html [FILE.html ...]
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

SECTIONS = ["scope", "summary", "findings", "repositories", "principals", "exceptions",
            "coverage", "evidence", "signoff"]


class WebSocket:
    """Minimal RFC 6455 client: text frames, masking, fragmentation, ping."""

    def __init__(self, url, timeout=300):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        if not m:
            raise ValueError("unexpected websocket url " + url)
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key))
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError("websocket handshake failed: %r" % head[:200])

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("websocket closed")
            buf += chunk
        return buf

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _send_control(self, opcode, payload=b""):
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv_exact(8))[0]
            mask = self._recv_exact(4) if b1 & 0x80 else None
            data = self._recv_exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if opcode == 0x9:  # ping
                self._send_control(0xA, data)
                continue
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            if opcode in (0x0, 0x1, 0x2):
                message += data
                if fin:
                    return message.decode("utf-8")

    def close(self):
        try:
            self._send_control(0x8)
        except OSError:
            pass
        self.sock.close()


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, timeout=120):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params or {}}))
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def wait_event(self, name, timeout=120):
        for i, ev in enumerate(self.events):
            if ev["method"] == name:
                del self.events[i]
                return ev
        self.ws.sock.settimeout(timeout)
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                if msg["method"] == name:
                    return msg
                self.events.append(msg)
        raise TimeoutError(name)

    def evaluate(self, expr, timeout=120):
        res = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                             "awaitPromise": True}, timeout)
        if "exceptionDetails" in res:
            raise RuntimeError("evaluate failed: %s" % json.dumps(res["exceptionDetails"])[:500])
        return res["result"].get("value")


def start_browser(chromium, profile):
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--remote-debugging-port=0",
            "--user-data-dir=" + profile, "about:blank"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(port_file):
            lines = open(port_file).read().split("\n")
            if lines and lines[0].strip().isdigit():
                return proc, int(lines[0])
        if proc.poll() is not None:
            raise RuntimeError("chromium exited with %d" % proc.returncode)
        time.sleep(0.1)
    proc.kill()
    raise TimeoutError("chromium did not open its debugging port")


def page_target(port):
    deadline = time.time() + 30
    while time.time() < deadline:
        with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as r:
            targets = json.load(r)
        for t in targets:
            if t.get("type") == "page":
                return t["webSocketDebuggerUrl"]
        time.sleep(0.2)
    raise RuntimeError("no page target")


INTERACT = r"""
(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const out = {};
  const findings = document.querySelectorAll('tbody.finding');
  out.findings = findings.length;
  out.tools = document.querySelectorAll('#findings-tools input, #findings-tools select').length;
  const buttons = Array.from(document.querySelectorAll('th button.sort'));
  out.sortButtons = buttons.length;
  if (!LIGHT) for (const b of buttons) { b.click(); b.click(); }
  /* sort the failing findings by severity, ascending: critical first */
  const failTable = document.querySelector('#findings-fail table');
  if (failTable) {
    const sevButton = failTable.tHead.rows[0].cells[1].querySelector('button');
    sevButton.click();
    if (failTable.tHead.rows[0].cells[1].getAttribute('aria-sort') !== 'ascending') sevButton.click();
    out.firstSeverity = failTable.tBodies[0].getAttribute('data-severity');
    sevButton.click();
    out.firstSeverityDesc = failTable.tBodies[0].getAttribute('data-severity');
  }
  const input = document.querySelector('#findings-tools input');
  const select = document.querySelector('#findings-tools select');
  if (input) {
    const target = findings[findings.length - 1].id;
    input.value = target;
    input.dispatchEvent(new Event('input'));
    await sleep(400);
    out.visibleForId = Array.from(findings).filter((t) => !t.hidden).length;
    input.value = '<img src=x onerror=alert(1)>';
    input.dispatchEvent(new Event('input'));
    await sleep(400);
    out.visibleForHostile = Array.from(findings).filter((t) => !t.hidden).length;
    input.value = '';
    input.dispatchEvent(new Event('input'));
    await sleep(400);
    select.value = 'critical';
    select.dispatchEvent(new Event('change'));
    out.visibleCritical = Array.from(findings).filter((t) => !t.hidden).length;
    select.value = '';
    select.dispatchEvent(new Event('change'));
    out.visibleAll = Array.from(findings).filter((t) => !t.hidden).length;
    out.status = document.querySelector('#findings-tools output').textContent;
  }
  const toolButtons = document.querySelectorAll('#findings-tools button');
  if (toolButtons.length >= 2) {
    toolButtons[0].click();
    out.openAfterExpand = document.querySelectorAll('tbody.finding details[open]').length;
    toolButtons[1].click();
    out.openAfterCollapse = document.querySelectorAll('tbody.finding details[open]').length;
  }
  out.details = document.querySelectorAll('tbody.finding details').length;
  location.hash = '#' + findings[0].id;
  await sleep(100);
  out.targetOpen = !!findings[0].querySelector('details[open]') || !findings[0].querySelector('details');
  out.imgs = document.querySelectorAll('img, iframe, object, embed').length;
  out.handlers = Array.from(document.querySelectorAll('*')).filter(
      (e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length;
  out.scripts = document.scripts.length;
  out.title = document.title;
  out.lang = document.documentElement.lang;
  out.bodyText = document.body.innerText.length;
  return out;
})()
"""


# At 400 px (a phone): nothing wider than the viewport outside a scrolling
# table wrapper, no heading overlapping the element after it, and the words
# of the access-level column, of headings and of table headers never broken
# across lines (each word one line box: no "W/r/i/t/e" one letter a line).
NARROW = r"""
(() => {
  const W = window.innerWidth, out = {width: W, overflow: [], overlap: [], broken: []};
  const scroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const label = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
      ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  out.scrollWidth = document.documentElement.scrollWidth;
  for (const el of document.querySelectorAll('body *')) {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || cs.position === 'absolute') continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if ((r.right > W + 0.5 || r.left < -0.5) && !scroller(el)) out.overflow.push(label(el));
    if (out.overflow.length > 20) break;
  }
  for (const h of document.querySelectorAll('h1, h2, h3, .eyebrow, .subtitle, .age-warning')) {
    const n = h.nextElementSibling;
    if (!n || getComputedStyle(n).display === 'none') continue;
    const a = h.getBoundingClientRect(), b = n.getBoundingClientRect();
    if (!b.height) continue;
    if (a.bottom > b.top + 0.5 && a.top < b.bottom && a.left < b.right && b.left < a.right)
      out.overlap.push(label(h) + ' / ' + label(n));
  }
  const words = (el) => {
    const tw = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let t; (t = tw.nextNode());) {
      const re = /\S+/g;
      for (let m; (m = re.exec(t.data));) {
        if (m[0].length > 24) continue; /* ARNs may wrap at their separators */
        const rg = document.createRange();
        rg.setStart(t, m.index);
        rg.setEnd(t, m.index + m[0].length);
        const lines = new Set([...rg.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top)));
        if (lines.size > 1) out.broken.push(m[0] + ' in ' + label(el));
      }
    }
  };
  out.levels = 0;
  for (const row of document.querySelectorAll('table.findings tr.row')) {
    const td = row.children[3];
    if (td) { words(td); out.levels++; }
    if (out.levels > 400) break;
  }
  for (const el of document.querySelectorAll('h1, h2, h3, .card-label, caption, dt')) words(el);
  out.overflow = out.overflow.slice(0, 20);
  out.broken = out.broken.slice(0, 20);
  return out;
})()
"""


def narrow(page, name, outdir, fail):
    """The 400 px checks and screenshots at 1366 and 400 px (for review)."""
    for width in (1366, 400):
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        time.sleep(0.3)
        page.evaluate("window.scrollTo(0, 0)")
        if width == 400:
            res = page.evaluate(NARROW)
            if res["scrollWidth"] > res["width"] + 1:
                fail("400 px: the page is %d px wide" % res["scrollWidth"])
            for o in res["overflow"]:
                fail("400 px: wider than the viewport: %s" % o)
            for o in res["overlap"]:
                fail("400 px: heading overlaps what follows: %s" % o)
            for o in res["broken"]:
                fail("400 px: word broken across lines: %s" % o)
            if not res["levels"]:
                fail("400 px: no access-level cells measured")
        height = page.evaluate("Math.min(document.documentElement.scrollHeight, 12000)")
        shot = page.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        with open(os.path.join(outdir, "%s.%d.png" % (name, width)), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    page.call("Emulation.setDeviceMetricsOverride",
              {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False})


def check_file(chromium, path, outdir, failures, light=False):
    name = os.path.splitext(os.path.basename(path))[0]
    url = "file://" + os.path.abspath(path)
    profile = tempfile.mkdtemp(prefix="ecr-chromium-")
    proc = None
    ws = None

    def fail(msg):
        failures.append("%s: %s" % (os.path.basename(path), msg))

    t0 = time.time()

    def step(what):
        print("  %6.1fs %s: %s" % (time.time() - t0, os.path.basename(path), what), flush=True)

    try:
        proc, port = start_browser(chromium, profile)
        ws = WebSocket(page_target(port))
        page = Page(ws)
        for domain in ("Network", "Runtime", "Log", "Page"):
            page.call(domain + ".enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False})
        step("navigate")
        page.call("Page.navigate", {"url": url})
        page.wait_event("Page.loadEventFired", timeout=180)
        step("loaded; interacting")
        t_load = time.time() - t0
        result = page.evaluate("const LIGHT = %s;" % ("true" if light else "false") + INTERACT,
                               timeout=600)
        time.sleep(0.3)
        page.evaluate("1")  # drain events emitted by the interaction

        n = result.get("findings", 0)
        if n == 0:
            fail("no findings rendered")
        if result.get("lang") != "en":
            fail("lang is %r" % result.get("lang"))
        if result.get("tools") != 2:
            fail("the filter controls were not built (script blocked or broken?)")
        if result.get("sortButtons", 0) < 7:
            fail("sortable headers missing (%s)" % result.get("sortButtons"))
        if result.get("firstSeverity") != "critical":
            fail("sorting by severity puts %r first" % result.get("firstSeverity"))
        if result.get("firstSeverityDesc") == "critical":
            fail("descending sort still puts critical first")
        if result.get("visibleForId") != 1:
            fail("filtering by a finding id shows %s findings" % result.get("visibleForId"))
        if result.get("visibleAll") != n:
            fail("clearing the filter shows %s of %d" % (result.get("visibleAll"), n))
        if not result.get("visibleCritical") or result.get("visibleCritical") >= n:
            fail("severity filter shows %s of %d" % (result.get("visibleCritical"), n))
        if result.get("details") and result.get("openAfterExpand") != result.get("details"):
            fail("expand all opened %s of %s" % (result.get("openAfterExpand"), result.get("details")))
        if result.get("openAfterCollapse") != 0:
            fail("collapse all left %s open" % result.get("openAfterCollapse"))
        if not result.get("targetOpen"):
            fail("navigating to a finding id did not open its details")
        if result.get("imgs") or result.get("handlers"):
            fail("injected elements or handlers in the DOM: %s" % result)
        if result.get("scripts") != 1:
            fail("%s scripts in the page" % result.get("scripts"))

        pdf_path = "(not printed)"
        if not light:
            step("printing")
            # Print to PDF ("Print to PDF" in a browser uses the print stylesheet).
            pdf = page.call("Page.printToPDF", {"printBackground": True,
                                                "preferCSSPageSize": True}, timeout=300)
            pdf_path = os.path.join(outdir, name + ".print.pdf")
            with open(pdf_path, "wb") as f:
                f.write(base64.b64decode(pdf["data"]))

        step("screenshot")
        # Full-page screenshot for a person to look at.
        page.evaluate("window.scrollTo(0, 0)")
        height = page.evaluate("Math.min(document.documentElement.scrollHeight, 16000)")
        shot = page.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
        with open(os.path.join(outdir, name + ".full.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))

        if not light:
            step("narrow layout (400 px)")
            narrow(page, name, outdir, fail)

        step("reload without JavaScript")
        # JavaScript off: the content is all there.
        page.call("Emulation.setScriptExecutionDisabled", {"value": True})
        page.call("Page.navigate", {"url": "about:blank"})
        page.wait_event("Page.loadEventFired", timeout=60)
        page.call("Page.navigate", {"url": url})
        page.wait_event("Page.loadEventFired", timeout=180)
        doc = page.call("DOM.getDocument", {"depth": 0})
        html = page.call("DOM.getOuterHTML", {"nodeId": doc["root"]["nodeId"]})["outerHTML"]
        for sec in SECTIONS:
            if 'id="%s"' % sec not in html:
                fail("JavaScript off: section %s missing" % sec)
        if html.count('class="finding ') != n:
            fail("JavaScript off: %d findings instead of %d" % (html.count('class="finding '), n))
        if "Showing " in html and "findings</output>" in html:
            fail("JavaScript off: the script still ran")

        # Everything that happened on the way.
        page.evaluate("1")
        for ev in page.events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Network.requestWillBeSent":
                req_url = p.get("request", {}).get("url", "")
                if req_url.split("#")[0] not in (url, "about:blank"):
                    fail("network request: %s" % req_url)
            elif m == "Runtime.exceptionThrown":
                fail("script error: %s" % json.dumps(p.get("exceptionDetails"))[:400])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                fail("console %s: %s" % (p.get("type"), json.dumps(p.get("args"))[:300]))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                fail("log %s: %s" % (p["entry"]["level"], p["entry"].get("text", "")[:300]))
            elif m == "Page.javascriptDialogOpening":
                fail("a dialog opened: %s" % p.get("message"))
        print("%s: %d findings, %d with details, loaded in %.1fs, checks done, pdf %s" % (
            os.path.basename(path), n, result.get("details", 0), t_load, pdf_path))
    except Exception as e:  # noqa: BLE001 - report any harness failure as a failure
        fail("%s: %s" % (type(e).__name__, e))
    finally:
        if ws:
            ws.close()
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--out", required=True)
    ap.add_argument("--light", action="store_true",
                    help="large reports: one sort instead of every column, no print")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failures = []
    for f in args.files:
        check_file(args.chromium, f, args.out, failures, args.light)
    for msg in failures:
        print("FAIL " + msg)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
