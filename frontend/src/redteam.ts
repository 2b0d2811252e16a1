/**
 * The red-team page's script (web/templates/redteam.html, docs/redteam.md). The page is rendered
 * from the database, so a reload always shows every stored turn; this script only:
 * - streams the replies in, a column a model: `POST /api/v1/projects/{p}/redteam/sessions/{s}/turns`
 *   answers with server-sent events (chunks, then `done`/`error` per reply, each naming its `slot`
 *   and `turn_id`), then reloads;
 * - follows replies still being written when the page loads or the stream drops (`follow`), and
 *   asks again for one whose server died (`POST …/resume`), so a restart needs no Retry; Stop ends them;
 * - saves a reply's labels on each change (`PATCH …/turns/{t}`), showing the server's error;
 * - retries the last message when its reply failed (`POST …/retry`, the same events);
 * - starts, finishes, reopens and reviews sessions and saves the taxonomy through the same API (same
 *   origin, the session cookie).
 */

import { sseEvents } from "./host/generate-host";
import { FINISH_BLOCKED, followStep, labelPayload, pendingNote, sessionBody, taxonomyLines } from "./lib/redteam-labels";

/** A message that outlives the reload after a stream (a model that failed or could not be asked). */
const FLASH_KEY = "lw-redteam-error";

function showError(message: string): void {
  const errorBox = document.getElementById("rt-error");
  if (!errorBox) return;
  errorBox.textContent = message;
  errorBox.hidden = false;
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const r = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) {
    const detail = (await r.json().catch(() => ({}))) as { error?: { message?: string }; detail?: unknown };
    throw new Error(detail.error?.message ?? (typeof detail.detail === "string" ? detail.detail : `${r.status} ${r.statusText}`));
  }
  return r;
}

