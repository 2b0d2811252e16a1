/**
 * The task frame's side of the postMessage contract (docs/labeling-contract.md).
 *
 * The frame is a sandboxed iframe with an opaque origin, so it cannot name the host's origin;
 * it posts with targetOrigin "*" and the host checks `event.source` and the nonce. Messages in
 * the other direction are accepted only from `window.parent` with the same nonce.
 */

import type { LitElement } from "lit";
import { FORM_CHANGE, FORM_SKIP, FORM_SUBMIT, TaskForm } from "../elements/form/task-form";
import type { LwForm } from "../elements/form/lw-form";
import { hotkeyAction, isTypingTarget, type HotkeyAction } from "../lib/hotkeys";
import type { JsonObject } from "../lib/json";
import { isValidNonce, parseHostMessage, withNonce, type FrameMessage } from "../lib/protocol";
import { frameAssistChannel, setAssistTransport } from "../lib/assist-client";
import { frameGenerateChannel, setGenerateTransport } from "../lib/generate-client";
import { FRAME_BASE_CSS } from "./base-styles";

/** At most one `lw:activity` ping per this many ms (the host's idle threshold is 60 s). */
const ACTIVITY_PING_MS = 10_000;

/** The task's form: `<lw-form>`/`<crowd-form>`, or the whole body when a template has none. */
interface FormHandle {
  value(): JsonObject;
  restore(draft: JsonObject | null): void;
  applyHotkey(action: HotkeyAction): boolean;
}

function findForm(): FormHandle {
  const el = document.querySelector<LwForm>("lw-form, crowd-form");
  if (el && typeof el.applyHotkey === "function") {
    return { value: () => el.value, restore: (d) => el.restore(d), applyHotkey: (a) => el.applyHotkey(a) };
  }
  const form = new TaskForm(document.body);
  return { value: () => form.value(), restore: (d) => form.restore(d), applyHotkey: (a) => form.applyHotkey(a) };
}

function installBaseStyles(): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(FRAME_BASE_CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    // Constructable stylesheets missing: the template's own styles still apply.
  }
}

/** The content's height: what the host should size the iframe to. */
function contentHeight(): number {
  const body = document.body;
  if (!body) return 0;
  const style = getComputedStyle(body);
  const bottom = body.getBoundingClientRect().bottom + window.scrollY + parseFloat(style.marginBottom || "0");
  return Math.ceil(Math.max(bottom, body.scrollHeight));
}

/** The next animation frame, or 100 ms at most: Chromium runs no animation frames in a cross-origin
 * frame that is scrolled out of view (a review page's task below the fold), which must still report
 * it is ready and its height. */
function nextFrame(): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    requestAnimationFrame(finish);
    setTimeout(finish, 100);
  });
}

/** Resolves when the DOM is parsed and every `<lw-*>`/`<crowd-*>` element has rendered. */
async function whenRendered(): Promise<void> {
  if (document.readyState === "loading") {
    await new Promise<void>((r) => document.addEventListener("DOMContentLoaded", () => r(), { once: true }));
  }
  const pending: Promise<unknown>[] = [];
  for (const el of Array.from(document.querySelectorAll("*"))) {
    const tag = el.localName;
    if (!tag.startsWith("lw-") && !tag.startsWith("crowd-")) continue;
    if (customElements.get(tag)) pending.push((el as LitElement).updateComplete ?? Promise.resolve());
    else console.warn(`Labelworks: <${tag}> is not supported; it is shown as plain HTML.`);
  }
  await Promise.all(pending);
  await nextFrame();
}

/** Keyboard: a target under the pointer/focus that handles Enter by itself keeps it. */
function ownsEnter(path: EventTarget[]): boolean {
  const el = path[0];
  if (!(el instanceof Element)) return false;
  const actionable = el.closest("a[href], button, summary, [role=button]");
  return actionable !== null && !actionable.classList.contains("choice");
}

