#!/usr/bin/env python3
"""tests/report/timeline_browser.py BALRUN FIXTURE_DIR - the timeline in a real browser.

Runs balrun on failing, crashing and passing fixtures with --timeline, opens the page
in headless Chromium (Debian's `chromium`, offline: file://, every host name
unresolvable) and checks the screenshot, pixel by pixel where it matters:

  - every worker lane is drawn (its background at its place, its label beside it);
  - every bar wide enough to have a middle shows its outcome's colour there (somewhere in
    the 3 x 3 pixels around it: the origin is known to a pixel), and
    every thinner one leaves a mark that is neither lane nor grid;
  - the page's console stays empty: no script error.

The geometry comes from the page itself (the SVG's rect attributes), the origin of
the SVG from the screenshot (the top left pixel of the first lane's background);
bars at least 5 pixels wide are checked.
The checker checks itself first: a copy of the page with a broken script must be
caught, and a page whose bars were not drawn must fail the bar check.

Exit 0 passed, 1 failed, 77 skipped (no chromium, outside CI: CI=true makes that a
failure, and so does BALRUN_TEST_SH=1 from scripts/test.sh).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

SVG = "{http://www.w3.org/2000/svg}"
LANE_BG = (0xEC, 0xEF, 0xF1)
TICK = (0xCF, 0xD8, 0xDC)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(browser, page, png, size=(1300, 700)):
    """Load page offline, write png; return the console lines chromium logged."""
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--force-device-scale-factor=1", "--window-size=%d,%d" % size,
           "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
           "--user-data-dir=" + os.path.join(os.path.dirname(png), "profile"),
           "--screenshot=" + png, "file://" + os.path.abspath(page)]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    if not os.path.exists(png):
        sys.exit("chromium wrote no screenshot (exit %d): %s" % (p.returncode, p.stderr[-2000:]))
    return [l for l in p.stderr.splitlines() if ":CONSOLE" in l]


def read_png(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and not interlace, "unexpected PNG format %r" % (ihdr,)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def colour(hexstr):
    return tuple(int(hexstr[i:i + 2], 16) for i in (1, 3, 5))


def near(a, b, tol=6):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def origin(rows, lane0):
    """Screen position of the SVG's (0, 0), from the first lane background's top left pixel.

    The SVG may sit at a fractional offset, so its edge rows are blended: the smallest row
    and column of the background's exact colour are taken (within a pixel of the edge)."""
    xs = [x for row in rows for x, px in enumerate(row) if px == LANE_BG]
    ys = [y for y, row in enumerate(rows) if LANE_BG in row]
    if not xs:
        return None
    return min(xs) - float(lane0.get("x")), min(ys) - float(lane0.get("y"))


def check_page(page, png, console, failures, expect_bars=True):
    tree = ET.parse(page)
    lanes = tree.findall(".//%sg[@class='lane']" % SVG)
    bars = tree.findall(".//%srect[@class='test']" % SVG)
    _, _, rows = read_png(png)
    for line in console:
        failures.append("console: " + line.strip())
    if not lanes:
        failures.append("no lane in the page")
        return 0
    first = lanes[0].find("%srect[@class='lane-bg']" % SVG)
    at = origin(rows, first)
    if at is None:
        failures.append("no lane background in the screenshot")
        return 0
    ox, oy = at
    for g in lanes:
        bg = g.find("%srect[@class='lane-bg']" % SVG)
        x, y = ox + float(bg.get("x")), oy + float(bg.get("y"))
        band = range(max(int(y) - 1, 0), min(int(y + float(bg.get("height"))) + 1, len(rows)))
        if not any(LANE_BG in rows[i][int(x):int(x + float(bg.get("width")))] for i in band):
            failures.append("lane of worker %s not drawn at (%d, %d)" % (g.get("data-worker"), x, y))
        # its label: dark pixels left of the lane
        label = [rows[int(y + dy)][int(dx)] for dy in range(4, 20) for dx in range(int(ox) + 4, int(ox + 80))]
        if not any(sum(px) < 300 for px in label):
            failures.append("no label beside the lane of worker %s" % g.get("data-worker"))
    checked = 0
    for bar in bars:
        x, y = ox + float(bar.get("x")), oy + float(bar.get("y"))
        w, h = float(bar.get("width")), float(bar.get("height"))
        title = bar.find("%stitle" % SVG).text.splitlines()[0]
        mid = rows[int(y + h / 2)]
        if w < 5:
            # too thin for a clean middle: something other than the lane and its grid is there
            seen = [mid[i] for i in range(int(x) - 1, int(x + w) + 2)]
            if all(px == LANE_BG or near(px, TICK, 2) for px in seen):
                failures.append("bar of %s (%.1f px) not drawn" % (title, w))
            continue
        # the SVG's origin is known to a pixel and edges are blended: any pixel of the 3 x 3
        # around the middle in the bar's colour will do
        cx, cy = int(x + w / 2), int(y + h / 2)
        around = [rows[j][i] for j in range(cy - 1, cy + 2) for i in range(cx - 1, cx + 2)]
        checked += 1
        if not any(near(px, colour(bar.get("fill"))) for px in around):
            failures.append("bar of %s: %s at its middle, not %s" % (title, mid[cx], bar.get("fill")))
    if expect_bars and checked < 5:
        failures.append("only %d of %d bars wide enough to check their colour" % (checked, len(bars)))
    return checked