/** The label form's fields as the API wants them. */
function labelsOf(form: HTMLFormElement): Record<string, unknown> {
  const get = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
  return labelPayload({
    harmCategory: get("harm_category"),
    attackTechnique: get("attack_technique"),
    severity: get("severity"),
    modelFailed: (form.elements.namedItem("model_failed") as HTMLInputElement).checked,
    note: get("note"),
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * While a reply streams, waits for a writer or is followed, Finish would be refused (409): it is
 * disabled, its tooltip and the hint beside it saying why.
 */
function setBusy(busy: boolean): void {
  const finish = document.getElementById("rt-finish") as HTMLButtonElement | null;
  const why = document.getElementById("rt-finish-why");
  if (finish) {
    finish.disabled = busy;
    if (busy) finish.title = FINISH_BLOCKED;
    else finish.removeAttribute("title");
  }
  if (why) {
    why.textContent = busy ? FINISH_BLOCKED : "";
    why.hidden = !busy;
  }
}

/** Reload to the stored turns, keeping `message` to show on the reloaded page. */
function reloadWith(message: string): void {
  try {
    sessionStorage.setItem(FLASH_KEY, message);
  } catch {
    /* storage refused: the reloaded page shows the failure in its column anyway */
  }
  location.reload();
}

/** A turn being written (the page reloads to the stored one); returns the element text goes into. */
function bubble(role: string, text: string, into: HTMLElement, who = role === "user" ? "You" : "…"): HTMLElement {
  const div = document.createElement("div");
  div.className = "rt-turn";
  div.dataset.role = role;
  const label = document.createElement("div");
  label.className = "rt-who";
  label.textContent = who;
  const body = document.createElement("div");
  body.className = "rt-text";
  body.textContent = text;
  div.append(label, body);
  into.append(div);
  return body;
}

/** A new exchange at the end of the transcript: the tester's message, then a column a model. */
function newExchange(content: string, slots: number[]): Map<number, HTMLElement> {
  document.getElementById("rt-empty")?.remove();
  const exchange = document.createElement("div");
  exchange.className = "rt-exchange";
  document.getElementById("rt-turns")?.append(exchange);
  bubble("user", content, exchange);
  const columns = document.createElement("div");
  columns.className = "rt-columns";
  columns.style.setProperty("--rt-cols", String(slots.length));
  exchange.append(columns);
  const targets = new Map<number, HTMLElement>();
  for (const slot of slots) {
    const column = document.createElement("div");
    column.className = "rt-column";
    column.dataset.slot = String(slot);
    columns.append(column);
    targets.set(slot, bubble("assistant", "", column));
  }
  return targets;
}

/** The column of `slot` in the last exchange (a retried reply goes under the failed one). */
function lastColumn(slot: number): HTMLElement {
  const exchanges = document.querySelectorAll<HTMLElement>("#rt-turns .rt-exchange");
  const column = exchanges[exchanges.length - 1]?.querySelector<HTMLElement>(`.rt-column[data-slot="${slot}"]`);
  return column ?? (document.getElementById("rt-turns") as HTMLElement);
}

type Outcome = "done" | "failed" | "dropped" | "nothing";
let stopping = false;
let lastFailure = "";

/**
 * Streams the replies of `POST path` (each event names its model's `slot` and its `turn_id`) into
 * their columns. "dropped": the stream broke before every reply ended (the server went away);
 * "nothing": a resume found no reply to take over (409).
 */
async function streamReply(path: string, content?: string, slots: number[] = []): Promise<Outcome> {
  const targets = content === undefined ? new Map<number, HTMLElement>() : newExchange(content, slots);
  const byTurn = new Map<number, HTMLElement>();
  const target = (e: { slot?: number; turn_id?: number }): HTMLElement => {
    const id = e.turn_id ?? -1;
    let el = byTurn.get(id);
    if (el) return el;
    el = document.querySelector<HTMLElement>(`#turn-${id} .rt-text`) ?? undefined; // a resumed stored turn
    if (el) el.textContent = ""; // asked again from the start
    else el = targets.get(e.slot ?? 0) ?? bubble("assistant", "", lastColumn(e.slot ?? 0));
    byTurn.set(id, el);
    return el;
  };
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: content === undefined ? {} : { "Content-Type": "application/json" },
      body: content === undefined ? undefined : JSON.stringify({ content }),
    });
  } catch {
    return "dropped";
  }
  if (response.status === 409 && path.endsWith("/resume")) return "nothing";
  if (!response.ok) {
    const detail = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(detail.error?.message ?? `${response.status} ${response.statusText}`);
  }
  const open = new Set<number>();
  const failures: string[] = [];
  const who = (el: HTMLElement): HTMLElement | null => el.closest(".rt-turn")?.querySelector<HTMLElement>(".rt-who") ?? null;
  try {
    for await (const event of sseEvents(response.body as ReadableStream<Uint8Array>)) {
      if (stopping) return "failed";
      const e = event as { type?: string; text?: string; message?: string; slot?: number; turn_id?: number; model?: string };
      const el = target(e);
      const label = who(el);
      if (label && e.model && label.textContent === "…") label.textContent = e.model;
      if (e.type === "queued" || e.type === "started") {
        // waiting for one of the server's writers (it writes so many replies at once), then taken
        open.add(e.turn_id ?? -1);
        el.closest(".rt-turn")?.toggleAttribute("data-queued", e.type === "queued");
        if (label) label.textContent = e.type === "queued" ? `${e.model ?? "…"} · ${pendingNote({ queued: true })}` : (e.model ?? "…");
      } else if (e.type === "chunk" && typeof e.text === "string") {
        open.add(e.turn_id ?? -1);
        el.append(document.createTextNode(e.text));
      } else {
        open.delete(e.turn_id ?? -1);
        byTurn.set(e.turn_id ?? -1, el); // ended: a later event for it is not expected
        if (e.type === "error") {
          const message = e.message ?? "no reason given";
          // refusals already name their model ("model-b: the daily budget …")
          failures.push(e.model && !message.startsWith(`${e.model}:`) ? `${e.model}: ${message}` : message);
          el.closest(".rt-turn")?.setAttribute("data-error", "");
          const own = e.model && message.startsWith(`${e.model}: `) ? message.slice(e.model.length + 2) : message;
          if (label) label.textContent = `${e.model ?? "the model"} · failed: ${own}`;
        }
      }
    }
  } catch {
    return "dropped";
  }
  if (open.size > 0 || byTurn.size === 0) return "dropped"; // the stream ended before its replies did
  if (failures.length) {
    lastFailure = `${failures.length === 1 ? "A reply failed" : "Replies failed"}: ${failures.join("; ")}`;
    showError(lastFailure);
    return "failed"; // the error is shown; the caller reloads to the stored replies and the retry button
  }
  return "done";
}