/**
 * The frame is as tall as its content, so `vh` cannot bound an image's height there. The screen's
 * height, less room for the browser, the page bar and the form's own header and buttons, can:
 * exposed as --lw-max-image-height (a template may set its own).
 */
function setImageHeightLimit(): void {
  const available = window.screen?.availHeight || 900;
  const limit = Math.max(280, available - 380);
  document.documentElement.style.setProperty("--lw-max-image-height", `${limit}px`);
}

export function startFrame(): void {
  const nonce = new URLSearchParams(location.search).get("nonce") ?? "";
  const parent = window.parent;
  const connected = isValidNonce(nonce) && parent !== window;
  if (!connected) console.info("Labelworks: no host page (no nonce or not framed); messages are not sent.");

  const post = (msg: FrameMessage): void => {
    if (connected) parent.postMessage(withNonce(msg, nonce), "*");
  };

  installBaseStyles();
  setImageHeightLimit();

  // assists travel to the host page, which calls the API (lib/assist-client.ts)
  const assists = frameAssistChannel((msg) => post(msg));
  if (connected) setAssistTransport(assists.transport);
  // model replies too: the host streams them back chunk by chunk (lib/generate-client.ts)
  const generations = frameGenerateChannel((msg) => post(msg));
  if (connected) setGenerateTransport(generations.transport);

  document.addEventListener(FORM_CHANGE, (e) => {
    const { value } = (e as CustomEvent<{ value: JsonObject }>).detail;
    post({ type: "lw:change", value });
  });
  document.addEventListener(FORM_SUBMIT, (e) => {
    const { value } = (e as CustomEvent<{ value: JsonObject }>).detail;
    post({ type: "lw:submit", value });
  });
  document.addEventListener(FORM_SKIP, () => post({ type: "lw:skip" }));

  let form: FormHandle | null = null;

  document.addEventListener("keydown", (e) => {
    if (!form || e.defaultPrevented || e.isComposing) return;
    const path = e.composedPath();
    if (isTypingTarget(path[0] as Element)) return;
    const action = hotkeyAction(e);
    if (!action) return;
    if (e.repeat) {
      e.preventDefault(); // a held key must not submit or toggle over and over
      return;
    }
    if (action.kind === "submit" && ownsEnter(path)) return;
    e.preventDefault();
    form.applyHotkey(action);
  });

  window.addEventListener("message", (e) => {
    if (!connected || e.source !== parent) return;
    const msg = parseHostMessage(e.data, nonce);
    if (msg?.type === "lw:assist-result") {
      assists.answer(msg);
      return;
    }
    if (msg?.type === "lw:generate-chunk" || msg?.type === "lw:generate-done") {
      generations.answer(msg);
      return;
    }
    if (!msg || !form) return;
    if (msg.type === "lw:init") {
      form.restore(msg.draft);
    } else {
      const action = hotkeyAction({ key: msg.key });
      if (action) form.applyHotkey(action);
    }
  });

  let lastPing = 0;
  const activity = (): void => {
    const now = Date.now();
    if (now - lastPing >= ACTIVITY_PING_MS) {
      lastPing = now;
      post({ type: "lw:activity" });
    }
  };
  for (const type of ["pointerdown", "pointermove", "keydown", "wheel", "scroll", "input"]) {
    window.addEventListener(type, activity, { capture: true, passive: true });
  }

  void whenRendered().then(() => {
    form = findForm();
    let lastHeight = contentHeight();
    post({ type: "lw:ready", height: lastHeight });
    let scheduled = false;
    const observer = new ResizeObserver(() => {
      if (scheduled) return;
      scheduled = true;
      void nextFrame().then(() => {
        scheduled = false;
        const h = contentHeight();
        if (h !== lastHeight) {
          lastHeight = h;
          post({ type: "lw:resize", height: h });
        }
      });
    });
    observer.observe(document.body);
    observer.observe(document.documentElement);
  });
}
