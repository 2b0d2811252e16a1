"""The 200-task session case of bench/image_editor_ui.py (``--cases session-200``): `labelworks serve`
on a temporary data dir, a bounding-box project, and the owner labelling one image after another on
the real labeling page while page and frame heaps, DOM nodes and detached nodes are sampled."""
from __future__ import annotations

import functools
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from image_editor_ui import LABELS, ROOT, Tab

__all__ = ["session_200", "editor_frame"]


def session_200(browser: Any, viewport: dict[str, int], tmp: Path, tasks: int, every: int,
                timeout_s: float) -> dict[str, Any]:
    """`labelworks serve` on a temporary data dir, a bounding-box project with `tasks` images, and
    the owner labelling them one after another on /label/{id}: a box drawn and submitted each."""
    from PIL import Image

    from image_labeling import to_page  # tests/ is put on sys.path by main()

    lw = str(ROOT / ".venv/bin/labelworks")
    data = tmp / "lw-data"
    env = {**os.environ, "LABELWORKS_DATA_DIR": str(data)}
    run = functools.partial(subprocess.run, check=True, capture_output=True, text=True, env=env, timeout=300)
    email, password = "owner@bench.local", "bench-owner-pass-0123"
    run([lw, "user", "create", email, "--password", password, "--role", "owner"])
    pid = int(run([lw, "project", "create", "Session", "--type", "bounding-box", "--labels", ",".join(LABELS)]).stdout.strip())
    folder = tmp / "session-images"
    folder.mkdir()
    for i in range(tasks):
        Image.new("RGB", (640, 480), ((i * 37) % 255, 120, (i * 91) % 255)).save(folder / f"img{i:03d}.png")
    run([lw, "import", str(pid), str(folder)])
    port = _free_port()
    log = (tmp / "serve.log").open("w")
    server = subprocess.Popen([lw, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    samples: list[dict[str, Any]] = []
    out: dict[str, Any] = {"tasks": tasks, "every": every, "samples": samples}
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        tab = Tab(browser, viewport)
        page = tab.page
        page.goto(f"{base}/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/label/{pid}")
        el = "lw-bounding-box"
        t0 = time.perf_counter()
        done = 0
        reloads = 0
        for i in range(tasks):
            try:
                frame = editor_frame(page, el)
            except Exception:
                # Other developers rebuild dist/elements.js on this machine: a frame that loaded
                # while the file was being written never upgrades its element. Reload once.
                reloads += 1
                page.reload()
                frame = editor_frame(page, el)
            if i % every == 0:
                samples.append(_session_sample(tab, page, frame, i, time.perf_counter() - t0))
                print(f"    task {i}: {samples[-1]}", flush=True)
            a = to_page(page, frame, el, 100 + (i % 7) * 20, 100)
            b = to_page(page, frame, el, 300, 260 + (i % 5) * 10)
            page.mouse.move(*a)
            page.mouse.down()
            page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            page.mouse.move(*b)
            page.mouse.up()
            src_before = frame.locator(el).get_attribute("src")
            page.locator("body").click(position={"x": 5, "y": 5})
            page.keyboard.press("Enter")
            done += 1
            if i + 1 < tasks:
                _wait_next(page, el, src_before, timeout_s)
        page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=timeout_s * 1000)
        samples.append(_session_sample(tab, page, None, tasks, time.perf_counter() - t0))
        print(f"    end: {samples[-1]}", flush=True)
        out["submitted"] = done
        out["page_reloads"] = reloads
        out["seconds"] = round(time.perf_counter() - t0, 1)
        tab.close()
        with urllib.request.urlopen(f"{base}/api/health", timeout=5):
            pass
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()
    heaps = [s["heap_after_gc_mb"] for s in samples]
    nodes = [s["page_dom_nodes"] for s in samples]
    out["heap_after_gc_mb_first_last_max"] = [heaps[0], heaps[-1], max(heaps)]
    out["page_dom_nodes_first_last_max"] = [nodes[0], nodes[-1], max(nodes)]
    return out


def _shown_frame(page: Any) -> Any:
    """The shown task frame. The element handle is disposed at once: a live Playwright handle keeps
    its <iframe> alive after the app removes it, which would read as a DOM leak of 8 nodes a task."""
    handle = page.locator("iframe.lw-frame:not(.lw-frame-pending)").element_handle()
    try:
        return handle.content_frame()
    finally:
        handle.dispose()


def editor_frame(page: Any, element: str) -> Any:
    """tests/image_labeling.editor_frame, disposing its element handle (see _shown_frame)."""
    page.locator("iframe.lw-frame:not(.lw-frame-pending)").wait_for(timeout=15_000)
    frame = _shown_frame(page)
    frame.locator(element).wait_for(timeout=15_000)
    frame.wait_for_function(f"() => {{ const el = document.querySelector('{element}');"
                            " return el && el.editor && el.editor.model.image && el.editor.model.image.width > 0; }",
                            timeout=15_000)
    page.wait_for_timeout(200)  # the host sizes the frame, then the stage refits
    return frame


def _wait_next(page: Any, el: str, src_before: str | None, timeout_s: float) -> None:
    """Until the shown frame's element has a different image than the one just submitted."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if page.locator("iframe.lw-frame:not(.lw-frame-pending)").count() == 1:
                f = _shown_frame(page)
                if f and f.locator(el).count() and f.locator(el).get_attribute("src") != src_before:
                    return
        except Exception:
            pass
        page.wait_for_timeout(50)
    raise TimeoutError("the next task did not appear")


def _session_sample(tab: Tab, page: Any, frame: Any, i: int, elapsed: float) -> dict[str, Any]:
    h = tab.heap()
    sample = {"task": i, "elapsed_s": round(elapsed, 1), "heap_mb": h["heap_used_mb"],
              "heap_after_gc_mb": h["heap_used_after_gc_mb"], "page_dom_nodes": h["dom_nodes"],
              "iframes": page.evaluate("() => document.querySelectorAll('iframe').length")}
    sample["page_elements"] = page.evaluate("() => document.getElementsByTagName('*').length")
    if os.environ.get("LW_BENCH_DETACHED"):  # diagnosis: what the page's detached nodes are
        try:
            nodes = tab.cdp.send("DOM.getDetachedDomNodes")["detachedNodes"]
            sample["detached"] = [(n["treeNode"]["nodeName"], n["retainedNodeIds"][:3] if "retainedNodeIds" in n else None)
                                  for n in nodes][:12]
            sample["detached_count"] = len(nodes)
        except Exception as e:
            sample["detached"] = str(e)[:100]
    if frame is not None:
        # The task frame (sandboxed; its own renderer process under site isolation): its heap and nodes.
        cdp = page.context.new_cdp_session(frame)
        try:
            cdp.send("Performance.enable")
            cdp.send("HeapProfiler.enable")
            cdp.send("HeapProfiler.collectGarbage")
            fm = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            sample["frame_heap_mb"] = round(fm["JSHeapUsedSize"] / 2**20, 1)
            sample["frame_dom_nodes"] = int(fm.get("Nodes", 0))
        finally:
            cdp.detach()
    return sample


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


