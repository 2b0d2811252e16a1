/**
 * The labeling page: leases tasks, shows each in a sandboxed frame, autosaves drafts, submits,
 * skips, prefetches the next task so the switch after a submit is instant, and keeps the lease
 * countdown and active time. The root element carries `data-project-id`, `data-api-base` and
 * `data-home-url`; the parts it drives are marked `data-lw="…"` (see label.html).
 */

import { hotkeyAction, isTypingTarget } from "../lib/hotkeys";
import type { JsonObject } from "../lib/json";
import type { FrameMessage } from "../lib/protocol";
import { ActiveTimer } from "./active-timer";
import { ApiError, LabelingApi, type Task } from "./api";
import { answerAssist } from "./assist-host";
import { answerGenerate, cancelAllGenerations, cancelGenerate } from "./generate-host";
import { WARN_BELOW_MS, formatRemaining, remainingMs } from "./countdown";
import { Debouncer } from "./debounce";
import { FrameSlot } from "./frame-slot";
import { MAX_ATTEMPTS, backoffMs } from "./retry";

const DRAFT_DEBOUNCE_MS = 800;
/** A prefetched task with less lease than this left is not worth showing. */
const MIN_LEASE_TO_SHOW_MS = 15_000;
/** Answers meaning "this lease is not yours any more". */
const LEASE_GONE = new Set([404, 409, 410]);
/** A frame that has not said lw:ready by then probably failed to load (session ended, error page). */
const READY_TIMEOUT_MS = 15_000;

type Tone = "info" | "ok" | "warn" | "error";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function part<T extends HTMLElement = HTMLElement>(root: HTMLElement, name: string): T {
  const el = root.querySelector<T>(`[data-lw="${name}"]`);
  if (!el) throw new Error(`labeling page: [data-lw="${name}"] is missing`);
  return el;
}

export class LabelingApp {
  private readonly api: LabelingApi;
  private readonly homeUrl: string;
  private readonly progressKey: string;
  private readonly el: {
    progress: HTMLElement;
    lease: HTMLElement;
    item: HTMLElement;
    status: HTMLElement;
    alert: HTMLElement;
    stage: HTMLElement;
    loading: HTMLElement;
    empty: HTMLElement;
    skip: HTMLButtonElement;
    stop: HTMLButtonElement;
  };

