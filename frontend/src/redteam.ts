/**
 * The red-team page's script (web/templates/redteam.html, docs/redteam.md). The page is rendered
 * from the database, so a reload always shows every stored turn; this script only:
 * - streams a reply in: `POST /api/v1/projects/{p}/redteam/sessions/{s}/turns` answers with
 *   server-sent events (chunks, then `done`/`error` once both turns are stored), then reloads;
 * - saves a reply's labels on each change (`PATCH …/turns/{t}`), showing the server's error;
 * - retries the last message when its reply failed (`POST …/retry`, the same events);
 * - starts, finishes, reopens and reviews sessions and saves the taxonomy through the same API (same
 *   origin, the session cookie).
 */

import { sseEvents } from "./host/generate-host";
import { labelPayload, taxonomyLines } from "./lib/redteam-labels";

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

/** A turn being written (the page reloads to the stored one); returns the element text goes into. */
function bubble(role: string, text: string): HTMLElement {
  const div = document.createElement("div");
  div.className = "rt-turn";
  div.dataset.role = role;
  const who = document.createElement("div");
  who.className = "rt-who";
  who.textContent = role === "user" ? "You" : "…";
  const body = document.createElement("div");
  body.className = "rt-text";
  body.textContent = text;
  div.append(who, body);
  document.getElementById("rt-empty")?.remove();
  document.getElementById("rt-turns")?.append(div);
  return body;
}

/** Streams the reply of `POST path` into a new bubble, then reloads to the stored turns. */
async function streamReply(path: string, content?: string): Promise<void> {
  if (content !== undefined) bubble("user", content);
  const reply = bubble("assistant", "");
  const response = await call("POST", path, content === undefined ? undefined : { content });
  for await (const event of sseEvents(response.body as ReadableStream<Uint8Array>)) {
    const e = event as { type?: string; text?: string; message?: string };
    if (e.type === "chunk" && typeof e.text === "string") reply.append(document.createTextNode(e.text));
    else if (e.type === "error") {
      showError(`The model failed: ${e.message ?? "no reason given"}`);
      return; // stay: the error is shown; a reload shows the failed turn and the retry button
    }
  }
  location.reload(); // the stored turns, with their label controls
}

async function send(base: string, form: HTMLFormElement): Promise<void> {
  const box = form.elements.namedItem("content") as HTMLTextAreaElement;
  const content = box.value;
  if (!content.trim()) return;
  (form.querySelector("button[type=submit]") as HTMLButtonElement).disabled = true;
  box.value = "";
  await streamReply(`${base}/turns`, content);
}

function start(): void {
  const root = document.getElementById("lw-redteam");
  const errorBox = document.getElementById("rt-error");
  if (!root) return;
  const project = root.dataset.project;
  const session = root.dataset.session;
  const api = `/api/v1/projects/${project}/redteam`;
  const base = `${api}/sessions/${session}`;
  const guard = (work: Promise<void>): void => {
    work.catch((err: unknown) => showError(err instanceof Error ? err.message : String(err)));
  };

  document.getElementById("rt-new")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    guard(call("POST", `${api}/sessions`, { connection_id: Number(data.get("connection_id")), title: data.get("title") ?? "" })
      .then((r) => r.json())
      .then((s: { id: number }) => { location.search = `?session=${s.id}`; }));
  });
  document.getElementById("rt-send")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    guard(send(base, ev.currentTarget as HTMLFormElement));
  });
  document.getElementById("rt-send")?.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) (ev.currentTarget as HTMLFormElement).requestSubmit();
  });
  document.getElementById("rt-retry")?.addEventListener("click", (ev) => {
    (ev.currentTarget as HTMLButtonElement).disabled = true;
    guard(streamReply(`${base}/retry`));
  });
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
