import type { JsonObject } from "../lib/json";
import { parseFrameMessage, withNonce, type FrameMessage, type HostMessage } from "../lib/protocol";
import type { Task } from "./api";

/** Height of a frame that has not said how tall it is yet. */
const INITIAL_HEIGHT = 360;

/**
 * One task in its sandboxed iframe: visible (the current task) or pending (prefetched, laid out
 * off-screen at full width so it is rendered and sized before it is shown).
 */
export class FrameSlot {
  readonly nonce: string = crypto.randomUUID();
  /** One id per task, reused on every retry, so the server can answer a retry idempotently. */
  readonly submissionId: string = crypto.randomUUID();
  readonly iframe: HTMLIFrameElement;
  ready = false;

  constructor(
    readonly task: Task,
    stage: HTMLElement,
    pending: boolean,
  ) {
    const iframe = document.createElement("iframe");
    // Never allow-same-origin: the template must not reach the app's origin or cookies.
    iframe.setAttribute("sandbox", "allow-scripts allow-forms");
    iframe.setAttribute("referrerpolicy", "no-referrer");
    iframe.title = "Task";
    iframe.className = "lw-frame";
    iframe.style.height = `${INITIAL_HEIGHT}px`;
    const url = new URL(task.frame_url, location.href);
    url.searchParams.set("nonce", this.nonce);
    iframe.src = url.href;
    this.iframe = iframe;
    this.setPending(pending);
    stage.append(iframe);
  }

  setPending(pending: boolean): void {
    this.iframe.classList.toggle("lw-frame-pending", pending);
    this.iframe.inert = pending;
    this.iframe.tabIndex = pending ? -1 : 0;
    if (pending) this.iframe.setAttribute("aria-hidden", "true");
    else this.iframe.removeAttribute("aria-hidden");
  }

  /** The message if it is this frame's and well-formed, else null. */
  accept(ev: MessageEvent): FrameMessage | null {
    if (ev.source === null || ev.source !== this.iframe.contentWindow) return null;
    return parseFrameMessage(ev.data, this.nonce);
  }

  /** The frame has an opaque origin, which no targetOrigin can name: "*" it is. */
  send(msg: HostMessage): void {
    this.iframe.contentWindow?.postMessage(withNonce(msg, this.nonce), "*");
  }

  init(draft: JsonObject | null): void {
    this.send({ type: "lw:init", draft });
  }

  setHeight(height: number): void {
    this.iframe.style.height = `${Math.max(height, 120)}px`;
  }

  /** Load the frame again (same nonce: it is still this slot's frame). */
  reload(): void {
    this.ready = false;
    this.iframe.src = this.iframe.src;
  }

  destroy(): void {
    this.iframe.remove();
  }
}