  private current: FrameSlot | null = null;
  private next: FrameSlot | null = null;
  private prefetching: Promise<void> | null = null;
  private shown = 0;
  private submitting = false;
  private skipping = false;
  private stopping = false;
  private unloading = false;
  private submitted = 0;
  private expiredHandled = false;
  private readonly timer = new ActiveTimer();
  private readonly drafts: Debouncer<{ slot: FrameSlot; value: JsonObject }>;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly root: HTMLElement) {
    const { projectId, apiBase = "/api/v1", homeUrl = "/" } = root.dataset;
    if (!projectId) throw new Error("labeling page: data-project-id is missing");
    this.api = new LabelingApi(apiBase.replace(/\/$/, ""), projectId);
    this.homeUrl = homeUrl;
    this.progressKey = `lw:submitted:${projectId}`;
    this.el = {
      progress: part(root, "progress"),
      lease: part(root, "lease"),
      item: part(root, "item"),
      status: part(root, "status"),
      alert: part(root, "alert"),
      stage: part(root, "stage"),
      loading: part(root, "loading"),
      empty: part(root, "empty"),
      skip: part<HTMLButtonElement>(root, "skip"),
      stop: part<HTMLButtonElement>(root, "stop"),
    };
    this.drafts = new Debouncer(({ slot, value }) => void this.saveDraft(slot, value), DRAFT_DEBOUNCE_MS);
  }

  start(): void {
    this.submitted = Number(sessionStorage.getItem(this.progressKey)) || 0;
    this.renderProgress();
    window.addEventListener("message", (e) => this.onMessage(e));
    document.addEventListener("keydown", (e) => this.onKey(e));
    this.el.skip.addEventListener("click", () => void this.skip());
    this.el.stop.addEventListener("click", () => void this.stop());
    this.root.querySelector('[data-lw="check-again"]')?.addEventListener("click", () => void this.loadCurrent());
    this.wireInstructions();
    this.wireActivity();
    window.addEventListener("pagehide", () => {
      this.unloading = true;
      this.drafts.flush();
    });
    setInterval(() => this.tickLease(), 1000);
    void this.loadCurrent();
  }

  // ---- tasks ---------------------------------------------------------------------------------

  /** Lease the current task from scratch (first load, nothing prefetched, after an error). */
  private async loadCurrent(): Promise<void> {
    this.setView("loading");
    this.clearAlert();
    let task: Task | null;
    try {
      task = await this.withRetry(() => this.api.next([]), "Loading the task");
    } catch (e) {
      this.showError(e, { retry: () => void this.loadCurrent() });
      return;
    }
    if (!task) {
      this.setView("empty");
      return;
    }
    this.show(new FrameSlot(task, this.el.stage, false));
    this.prefetch();
  }

  private show(slot: FrameSlot): void {
    this.current = slot;
    slot.setPending(false);
    this.timer.reset(document.visibilityState === "visible");
    this.expiredHandled = false;
    // a count of this session's tasks, not the item id: an id out of sequence would give gold items away
    this.shown += 1;
    this.el.item.textContent = `Task ${this.shown}`;
    this.el.item.hidden = false;
    this.setView("task");
    this.tickLease();
    setTimeout(() => {
      if (slot === this.current && !slot.ready) {
        this.showAlert("This task is taking long to load.", "warn", { label: "Reload it", run: () => slot.reload() });
      }
    }, READY_TIMEOUT_MS);
  }

  /** Lease the following task now and render it in a hidden frame. Failures are silent. */
  private prefetch(): void {
    if (!this.current || this.next || this.prefetching) return;
    const currentId = this.current.task.assignment_id;
    this.prefetching = (async () => {
      try {
        const task = await this.api.next([currentId]);
        if (task && task.assignment_id !== currentId && !this.stopping) {
          this.next = new FrameSlot(task, this.el.stage, true);
        }
      } catch {
        // advance() falls back to loadCurrent(), which reports errors
      }
    })().finally(() => {
      this.prefetching = null;
    });
  }

  /** The current task is done with (submitted, skipped, expired): show the next one. */
  private async advance(): Promise<void> {
    this.drafts.cancel();
    if (this.current) cancelAllGenerations(this.current); // a reply nobody will see stops costing tokens
    this.current?.destroy();
    this.current = null;
    if (this.prefetching) {
      this.setView("loading");
      await this.prefetching;
    }
    const candidate = this.next;
    this.next = null;
    if (candidate && remainingMs(candidate.task.expires_at, Date.now(), this.api.serverOffsetMs) > MIN_LEASE_TO_SHOW_MS) {
      this.show(candidate);
      this.prefetch();
      return;
    }
    candidate?.destroy();
    await this.loadCurrent();
  }

  // ---- messages from frames ------------------------------------------------------------------

  private onMessage(ev: MessageEvent): void {
    for (const slot of [this.current, this.next]) {
      if (!slot) continue;
      const msg = slot.accept(ev);
      if (msg) {
        this.handle(slot, msg);
        return;
      }
    }
  }

  private handle(slot: FrameSlot, msg: FrameMessage): void {
    switch (msg.type) {
      case "lw:ready":
        slot.ready = true;
        slot.setHeight(msg.height);
        slot.init(slot.task.draft);
        return;
      case "lw:resize":
        slot.setHeight(msg.height);
        return;
      case "lw:assist": // a prefetched frame lists its assists too (its elements ask on connect)
        void answerAssist(this.api, slot, msg);
        return;
      case "lw:generate": // a chat element asks for a model's reply (docs/models.md)
        void answerGenerate(this.api, slot, msg);
        return;
      case "lw:generate-cancel": // Stop: abort the request, so the server stops the model
        cancelGenerate(slot, msg);
        return;
    }
    if (slot !== this.current) return; // a prefetched frame has nothing to say yet
    this.timer.activity();
    switch (msg.type) {
      case "lw:change":
        slot.task.draft = msg.value;
        this.drafts.push({ slot, value: msg.value });
        return;
      case "lw:submit":
        void this.submit(slot, msg.value);
        return;
      case "lw:skip":
        void this.skip();
        return;
      case "lw:activity":
        return;
    }
  }

  // ---- actions -------------------------------------------------------------------------------

  private async saveDraft(slot: FrameSlot, value: JsonObject): Promise<void> {
    try {
      await this.api.saveDraft(slot.task.assignment_id, value, this.unloading);
      if (slot === this.current && !this.submitting) this.setStatus("Draft saved", "info", 2500);
    } catch {
      if (slot === this.current && !this.submitting) {
        this.setStatus("Draft not saved: check your connection", "warn");
      }
    }
  }

  private async submit(slot: FrameSlot, value: JsonObject): Promise<void> {
    if (slot !== this.current || this.submitting || this.skipping || this.stopping) return;
    this.submitting = true;
    this.drafts.cancel();
    this.clearAlert();
    this.setStatus("Submitting…", "info");
    const body = { client_submission_id: slot.submissionId, value, active_ms: this.timer.elapsed() };
    try {
      await this.withRetry(() => this.api.submit(slot.task.assignment_id, body), "Submitting");
    } catch (e) {
      this.submitting = false;
      if (slot !== this.current) return;
      this.setStatus("", "info");
      if (e instanceof ApiError && e.status === 422) {
        const where = e.field ? ` (${e.field})` : "";
        this.showAlert(`Your answer was not accepted${where}: ${e.message}`, "error");
      } else if (e instanceof ApiError && LEASE_GONE.has(e.status)) {
        this.showAlert(`${e.message} This task is no longer assigned to you; here is the next one.`, "warn");
        void this.advance();
      } else if (e instanceof ApiError && e.retryable) {
        this.showAlert("Your answer could not be sent. It is kept here: press Submit or Enter to try again.", "error");
      } else {
        this.showError(e);
      }
      return;
    }
    this.submitting = false;
    this.submitted += 1;
    sessionStorage.setItem(this.progressKey, String(this.submitted));
    this.renderProgress();
    this.setStatus("Submitted", "ok", 2000);
    await this.advance();
  }

  private async skip(): Promise<void> {
    const slot = this.current;
    if (!slot || this.submitting || this.skipping || this.stopping) return;
    this.skipping = true;
    this.drafts.cancel();
    this.clearAlert();
    try {
      await this.withRetry(() => this.api.skip(slot.task.assignment_id), "Skipping");
    } catch (e) {
      if (!(e instanceof ApiError && LEASE_GONE.has(e.status))) {
        this.skipping = false;
        this.showError(e);
        return;
      }
    }
    this.skipping = false;
    this.setStatus("Skipped", "info", 2000);
    if (slot === this.current) await this.advance();
  }

  /** Give both leases back and leave. */
  private async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.drafts.cancel();
    this.el.stop.disabled = true;
    this.el.skip.disabled = true;
    this.setStatus("Releasing your tasks…", "info");
    if (this.prefetching) await this.prefetching;
    const leases = [this.current, this.next].filter((s): s is FrameSlot => s !== null);
    await Promise.allSettled(leases.map((s) => this.api.release(s.task.assignment_id)));
    location.assign(this.homeUrl);
  }

  /** Retries network failures and 5xx gateways with backoff; other errors go to the caller. */
  private async withRetry<T>(call: () => Promise<T>, what: string): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (e) {
        if (!(e instanceof ApiError) || !e.retryable || attempt + 1 >= MAX_ATTEMPTS) throw e;
        const wait = backoffMs(attempt);
        this.setStatus(`${what}: connection problem, retrying in ${Math.ceil(wait / 1000)} s…`, "warn");
        await sleep(wait);
      }
    }
  }

  // ---- keyboard, activity, lease -------------------------------------------------------------

  private onKey(e: KeyboardEvent): void {
    if (!this.current || e.defaultPrevented || e.isComposing || this.stopping) return;
    if (this.root.querySelector("dialog[open]")) return;
    if (isTypingTarget(e.target as Element | null)) return;
    const action = hotkeyAction(e);
    if (!action) return;
    if (e.repeat) {
      e.preventDefault();
      return;
    }
    if (action.kind === "submit" && (e.target as Element | null)?.closest?.("a[href], button, summary, [role=button]")) {
      return; // Enter on a host button or link does what that button says
    }
    e.preventDefault();
    if (action.kind === "skip") void this.skip();
    else this.current.send({ type: "lw:key", key: e.key });
  }

  private wireActivity(): void {
    const active = (): void => this.timer.activity();
    for (const type of ["pointerdown", "keydown", "wheel", "scroll"]) {
      window.addEventListener(type, active, { capture: true, passive: true });
    }
    let lastMove = 0;
    window.addEventListener(
      "pointermove",
      () => {
        const now = Date.now();
        if (now - lastMove > 1000) {
          lastMove = now;
          active();
        }
      },
      { passive: true },
    );
    document.addEventListener("visibilitychange", () => {
      this.timer.setVisible(document.visibilityState === "visible");
    });
  }

  private tickLease(): void {
    const slot = this.current;
    const lease = this.el.lease;
    if (!slot) {
      lease.hidden = true;
      return;
    }
    const left = remainingMs(slot.task.expires_at, Date.now(), this.api.serverOffsetMs);
    lease.hidden = !Number.isFinite(left);
    lease.textContent = `${formatRemaining(left)} left`;
    lease.title = `This task is yours until ${new Date(slot.task.expires_at).toLocaleTimeString()}`;
    lease.dataset.tone = left < WARN_BELOW_MS ? "warn" : "";
    if (left <= 0 && !this.expiredHandled && !this.submitting) {
      this.expiredHandled = true;
      void this.advance().then(() => {
        if (this.el.alert.hidden) {
          this.showAlert("Time ran out on that task, so it went back to the pool. Here is a new one.", "warn");
        }
      });
    }
  }

  // ---- view ----------------------------------------------------------------------------------

  private setView(view: "loading" | "task" | "empty"): void {
    this.el.loading.hidden = view !== "loading";
    this.el.empty.hidden = view !== "empty";
    this.el.stage.dataset.view = view;
    this.el.stage.setAttribute("aria-busy", String(view === "loading"));
    this.el.skip.disabled = view !== "task" || this.stopping;
    if (view !== "task") {
      this.el.item.hidden = true;
      this.el.lease.hidden = true;
    }
  }

  private renderProgress(): void {
    const n = this.submitted;
    this.el.progress.textContent = `${n} submitted`;
    this.el.progress.title = "Tasks you submitted in this session";
  }

  private setStatus(text: string, tone: Tone, clearAfterMs?: number): void {
    clearTimeout(this.statusTimer);
    this.el.status.textContent = text;
    this.el.status.dataset.tone = tone;
    if (clearAfterMs) {
      this.statusTimer = setTimeout(() => {
        this.el.status.textContent = "";
      }, clearAfterMs);
    }
  }

  private showAlert(message: string, tone: Tone, action?: { label: string; run: () => void } | { label: string; href: string }): void {
    const box = this.el.alert;
    box.replaceChildren();
    box.dataset.tone = tone;
    const text = document.createElement("p");
    text.textContent = message;
    box.append(text);
    if (action) {
      let control: HTMLElement;
      if ("href" in action) {
        const a = document.createElement("a");
        a.href = action.href;
        control = a;
      } else {
        const b = document.createElement("button");
        b.type = "button";
        b.addEventListener("click", () => {
          this.clearAlert();
          action.run();
        });
        control = b;
      }
      control.className = "lw-btn lw-btn-small";
      control.textContent = action.label;
      box.append(control);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "lw-alert-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => this.clearAlert());
    box.append(close);
    box.hidden = false;
  }

  private clearAlert(): void {
    this.el.alert.hidden = true;
    this.el.alert.replaceChildren();
  }

  private showError(e: unknown, opts: { retry?: () => void } = {}): void {
    this.setStatus("", "info");
    if (e instanceof ApiError && e.status === 401) {
      const next = encodeURIComponent(location.pathname);
      this.showAlert(e.message, "error", { label: "Sign in", href: `/login?next=${next}` });
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    this.showAlert(message, "error", opts.retry ? { label: "Try again", run: opts.retry } : undefined);
  }

  private wireInstructions(): void {
    const dialog = this.root.querySelector<HTMLDialogElement>('[data-lw="full-dialog"]');
    if (!dialog) return;
    this.root.querySelector('[data-lw="open-full"]')?.addEventListener("click", () => dialog.showModal());
    this.root.querySelector('[data-lw="close-full"]')?.addEventListener("click", () => dialog.close());
    // A click on the backdrop (the dialog box itself, outside its content) closes it.
    dialog.addEventListener("click", (e) => {
      if (e.target === dialog) dialog.close();
    });
  }
}
