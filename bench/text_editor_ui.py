#!/usr/bin/env python3
"""Our span editor (<lw-entity-annotation>) in headless Chromium, measured exactly as
../shared/bench/peer_ls_ui.py measures Label Studio's NER editor, on the SAME document: its own
generator (`ner_text_and_results(200, 2000)`: ~200 KB of English-like text in paragraphs with
2,000 one- or two-word spans, labels PER/ORG/LOC/MISC), imported from that script.

The method (peer_ls_ui.py's, shared with bench/image_editor_ui.py): a fresh browser context per
repetition; open = navigation start -> the element's model holds the 2,000 spans AND 2,000 span
starts are in the DOM AND two animation frames were produced after that; settled = end of the last
long task before a 1 s quiet window; load CPU = main-thread TaskDuration (CDP Performance.getMetrics,
thread-CPU time domain) from navigation to settled; heap = JSHeapUsedSize after settling, before and
after a forced GC, plus the DOM node count. Each step is the main-thread CPU delta from just before
one input event to two animation frames after it plus a fixed 50 ms (`null`: the same procedure with
no input, the harness floor).

Steps, per iteration i (as LS's text_interactions: arm a label, drag-select ~20 characters of
unlabelled visible text, then click an existing span):
  label               click label button i % 4 (nothing selected: it arms the label, as in LS)
  create_mouseup      the mouseup of the drag (mousedown, 3 moves, mouseup): the span is created
  create_gesture      the whole drag, as LS's select_span_gesture (TaskDuration delta)
  relabel             key "1"-"4" on the new (selected) span: another label
  delete              Delete on it (the document keeps its 2,000 spans)
  select              click an existing span on screen (LS's click_span)
  scroll              one wheel notch (deltaY=100) over the text
Checks per rep: spans created, relabelled, deleted and selected as asked.

Usage (the frontend built first: cd frontend && npm run build):
  .venv/bin/python bench/text_editor_ui.py --reps 3 --out bench/results/text-editor-ui.json
  .venv/bin/python bench/text_editor_ui.py --reps 3 --one-paragraph --out bench/results/text-editor-ui-1para.json
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT.parent / "shared" / "bench"))

from image_editor_ui import (  # noqa: E402  the same Tab / step / settle code as the image bench
    CHROME_ARGS, QUIET_MS, SETTLE_JS, STATIC, Tab, chromium_rss_mb, med, serve_dir, summarise_steps,
)
from peer_ls_ui import NER_LABELS, ner_text_and_results  # noqa: E402  LS's own document

EL_JS = "window.__el = () => document.querySelector('lw-entity-annotation');"

READY_JS = """(n) => {
  const el = window.__el(); const ed = el && el.editor;
  return !!ed && ed.model.size >= n && el.shadowRoot.querySelectorAll('.s[data-tags]').length >= n;
}"""

GAP_JS = """(i) => {
  // The i-th visible run of >= 40 characters of unlabelled text (LS's gap finder, in our shadow DOM).
  const el = window.__el(); const box = el.shadowRoot.querySelector('.text').getBoundingClientRect();
  let seen = 0;
  for (const seg of el.shadowRoot.querySelectorAll('.s:not(.m)')) {
    const node = seg.firstChild; if (!node || node.length < 40) continue;
    const r0 = document.createRange(); r0.setStart(node, 5); r0.setEnd(node, 6);
    const r1 = document.createRange(); r1.setStart(node, 24); r1.setEnd(node, 25);
    const a = r0.getBoundingClientRect(), b = r1.getBoundingClientRect();
    if (a.top < box.top + 10 || b.bottom > box.bottom - 10 || a.top !== b.top) continue;
    if (seen++ < i) continue;
    return {x0: a.left + 1, y: (a.top + a.bottom) / 2, x1: b.right - 1};
  }
  return null;
}"""

SPAN_JS = """(i) => {
  const el = window.__el(); const box = el.shadowRoot.querySelector('.text').getBoundingClientRect();
  const hs = [...el.shadowRoot.querySelectorAll('.s.m')].filter(e => {
    const r = e.getBoundingClientRect(); return r.top > box.top + 10 && r.bottom < box.bottom - 10 && r.width > 4; });
  const e = hs[(i * 3) % hs.length]; if (!e) return null;
  const r = e.getBoundingClientRect(); return {x: r.right - 3, y: r.top + r.height / 2};
}"""


def page_html(text: str, value: dict[str, Any]) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script src="/static/dist/elements.js"></script>
<style>body{{margin:0;font-family:system-ui}} lw-entity-annotation{{display:block;margin:8px;--lw-text-height:calc(100vh - 200px)}}</style>
</head><body><lw-entity-annotation name="entities" labels='{json.dumps(NER_LABELS)}' text="{escape(text)}"
 initial-value="{escape(json.dumps(value))}"></lw-entity-annotation></body></html>"""


