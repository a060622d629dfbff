#!/usr/bin/python3
"""The report's pictures (inline SVG, issue 21 point 3) in headless Chromium.

For one report.html:
  * every <svg> of #pictures is extracted and must parse as XML (xmllint,
    after adding the SVG namespace the HTML parser implies);
  * loaded over the DevTools protocol: no request but the file itself, no
    error in the console or log;
  * each picture renders with a size: its bounding box at least 200 x 60 px,
    and its aspect ratio that of its viewBox (the browser laid it out);
  * no external references: no href/src/xlink:href attribute in any SVG,
    every url(...) a fragment of the page, no <image>, <use>,
    <foreignObject> or <script>;
  * accessibility: role="img", aria-labelledby naming its <title> and
    <desc>, and a visually hidden text equivalent with one item or more;
  * --expect TEXT (repeatable): each text appears in some picture's text
    equivalent (e.g. the two-hop chain of samples/acme);
  * --shot FILE: a screenshot (PNG) of the first picture, or of --shot-of SELECTOR.
Usage: picture_check.py --chromium PATH --out DIR [--expect T]... [--shot F] FILE.html
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp_check import WebSocket, Page, start_browser, page_target  # noqa: E402

MEASURE = r"""
(() => {
  const out = [];
  for (const svg of document.querySelectorAll('#pictures svg')) {
    const r = svg.getBoundingClientRect();
    const vb = (svg.getAttribute('viewBox') || '').split(/\s+/).map(Number);
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\s+/);
    const named = ids.map((id) => document.getElementById(id)).filter((e) => e && svg.contains(e));
    const fig = svg.closest('figure');
    const list = fig ? fig.querySelector('ul.visually-hidden') : null;
    const bad = [];
    for (const el of svg.querySelectorAll('*')) {
      const tag = el.localName;
      if (['image', 'use', 'foreignObject', 'script', 'a', 'iframe', 'style'].includes(tag))
        bad.push('<' + tag + '>');
      for (const a of el.attributes) {
        if (/^(href|src|xlink:href)$/i.test(a.name)) bad.push(tag + ' ' + a.name);
        if (/^on/i.test(a.name)) bad.push(tag + ' ' + a.name);
        const m = a.value.match(/url\(([^)]*)\)/g) || [];
        for (const u of m) if (!/^url\(#[A-Za-z0-9_-]+\)$/.test(u)) bad.push(tag + ' ' + u);
      }
    }
    const listStyle = list ? getComputedStyle(list) : null;
    out.push({
      id: fig ? fig.id : '', w: r.width, h: r.height, vbw: vb[2], vbh: vb[3],
      role: svg.getAttribute('role'), named: named.map((e) => e.localName),
      items: list ? list.querySelectorAll('li').length : 0,
      hidden: listStyle ? (listStyle.position === 'absolute' && list.getBoundingClientRect().width <= 1) : false,
      text: list ? list.textContent : '', bad: bad,
    });
  }
  return out;
})()
"""


def xml_check(path, outdir, failures):
    html = open(path, encoding="utf-8").read()
    i = html.find('id="pictures"')
    j = html.find('id="repositories"', i)
    part = html[i:j] if i >= 0 else ""
    svgs = re.findall(r"<svg\b.*?</svg>", part, re.S)
    if not svgs:
        failures.append("no <svg> in #pictures")
    for k, s in enumerate(svgs):
        f = os.path.join(outdir, "picture-%d.svg" % k)
        with open(f, "w", encoding="utf-8") as fh:
            fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            fh.write(s.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
        r = subprocess.run(["xmllint", "--noout", f], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append("svg %d is not well-formed XML: %s" % (k, r.stderr.strip()[:300]))
    return len(svgs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--shot")
    ap.add_argument("--shot-of", default="#pictures figure",
                    help="CSS selector of the element to screenshot")
    ap.add_argument("file")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    failures = []
    n_svg = xml_check(a.file, a.out, failures)
    url = "file://" + os.path.abspath(a.file)
    profile = tempfile.mkdtemp(prefix="ecr-pictures-")
    proc = ws = None
    try:
        proc, port = start_browser(a.chromium, profile)
        ws = WebSocket(page_target(port))
        page = Page(ws)
        for domain in ("Network", "Runtime", "Log", "Page"):
            page.call(domain + ".enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 1600, "deviceScaleFactor": 1, "mobile": False})
        page.call("Page.navigate", {"url": url})
        page.wait_event("Page.loadEventFired", timeout=180)
        time.sleep(0.3)
        res = page.evaluate(MEASURE)
        if len(res) != n_svg:
            failures.append("%d svg in the file, %d in the DOM" % (n_svg, len(res)))
        texts = ""
        for p in res:
            tag = p["id"] or "svg"
            if p["w"] < 200 or p["h"] < 60:
                failures.append("%s: rendered %.0f x %.0f px" % (tag, p["w"], p["h"]))
            elif p["vbw"] and abs(p["w"] / p["h"] - p["vbw"] / p["vbh"]) > 0.02:
                failures.append("%s: aspect %.3f, viewBox %.3f" %
                                (tag, p["w"] / p["h"], p["vbw"] / p["vbh"]))
            if p["role"] != "img":
                failures.append("%s: role is %r" % (tag, p["role"]))
            if sorted(p["named"]) != ["desc", "title"]:
                failures.append("%s: aria-labelledby names %s" % (tag, p["named"]))
            if p["items"] < 1 or not p["hidden"]:
                failures.append("%s: text equivalent: %d items, hidden=%s" %
                                (tag, p["items"], p["hidden"]))
            for b in p["bad"]:
                failures.append("%s: external reference or active content: %s" % (tag, b))
            texts += p["text"] + "\n"
            print("  %s: %.0f x %.0f px, %d text lines" % (tag, p["w"], p["h"], p["items"]))
        for e in a.expect:
            if e not in texts:
                failures.append("text equivalent lacks %r" % e)
        page.evaluate("1")
        for ev in page.events:
            m = ev["method"]
            prm = ev.get("params", {})
            if m == "Network.requestWillBeSent" and prm["request"]["url"] != url:
                failures.append("network request: %s" % prm["request"]["url"][:200])
            if m == "Log.entryAdded" and prm["entry"]["level"] == "error":
                failures.append("log error: %s" % prm["entry"].get("text", "")[:200])
            if m == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"):
                failures.append("console error")
        if a.shot and res:
            clip = page.evaluate("const SHOT = %s;" % json.dumps(a.shot_of) + """(() => {
              const a = document.querySelector(SHOT);
              const b = a;
              a.scrollIntoView();
              const r1 = a.getBoundingClientRect(), r2 = b.getBoundingClientRect();
              const y = r1.top + window.scrollY - 8;
              return {x: Math.max(r1.left - 8, 0), y: y,
                      width: Math.min(Math.max(r1.width, r2.width) + 16, 1280),
                      height: Math.min(r2.bottom + window.scrollY - y + 8, 4000)};
            })()""")
            clip["scale"] = 1
            shot = page.call("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                        "captureBeyondViewport": True})
            with open(a.shot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
    except Exception as e:  # noqa: BLE001
        failures.append("browser: %s" % e)
    finally:
        if ws:
            ws.close()
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    for f in failures:
        print("FAIL: " + f)
    print("%d pictures checked, %d failures" % (n_svg, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
