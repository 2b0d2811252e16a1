#!/usr/bin/env python3
"""Our image editors in headless Chromium, measured exactly as ../shared/bench/peer_ls_ui.py
measures Label Studio's, so the figures sit side by side.

The method (copied from peer_ls_ui.py, not re-invented): a fresh browser context per repetition;
open = navigation start -> the element's model holds N shapes AND its image is loaded AND two
animation frames were produced after that; settled = end of the last long task before a 1 s
quiet window; load CPU = main-thread TaskDuration (CDP Performance.getMetrics, thread-CPU time
domain) from navigation to settled; heap = JSHeapUsedSize after settling, before and after a
forced GC, plus the DOM node count. Each interaction step is the main-thread CPU delta from just
before one input event to two animation frames after it plus a fixed 50 ms (the `null` step is
the same procedure with no input: the harness floor).

Cases (each run --reps times, the median reported; the machine is shared, see --reps):
  boxes-5000    <lw-bounding-box>, a 1920x1080 PNG with 5,000 boxes (LS's largest case)
  polygons-2000 <lw-polygon>, the same image with 2,000 hexagons; also pan steps zoomed in
                until a fraction of them is in view (culling) with the count painted
  image-4000    <lw-bounding-box>, a 4000x3000 JPEG with 1,000 boxes
  image-100mp   <lw-bounding-box>, a 12000x8400 JPEG (100.8 MP) with 100 boxes
  session-200   the real labeling page of a bounding-box project on `labelworks serve` (SQLite, a
                temporary data dir): 200 tasks submitted in sequence, each with one drawn box;
                JS heap (after GC) and DOM nodes of the page and of the task frame every 20 tasks
Steps: select (mousedown on a shape, select tool), drag (3 px mousemove), drop (mouseup), zoom
(one wheel notch, deltaY=-100, over the image centre), pan (3 px mousemove of a middle-button
drag; LS's comparable step is its Shift+drag "pan_shift"), actual_size (the 1:1 button: every image
pixel on screen, a large image's full decode) and pan_1to1 (pan steps there), null. Checks per rep:
the drag changed the shape, the pan moved the view, the shapes painted zoomed in (polygons), a
screenshot's time (it waits for decoded pixels) and the RSS of all Chromium processes, at fit and
at 1:1.

Usage (the frontend built first: cd frontend && npm run build):
  .venv/bin/python bench/image_editor_ui.py --reps 3 --out bench/results/image-editor-ui.json
  .venv/bin/python bench/image_editor_ui.py --cases session-200 --out bench/results/image-editor-session.json
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import math
import shutil
import statistics
import struct
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src/labelworks/web/static"
IMG_W, IMG_H = 1920, 1080
LABELS = ["Car", "Person", "Sign"]
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
QUIET_MS = 1000
STEP_SETTLE_S = 0.05

# ----------------------------------------------------------------------------- data


def med(xs: list[Any]) -> float | None:
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 2) if xs else None


def mx(xs: list[Any]) -> float | None:
    xs = [x for x in xs if x is not None]
    return round(max(xs), 2) if xs else None


def write_png(path: Path, w: int = IMG_W, h: int = IMG_H) -> None:
    """peer_ls_ui.py's test image: a plain RGB PNG, a gradient with a grid."""
    rows = []
    for y in range(h):
        row = bytearray(b"\x00")
        for x in range(w):
            g = 255 if (x % 96 == 0 or y % 108 == 0) else 0
            row += bytes(((x * 255) // w, g or (y * 255) // h, 128))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def write_jpeg(path: Path, w: int, h: int) -> None:
    """A large photo-like JPEG (gradients, a grid, discs) generated with Pillow."""
    from PIL import Image, ImageDraw

    small = Image.linear_gradient("L").resize((w, h))
    img = Image.merge("RGB", (small, small.transpose(Image.Transpose.ROTATE_180), Image.new("L", (w, h), 128)))
    d = ImageDraw.Draw(img)
    step = max(64, w // 40)
    for x in range(0, w, step):
        d.line([(x, 0), (x, h)], fill=(255, 255, 255), width=3)
    for y in range(0, h, step):
        d.line([(0, y), (w, y)], fill=(255, 255, 255), width=3)
    for i in range(60):
        cx, cy, r = (i * 977) % w, (i * 613) % h, step // 2
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=((i * 40) % 255, 90, (i * 90) % 255))
    img.save(path, quality=85)


def grid(n: int, w: int, h: int) -> tuple[int, float, float]:
    """peer_ls_ui.py's layout: a near-square grid of n cells over a w x h image."""
    cols = 1
    while cols * cols * h / w < n:
        cols += 1
    rows = -(-n // cols)
    return cols, w / cols, h / rows


def boxes(n: int, w: int, h: int) -> dict[str, Any]:
    """n boxes, each filling 70 % of its grid cell (as LS's case), in Ground Truth's shape."""
    cols, cw, ch = grid(n, w, h)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        out.append({"label": LABELS[i % 3], "left": round(c * cw + 0.15 * cw, 2), "top": round(r * ch + 0.15 * ch, 2),
                    "width": round(0.7 * cw, 2), "height": round(0.7 * ch, 2)})
    return {"boundingBoxes": out, "inputImageProperties": {"width": w, "height": h}}


def hexagons(n: int, w: int, h: int) -> dict[str, Any]:
    """n hexagons (six vertices each), one per grid cell, 70 % of its size."""
    cols, cw, ch = grid(n, w, h)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        cx, cy, rx, ry = (c + 0.5) * cw, (r + 0.5) * ch, 0.35 * cw, 0.35 * ch
        out.append({"label": LABELS[i % 3], "vertices": [
            {"x": round(cx + rx * math.cos(k * math.pi / 3), 2), "y": round(cy + ry * math.sin(k * math.pi / 3), 2)}
            for k in range(6)]})
    return {"polygons": out, "inputImageProperties": {"width": w, "height": h}}


def page_html(element: str, src: str, value: dict[str, Any]) -> str:
    from html import escape

    return f"""<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script src="/static/dist/elements.js"></script>
<style>body{{margin:0;font-family:system-ui}} {element}{{display:block;margin:8px}}</style></head>
<body><{element} name="regions" src="{src}" labels='{json.dumps(LABELS)}'
 initial-value="{escape(json.dumps(value))}"></{element}></body></html>"""


# ----------------------------------------------------------------------------- browser side (peer_ls_ui.py's)

INIT_JS = """
(() => {
  window.__lt = [];
  try {
    new PerformanceObserver(l => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.duration]); })
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  window.__raf2 = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))));
  window.__el = () => document.querySelector('[name=regions]');
})();
"""

READY_JS = """(n) => {
  const el = window.__el(); const ed = el && el.editor;
  return !!ed && ed.model.size >= n && ed.model.image.width > 0;
}"""

SETTLE_JS = """async ([quiet, cap, since]) => {
  const t0 = performance.now();
  for (;;) {
    const lt = window.__lt.length ? window.__lt[window.__lt.length - 1] : null;
    const lastEnd = lt ? Math.max(lt[0] + lt[1], since) : since;
    const now = performance.now();
    if (now - lastEnd >= quiet) return {lastEnd, capped: false, nlong: window.__lt.length};
    if (now - t0 > cap) return {lastEnd, capped: true, nlong: window.__lt.length};
    await new Promise(r => setTimeout(r, 100));
  }
}"""


class Tab:
    """One fresh browser context + page + two CDP sessions (wall-time and thread-CPU metrics)."""

    def __init__(self, browser: Any, viewport: dict[str, int], state: Any = None):
        self.ctx = browser.new_context(viewport=viewport, storage_state=state)
        self.ctx.add_init_script(INIT_JS)
        self.page = self.ctx.new_page()
        self.cdp = self.ctx.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.cdp_cpu = self.ctx.new_cdp_session(self.page)
        self.cdp_cpu.send("Performance.enable", {"timeDomain": "threadTicks"})

    def metrics(self) -> dict[str, float]:
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def thread_cpu(self) -> float:
        ms = self.cdp_cpu.send("Performance.getMetrics")["metrics"]
        return float(next(m["value"] for m in ms if m["name"] == "TaskDuration"))

    def heap(self) -> dict[str, Any]:
        before = self.metrics()["JSHeapUsedSize"]
        self.cdp.send("HeapProfiler.enable")
        self.cdp.send("HeapProfiler.collectGarbage")
        m = self.metrics()
        return {"heap_used_mb": round(before / 2**20, 1),
                "heap_used_after_gc_mb": round(m["JSHeapUsedSize"] / 2**20, 1),
                "heap_total_mb": round(m["JSHeapTotalSize"] / 2**20, 1),
                "dom_nodes": int(m.get("Nodes", 0))}

    def step(self, action: Callable[[], Any]) -> dict[str, float]:
        nlt = self.page.evaluate("window.__lt.length")
        td0 = self.metrics()["TaskDuration"]
        tc0 = self.thread_cpu()
        w0 = time.perf_counter()
        action()
        self.page.evaluate("window.__raf2()")
        w1 = time.perf_counter()
        time.sleep(STEP_SETTLE_S)
        td1 = self.metrics()["TaskDuration"]
        tc1 = self.thread_cpu()
        lts = self.page.evaluate(f"window.__lt.slice({nlt}).map(e => e[1])")
        return {"cpu_ms": (td1 - td0) * 1000, "thread_cpu_ms": (tc1 - tc0) * 1000, "wall_ms": (w1 - w0) * 1000,
                "max_longtask_ms": max(lts) if lts else 0.0}

    def close(self) -> None:
        self.ctx.close()


def open_and_settle(tab: Tab, url: str, n: int, timeout_s: float) -> dict[str, Any]:
    page = tab.page
    page.set_default_timeout(timeout_s * 1000)
    res: dict[str, Any] = {}
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function(READY_JS, arg=n, polling=50, timeout=timeout_s * 1000)
        res["open_ms"] = round(page.evaluate("window.__raf2()"), 1)
    except Exception as e:  # timeout / crash: recorded, not fatal
        res["error"] = f"open: {type(e).__name__}: {str(e).splitlines()[0][:200]}"
        return res
    s = page.evaluate(SETTLE_JS, [QUIET_MS, timeout_s * 1000, res["open_ms"]])
    res["settled_ms"] = round(s["lastEnd"], 1)
    res["settle_capped"] = s["capped"]
    res["long_tasks"] = s["nlong"]
    lts = page.evaluate("window.__lt.map(e => e[1])")
    res["max_longtask_ms"] = round(max(lts), 1) if lts else 0.0
    res["load_cpu_ms"] = round(tab.metrics()["TaskDuration"] * 1000, 1)
    res["load_thread_cpu_ms"] = round(tab.thread_cpu() * 1000, 1)
    res.update(tab.heap())
    return res


def summarise_steps(samples: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    return {k: {"n": len(xs),
                "cpu_ms_median": med([x["cpu_ms"] for x in xs]),
                "cpu_ms_max": mx([x["cpu_ms"] for x in xs]),
                "thread_cpu_ms_median": med([x.get("thread_cpu_ms") for x in xs]),
                "wall_ms_median": med([x["wall_ms"] for x in xs]),
                "max_longtask_ms": mx([x["max_longtask_ms"] for x in xs])}
            for k, xs in samples.items()}


# ----------------------------------------------------------------------------- interactions

GEO_JS = """(kind) => {
  const el = window.__el(); const ed = el.editor;
  const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();
  const v = ed.view.viewport;
  let cx, cy;
  if (kind === 'boxes') {
    const bs = ed.model.boxes; const b = bs[Math.floor(bs.length / 2)];
    cx = b.left + b.width / 2; cy = b.top + b.height / 2;
  } else {
    const ss = ed.model.shapes; const s = ss[Math.floor(ss.length / 2)];
    cx = s.points.reduce((a, p) => a + p.x, 0) / s.points.length;
    cy = s.points.reduce((a, p) => a + p.y, 0) / s.points.length;
  }
  return {left: r.left, top: r.top, w: r.width, h: r.height, sx: r.left + v.x + cx * v.scale,
          sy: r.top + v.y + cy * v.scale, scale: v.scale};
}"""

# The dragged shape, to check that the drag changed it (at fit zoom a 5,000-box grid's boxes are
# ~9 px wide, so the press lands on a resize handle: the drag resizes it, as a drag in LS may).
MOVED_JS = """(kind) => {
  const ed = window.__el().editor;
  if (kind === 'boxes') { const bs = ed.model.boxes; return JSON.stringify(bs[Math.floor(bs.length / 2)]); }
  const ss = ed.model.shapes; return JSON.stringify(ss[Math.floor(ss.length / 2)].points);
}"""


def interactions(kind: str) -> Callable[[Tab, int, float], dict[str, list[dict[str, Any]]]]:
    def run(tab: Tab, k: int, deadline: float) -> dict[str, list[dict[str, Any]]]:
        page, m = tab.page, tab.page.mouse
        s: dict[str, list[dict[str, Any]]] = {"null": [tab.step(lambda: None) for _ in range(k)],
                                              "select": [], "drag": [], "drop": [], "zoom": [], "pan": []}
        page.evaluate("() => window.__el().editor.setTool('select')")
        g = page.evaluate(GEO_JS, kind)
        x0 = page.evaluate(MOVED_JS, kind)
        m.move(g["sx"], g["sy"])
        page.evaluate("window.__raf2()")
        s["select"].append(tab.step(lambda: m.down()))
        x = g["sx"]
        for _ in range(k):
            if time.monotonic() > deadline:
                break
            x += 3
            s["drag"].append(tab.step(lambda x=x: m.move(x, g["sy"])))
        s["drop"].append(tab.step(lambda: m.up()))
        moved = page.evaluate(MOVED_JS, kind) != x0
        zx, zy = g["left"] + g["w"] / 2, g["top"] + g["h"] / 2
        m.move(zx, zy)
        for _ in range(k):
            if time.monotonic() > deadline:
                break
            s["zoom"].append(tab.step(lambda: m.wheel(0, -100)))
        page.wait_for_timeout(300)  # the box view's settle repaint after a wheel burst
        scale = page.evaluate("() => window.__el().editor.view.viewport.scale")
        p0 = page.evaluate("() => window.__el().editor.view.viewport.x")
        m.down(button="middle")
        x = zx
        for i in range(k):
            if time.monotonic() > deadline:
                break
            x += 3 if i % 2 == 0 else -2
            s["pan"].append(tab.step(lambda x=x: m.move(x, zy)))
        m.up(button="middle")
        p1 = page.evaluate("() => window.__el().editor.view.viewport.x")
        painted = page.evaluate("() => window.__el().editor.view.drawnCount") if kind == "shapes" else None
        # 1:1 (the "1:1" button: every image pixel on screen, the full decode of a large image), then pan there.
        s["actual_size"] = [tab.step(lambda: page.evaluate("() => window.__el().editor.controller.actualSize()"))]
        m.down(button="middle")
        s["pan_1to1"] = []
        for i in range(k):
            if time.monotonic() > deadline:
                break
            x += 3 if i % 2 == 0 else -2
            s["pan_1to1"].append(tab.step(lambda x=x: m.move(x, zy)))
        m.up(button="middle")
        t0 = time.perf_counter()
        page.screenshot()
        shot_1to1_ms = round((time.perf_counter() - t0) * 1000, 1)
        checks: dict[str, Any] = {"drag_changed_shape": moved, "scale_after_zoom": scale, "pan_dx": p1 - p0,
                                  "screenshot_1to1_ms": shot_1to1_ms, "chromium_rss_mb_1to1": chromium_rss_mb()}
        if kind == "shapes":
            checks["painted_zoomed_in"] = painted
        s["_checks"] = [checks]
        return s

    return run


def run_case(browser: Any, viewport: dict[str, int], url: str, n: int, kind: str, reps: int, steps: int,
             timeout_s: float, screenshot: Path | None) -> dict[str, Any]:
    opens: list[dict[str, Any]] = []
    inter: dict[str, list[dict[str, Any]]] = {}
    for r in range(reps):
        tab = Tab(browser, viewport)
        try:
            o = open_and_settle(tab, url, n, timeout_s)
            if "error" not in o:
                # The image may still be undecoded (Chromium decodes off the main thread, when first
                # drawn): a screenshot waits for real pixels. And the memory of every Chromium process.
                t0 = time.perf_counter()
                tab.page.screenshot(path=str(screenshot) if screenshot and r == 0 else None)
                o["screenshot_ms"] = round((time.perf_counter() - t0) * 1000, 1)
                o["chromium_rss_mb"] = chromium_rss_mb()
            opens.append(o)
            print(f"    rep {r}: {o}", flush=True)
            if "error" in o:
                continue
            for key, v in interactions(kind)(tab, steps, time.monotonic() + timeout_s).items():
                inter.setdefault(key, []).extend(v)
        except Exception as e:
            opens.append({"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"})
            print(f"    rep {r}: ERROR {opens[-1]['error']}", flush=True)
        finally:
            tab.close()
    ok = [o for o in opens if "error" not in o]
    summary: dict[str, Any] = {"reps": reps, "errors": [o["error"] for o in opens if "error" in o], "runs": opens}
    for key in ("open_ms", "settled_ms", "load_cpu_ms", "load_thread_cpu_ms", "max_longtask_ms", "heap_used_mb",
                "heap_used_after_gc_mb", "dom_nodes", "screenshot_ms", "chromium_rss_mb"):
        summary[key + "_median"] = med([o.get(key) for o in ok])
    summary["steps"] = summarise_steps({k: v for k, v in inter.items() if not k.startswith("_")})
    summary["checks"] = inter.get("_checks", [])
    return summary


def chromium_rss_mb() -> float:
    """Resident memory of every process this script started (the browser, its renderers, its GPU process)."""
    import psutil

    total = 0
    for p in psutil.Process().children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return round(total / 2**20, 1)


# ----------------------------------------------------------------------------- static server


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def serve_dir(d: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    srv = _QuietServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(d)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, int(srv.server_address[1])


# ----------------------------------------------------------------------------- main

CASES = ("boxes-5000", "polygons-2000", "image-4000", "image-100mp", "session-200")


def print_table(results: dict[str, Any]) -> None:
    print(f"\n{'case':15} {'open ms':>9} {'load cpu':>9} {'heap MB':>8} {'select':>7} {'drag':>6} {'drop':>6} "
          f"{'zoom':>6} {'pan':>6} {'1:1':>6} {'pan1:1':>6} {'null':>6}   (main-thread thread-CPU ms, median)")
    for name, r in results["cases"].items():
        if name == "session-200":
            continue
        st = r.get("steps", {})

        def c(k: str) -> str:
            v = st.get(k, {}).get("thread_cpu_ms_median")
            return "-" if v is None else f"{v:.1f}"

        print(f"{name:15} {r.get('open_ms_median') or '-':>9} {r.get('load_thread_cpu_ms_median') or '-':>9} "
              f"{r.get('heap_used_mb_median') or '-':>8} {c('select'):>7} {c('drag'):>6} {c('drop'):>6} {c('zoom'):>6} "
              f"{c('pan'):>6} {c('actual_size'):>6} {c('pan_1to1'):>6} {c('null'):>6}")
    s = results["cases"].get("session-200")
    if s:
        print("\nsession: task, heap after GC MB, page DOM nodes")
        for x in s["samples"]:
            print(f"  {x['task']:4} {x['heap_after_gc_mb']:8} {x['page_dom_nodes']:8}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    ap.add_argument("--reps", type=int, default=3, help="fresh browser contexts per case (median reported)")
    ap.add_argument("--steps", type=int, default=10, help="input events per step kind per rep")
    ap.add_argument("--session-tasks", type=int, default=200)
    ap.add_argument("--session-every", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--screenshots", type=Path, help="a folder for one PNG per case")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    if not (STATIC / "dist/elements.js").exists():
        sys.exit("error: src/labelworks/web/static/dist/elements.js is missing: cd frontend && npm run build")
    sys.path.insert(0, str(ROOT / "tests"))
    viewport = {"width": a.width, "height": a.height}
    tmp = Path(tempfile.mkdtemp(prefix="lw-editor-bench-"))
    (tmp / "static").symlink_to(STATIC)
    if a.screenshots:
        a.screenshots.mkdir(parents=True, exist_ok=True)
    plan: dict[str, tuple[str, str, Any, int, str]] = {}
    if "boxes-5000" in a.cases or "polygons-2000" in a.cases:
        write_png(tmp / "img.png")
    if "boxes-5000" in a.cases:
        plan["boxes-5000"] = ("lw-bounding-box", "img.png", boxes(5000, IMG_W, IMG_H), 5000, "boxes")
    if "polygons-2000" in a.cases:
        plan["polygons-2000"] = ("lw-polygon", "img.png", hexagons(2000, IMG_W, IMG_H), 2000, "shapes")
    if "image-4000" in a.cases:
        write_jpeg(tmp / "big4000.jpg", 4000, 3000)
        plan["image-4000"] = ("lw-bounding-box", "big4000.jpg", boxes(1000, 4000, 3000), 1000, "boxes")
    if "image-100mp" in a.cases:
        t0 = time.perf_counter()
        write_jpeg(tmp / "big100mp.jpg", 12000, 8400)
        print(f"100 MP JPEG written in {time.perf_counter() - t0:.1f} s "
              f"({(tmp / 'big100mp.jpg').stat().st_size / 2**20:.1f} MiB)", flush=True)
        plan["image-100mp"] = ("lw-bounding-box", "big100mp.jpg", boxes(100, 12000, 8400), 100, "boxes")
    for name, (element, src, value, _, _) in plan.items():
        (tmp / f"{name}.html").write_text(page_html(element, f"/{src}", value))
    srv, port = serve_dir(tmp)
    results: dict[str, Any] = {"viewport": viewport, "chromium": a.chromium, "args": CHROME_ARGS, "reps": a.reps,
                               "steps": a.steps, "cases": {}}
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=a.chromium, args=CHROME_ARGS, headless=True)
            results["browser_version"] = browser.version
            for name, (element, src, value, n, kind) in plan.items():
                print(f"{name}: <{element}> {src}, {n} shapes", flush=True)
                shot = a.screenshots / f"{name}.png" if a.screenshots else None
                results["cases"][name] = run_case(browser, viewport, f"http://127.0.0.1:{port}/{name}.html", n, kind,
                                                  a.reps, a.steps, a.timeout, shot)
                a.out.write_text(json.dumps(results, indent=1))
            if "session-200" in a.cases:
                print(f"session-200: {a.session_tasks} tasks through /label/<project>", flush=True)
                from image_session_ui import session_200  # its own module: the long session case

                results["cases"]["session-200"] = session_200(browser, viewport, tmp, a.session_tasks,
                                                              a.session_every, a.timeout)
            browser.close()
    finally:
        srv.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=1))
    print_table(results)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