def document(kb: int, spans: int, one_paragraph: bool = False) -> tuple[str, dict[str, Any]]:
    text, results = ner_text_and_results(kb, spans)
    if one_paragraph:  # the same offsets: each "\n" becomes a space
        text = text.replace("\n", " ")
    assert text.isascii()  # LS's offsets are then code points too
    entities = [{"label": r["value"]["labels"][0], "startOffset": r["value"]["start"], "endOffset": r["value"]["end"]}
                for r in results]
    return text, {"entities": entities}


def count(page: Any) -> int:
    return int(page.evaluate("window.__el().editor.model.size"))


def interactions(tab: Tab, k: int, deadline: float) -> dict[str, list[dict[str, Any]]]:
    page, m = tab.page, tab.page.mouse
    s: dict[str, list[dict[str, Any]]] = {"null": [tab.step(lambda: None) for _ in range(k)], "label": [],
                                          "create_mouseup": [], "create_gesture": [], "relabel": [], "delete": [],
                                          "select": [], "scroll": []}
    created = relabelled = deleted = selected = 0
    for i in range(k):
        if time.monotonic() > deadline:
            break
        lab = page.locator("lw-entity-annotation .choice", has_text=NER_LABELS[i % len(NER_LABELS)]).first
        bb = lab.bounding_box()
        s["label"].append(tab.step(lambda: m.click(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)))
        g = page.evaluate(GAP_JS, i)
        if not g:
            break
        n0 = count(page)
        g0 = tab.metrics()["TaskDuration"]
        m.move(g["x0"], g["y"])
        m.down()
        for f in (0.33, 0.66, 1.0):
            m.move(g["x0"] + (g["x1"] - g["x0"]) * f, g["y"])
        s["create_mouseup"].append(tab.step(lambda: m.up()))
        s["create_gesture"].append({"cpu_ms": (tab.metrics()["TaskDuration"] - g0) * 1000, "thread_cpu_ms": None,
                                    "wall_ms": 0, "max_longtask_ms": 0})
        created += count(page) - n0
        before = page.evaluate("window.__el().editor.controller.selected?.label")
        key = str((i + 1) % len(NER_LABELS) + 1)
        s["relabel"].append(tab.step(lambda key=key: page.keyboard.press(key)))
        relabelled += page.evaluate("window.__el().editor.controller.selected?.label") != before
        n1 = count(page)
        s["delete"].append(tab.step(lambda: page.keyboard.press("Delete")))
        deleted += n1 - count(page)
        page.keyboard.press("Escape")
        hb = page.evaluate(SPAN_JS, i)
        if hb:
            s["select"].append(tab.step(lambda: m.click(hb["x"], hb["y"])))
            selected += page.evaluate("window.__el().editor.controller.selectedId") is not None
            page.keyboard.press("Escape")
            page.keyboard.press("Escape")  # disarm the label: the next iteration arms one again
    box = page.evaluate("(() => { const r = window.__el().shadowRoot.querySelector('.text').getBoundingClientRect();"
                        " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")
    m.move(box["x"], box["y"])
    for _ in range(k):
        s["scroll"].append(tab.step(lambda: m.wheel(0, 100)))
    scrolled = page.evaluate("window.__el().shadowRoot.querySelector('.text').scrollTop")
    s["_checks"] = [{"spans_selected": selected, "spans_created": created, "relabelled": relabelled, "deleted": deleted, "scroll_top": scrolled,
                     "spans_after": count(page), "chromium_rss_mb": chromium_rss_mb()}]
    return s


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
    st = page.evaluate(SETTLE_JS, [QUIET_MS, timeout_s * 1000, res["open_ms"]])
    res["settled_ms"] = round(st["lastEnd"], 1)
    res["settle_capped"] = st["capped"]
    res["long_tasks"] = st["nlong"]
    lts = page.evaluate("window.__lt.map(e => e[1])")
    res["max_longtask_ms"] = round(max(lts), 1) if lts else 0.0
    res["load_cpu_ms"] = round(tab.metrics()["TaskDuration"] * 1000, 1)
    res["load_thread_cpu_ms"] = round(tab.thread_cpu() * 1000, 1)
    res.update(tab.heap())
    return res