def main():
    balrun, fixtures = sys.argv[1], sys.argv[2]
    browser = chromium()
    if not browser:
        print("timeline_browser: no chromium (apt-get install chromium)")
        return 1 if os.environ.get("CI") or os.environ.get("BALRUN_TEST_SH") else 77
    tmp = tempfile.mkdtemp(prefix="balrun-tl-")
    try:
        page, report = os.path.join(tmp, "timeline.html"), os.path.join(tmp, "run.json")
        bins = [os.path.join(fixtures, b) for b in ("crit_basic", "cmocka_basic", "plain_fail", "plain_segv", "plain_skip")]
        subprocess.run([balrun, "-n", "2", "--no-cache", "-q", "--timeline", page, "--json", report] + bins,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False, timeout=300)
        run = json.load(open(report))
        outcomes = {t["outcome"] for t in run["tests"] if t["worker"] >= 0}
        if not {"passed", "failed", "crashed"} <= outcomes:
            print("timeline_browser: the fixtures no longer pass, fail and crash: %s" % sorted(outcomes))
            return 1

        # the checker itself: a script error is seen, bars not drawn are seen
        failures = []
        broken = os.path.join(tmp, "broken.html")
        with open(page) as f, open(broken, "w") as g:
            g.write(f.read().replace("</body>", "<script>no_such_function();</script></body>"))
        check_page(broken, os.path.join(tmp, "broken.png"),
                   screenshot(browser, broken, os.path.join(tmp, "broken.png")), failures)
        if not any("no_such_function" in f for f in failures):
            print("timeline_browser: a script error on the page was not seen: %s" % failures)
            return 1
        failures = []
        hidden = os.path.join(tmp, "hidden.html")
        with open(page) as f, open(hidden, "w") as g:
            g.write(f.read().replace(".test{", ".test{visibility:hidden;", 1))
        check_page(hidden, os.path.join(tmp, "hidden.png"),
                   screenshot(browser, hidden, os.path.join(tmp, "hidden.png")), failures)
        if not any(f.startswith("bar of") and "not drawn" in f for f in failures) or \
                not any(f.startswith("bar of") and "middle" in f for f in failures):
            print("timeline_browser: bars that were not drawn were not seen")
            return 1

        failures = []
        png = os.path.join(tmp, "timeline.png")
        checked = check_page(page, png, screenshot(browser, page, png), failures)
        for f in failures:
            print("timeline_browser: " + f)
        if os.environ.get("TIMELINE_PNG"):
            shutil.copy(png, os.environ["TIMELINE_PNG"])
        if failures:
            return 1
        print("timeline_browser: %d lanes, %d bars checked in the screenshot, console clean"
              % (run["workers"], checked))
        return 0
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