interface StoredTurn { id: number; pending: boolean; stale: boolean; queued?: boolean; content: string }

/**
 * Waits on the replies being written, whoever writes them: while a live process writes one, its
 * saved text is shown as it grows; when one's heartbeat is stale (the server died mid-reply) it is
 * asked again (`POST …/resume`: regenerated into the same turn); when none is pending, the page
 * reloads to the stored replies. A server that is down is asked again every second.
 */
async function follow(base: string): Promise<void> {
  const stop = document.getElementById("rt-stop");
  if (stop) stop.hidden = false;
  setBusy(true);
  for (;;) {
    if (stopping) return;
    let turns: StoredTurn[];
    try {
      const r = await fetch(base, { credentials: "same-origin" });
      if (!r.ok) throw new Error(String(r.status));
      turns = ((await r.json()) as { turns: StoredTurn[] }).turns;
    } catch {
      await sleep(1000);
      continue;
    }
    const step = followStep(turns);
    const pending = turns.filter((t) => t.pending);
    if (step === "reload" || pending.some((t) => !document.getElementById(`turn-${t.id}`))) {
      location.reload(); // the stored turns (the server answered, so the reload will too)
      return;
    }
    if (step === "resume") {
      for (const t of pending.filter((x) => x.stale)) {
        const note = document.querySelector(`#turn-${t.id} .rt-writing`);
        if (note) note.textContent = "interrupted (the server stopped): asking again…";
      }
      const outcome = await streamReply(`${base}/resume`);
      if (outcome === "done") {
        location.reload();
        return;
      }
      if (outcome === "failed") {
        if (!stopping) reloadWith(lastFailure);
        return;
      }
      continue;
    }
    for (const t of pending) {
      const text = document.querySelector(`#turn-${t.id} .rt-text`);
      if (text) text.textContent = t.content;
      const note = document.querySelector(`#turn-${t.id} .rt-writing`);
      if (note) note.textContent = pendingNote(t);
      document.getElementById(`turn-${t.id}`)?.toggleAttribute("data-queued", t.queued === true);
    }
    await sleep(1000);
  }
}

async function send(base: string, form: HTMLFormElement, slots: number[]): Promise<void> {
  const box = form.elements.namedItem("content") as HTMLTextAreaElement;
  const content = box.value;
  if (!content.trim()) return;
  (form.querySelector("button[type=submit]") as HTMLButtonElement).disabled = true;
  const stop = document.getElementById("rt-stop");
  if (stop) stop.hidden = false;
  box.value = "";
  setBusy(true);
  let outcome: Outcome;
  try {
    outcome = await streamReply(`${base}/turns`, content, slots);
  } catch (err) {
    // refused before anything was stored (no model could be asked): the message goes back in the box
    box.value = content;
    (form.querySelector("button[type=submit]") as HTMLButtonElement).disabled = false;
    if (stop) stop.hidden = true;
    setBusy(false);
    document.querySelector("#rt-turns .rt-exchange:last-child")?.remove();
    throw err;
  }
  if (outcome === "done") location.reload(); // the stored turns, with their label controls
  else if (outcome === "failed" && !stopping) reloadWith(lastFailure); // the failed column and Retry
  else if (outcome === "dropped") await follow(base);
}