def run(browser: Any, viewport: dict[str, int], url: str, n: int, reps: int, steps: int, timeout_s: float,
        screenshot: Path | None) -> dict[str, Any]:
    opens: list[dict[str, Any]] = []
    inter: dict[str, list[dict[str, Any]]] = {}
    for r in range(reps):
        tab = Tab(browser, viewport)
        tab.ctx.add_init_script(EL_JS)
        try:
            o = open_and_settle(tab, url, n, timeout_s)
            opens.append(o)
            print(f"    rep {r}: {o}", flush=True)
            if "error" in o:
                continue
            if screenshot and r == 0:
                tab.page.screenshot(path=str(screenshot))
            for key, v in interactions(tab, steps, time.monotonic() + timeout_s).items():
                inter.setdefault(key, []).extend(v)
        except Exception as e:
            opens.append({"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"})
            print(f"    rep {r}: ERROR {opens[-1]['error']}", flush=True)
        finally:
            tab.close()
    ok = [o for o in opens if "error" not in o]
    summary: dict[str, Any] = {"reps": reps, "errors": [o["error"] for o in opens if "error" in o], "runs": opens}
    for key in ("open_ms", "settled_ms", "load_cpu_ms", "load_thread_cpu_ms", "max_longtask_ms", "heap_used_mb",
                "heap_used_after_gc_mb", "dom_nodes"):
        summary[key + "_median"] = med([o.get(key) for o in ok])
    summary["steps"] = summarise_steps({k: v for k, v in inter.items() if not k.startswith("_")})
    summary["checks"] = inter.get("_checks", [])
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--reps", type=int, default=3, help="fresh browser contexts (median reported)")
    ap.add_argument("--steps", type=int, default=10, help="input events per step kind per rep")
    ap.add_argument("--text-kb", type=int, default=200)
    ap.add_argument("--text-spans", type=int, default=2000)
    ap.add_argument("--one-paragraph", action="store_true",
                    help="newlines turned into spaces: one 200 KB paragraph (the chunks alone bound the work)")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--screenshot", type=Path, help="a PNG of the opened editor (first rep)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    if not (STATIC / "dist/elements.js").exists():
        sys.exit("error: src/labelworks/web/static/dist/elements.js is missing: cd frontend && npm run build")
    text, value = document(a.text_kb, a.text_spans, a.one_paragraph)
    n = len(value["entities"])
    tmp = Path(tempfile.mkdtemp(prefix="lw-text-bench-"))
    (tmp / "static").symlink_to(STATIC)
    (tmp / "text.html").write_text(page_html(text, value))
    srv, port = serve_dir(tmp)
    viewport = {"width": a.width, "height": a.height}
    results: dict[str, Any] = {"viewport": viewport, "chromium": a.chromium, "args": CHROME_ARGS, "reps": a.reps,
                               "steps": a.steps, "one_paragraph": a.one_paragraph, "chars": len(text), "bytes": len(text.encode()), "spans": n}
    print(f"text: {len(text)} chars, {n} spans", flush=True)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=a.chromium, args=CHROME_ARGS, headless=True)
            results["browser_version"] = browser.version
            results["text"] = run(browser, viewport, f"http://127.0.0.1:{port}/text.html", n, a.reps, a.steps,
                                  a.timeout, a.screenshot)
            browser.close()
    finally:
        srv.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=1))
    t = results["text"]
    print(f"\nopen {t['open_ms_median']} ms, settled {t['settled_ms_median']} ms, load CPU {t['load_thread_cpu_ms_median']} ms, "
          f"longest task {t['max_longtask_ms_median']} ms, heap {t['heap_used_mb_median']} MB, DOM {t['dom_nodes_median']}")
    for k, v in t["steps"].items():
        print(f"  {k:15} cpu median {v['cpu_ms_median']} ms (max {v['cpu_ms_max']}), thread-cpu {v['thread_cpu_ms_median']} ms")
    print(f"checks: {t['checks']}\nwrote {a.out}")


if __name__ == "__main__":
    main()