function start(): void {
  const root = document.getElementById("lw-redteam");
  const errorBox = document.getElementById("rt-error");
  if (!root) return;
  let flash: string | null = null;
  try {
    flash = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
  } catch {
    flash = null;
  }
  if (flash) showError(flash);
  const project = root.dataset.project;
  const session = root.dataset.session;
  const api = `/api/v1/projects/${project}/redteam`;
  const base = `${api}/sessions/${session}`;
  const slots = JSON.parse(root.dataset.models ?? "[]") as number[];
  const guard = (work: Promise<void>): void => {
    work.catch((err: unknown) => showError(err instanceof Error ? err.message : String(err)));
  };

  document.getElementById("rt-new")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const ids = data.getAll("connection_id").map(Number);
    if (ids.length === 0) {
      showError("Choose at least one target model.");
      return;
    }
    guard(call("POST", `${api}/sessions`, sessionBody(ids, String(data.get("title") ?? "")))
      .then((r) => r.json())
      .then((s: { id: number }) => { location.search = `?session=${s.id}`; }));
  });
  document.getElementById("rt-send")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    guard(send(base, ev.currentTarget as HTMLFormElement, slots));
  });
  document.getElementById("rt-send")?.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) (ev.currentTarget as HTMLFormElement).requestSubmit();
  });
  document.getElementById("rt-retry")?.addEventListener("click", (ev) => {
    const button = ev.currentTarget as HTMLButtonElement;
    button.disabled = true;
    setBusy(true);
    guard(streamReply(`${base}/retry`).then(async (outcome) => {
      if (outcome === "done") location.reload();
      else if (outcome === "failed" && !stopping) reloadWith(lastFailure);
      else if (outcome === "dropped") await follow(base);
    }, (err: unknown) => {
      button.disabled = false; // refused (still over budget): nothing was stored, try later
      setBusy(false);
      throw err;
    }));
  });
  document.getElementById("rt-stop")?.addEventListener("click", (ev) => {
    stopping = true;
    (ev.currentTarget as HTMLButtonElement).disabled = true;
    guard(call("POST", `${base}/stop`).then(() => location.reload()));
  });
  // a reply still being written when the page loads (a reload mid-reply, a server restart): follow it
  if (document.getElementById("rt-send") && document.querySelector(".rt-turn[data-pending]")) guard(follow(base));
  document.getElementById("rt-taxonomy")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(ev.currentTarget as HTMLFormElement);
    guard(call("PUT", `${api}/taxonomy`, {
      harm_categories: taxonomyLines(String(data.get("harm_categories") ?? "")),
      attack_techniques: taxonomyLines(String(data.get("attack_techniques") ?? "")),
    }).then(() => location.reload()));
  });
  document.getElementById("rt-reopen")?.addEventListener("click", () => {
    guard(call("POST", `${base}/reopen`).then(() => location.reload()));
  });
  document.getElementById("rt-finish")?.addEventListener("click", () => {
    guard(call("POST", `${base}/finish`).then(() => location.reload()));
  });
  document.getElementById("rt-review")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(ev.currentTarget as HTMLFormElement);
    guard(call("POST", `${base}/review`, { verdict: data.get("verdict"), note: data.get("note") ?? "" })
      .then(() => location.reload()));
  });
  for (const form of document.querySelectorAll<HTMLFormElement>("form.rt-labels")) {
    form.addEventListener("submit", (ev) => ev.preventDefault());
    form.addEventListener("change", () => {
      guard(call("PATCH", `${base}/turns/${form.dataset.turn}`, labelsOf(form)).then(() => {
        form.dataset.saved = "true";
        if (errorBox) errorBox.hidden = true;
      }));
    });
  }
}

start();
