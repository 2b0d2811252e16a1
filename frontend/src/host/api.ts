/** The REST calls the labeling page makes (docs/labeling-contract.md). */

import type { JsonObject } from "../lib/json";
import type { ChatMessageWire } from "../lib/protocol";
import { isRetryableStatus } from "./retry";

export interface Task {
  assignment_id: number;
  item_id: number;
  project_id: number;
  expires_at: string;
  frame_url: string;
  draft: JsonObject | null;
  data: JsonObject;
  labels: string[];
  multi_label: boolean;
}

export interface SubmitBody {
  client_submission_id: string;
  value: JsonObject;
  active_ms: number;
}

/** Any non-2xx answer, or no answer at all (status 0), with the error envelope's fields. */
export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return isRetryableStatus(this.status);
  }
}

function fallbackMessage(status: number): string {
  if (status === 0) return "The server could not be reached. Check your connection.";
  if (status === 401) return "Your session has ended. Sign in again to go on labeling.";
  if (status === 403) return "You do not have access to this project.";
  if (status === 404) return "Not found.";
  if (status >= 500) return `The server had a problem (HTTP ${status}).`;
  return `The request failed (HTTP ${status}).`;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let code: string | null = null;
  let message = fallbackMessage(res.status);
  let field: string | null = null;
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
    const err = body?.error;
    if (err) {
      if (typeof err.code === "string") code = err.code;
      if (typeof err.message === "string" && err.message) message = err.message;
      if (typeof err.field === "string") field = err.field;
    }
  } catch {
    // not the JSON envelope (a proxy's HTML page): keep the fallback message
  }
  return new ApiError(res.status, message, code, field);
}

function isTask(v: unknown): v is Task {
  if (!v || typeof v !== "object") return false;
  const t = v as Record<string, unknown>;
  return typeof t.assignment_id === "number" && typeof t.frame_url === "string" && typeof t.expires_at === "string";
}

export class LabelingApi {
  /** Server clock minus ours, from the last response's Date header (for the lease countdown). */
  serverOffsetMs = 0;

  constructor(
    private readonly base: string,
    private readonly projectId: string,
  ) {}

  private async request(method: string, path: string, body?: unknown, keepalive = false, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        credentials: "same-origin",
        keepalive,
        signal,
        headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, fallbackMessage(0), "network_error");
    }
    const date = Date.parse(res.headers.get("Date") ?? "");
    if (!Number.isNaN(date)) this.serverOffsetMs = date - Date.now();
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  /** The next task, or null when nothing is left for this annotator (204). */
  async next(exclude: number[]): Promise<Task | null> {
    const res = await this.request("POST", `/projects/${encodeURIComponent(this.projectId)}/next`, { exclude });
    if (res.status === 204) return null;
    const task: unknown = await res.json();
    if (!isTask(task)) throw new ApiError(res.status, "The server sent a task this page cannot read.", "bad_task");
    return task;
  }

  async saveDraft(assignmentId: number, value: JsonObject, keepalive = false): Promise<void> {
    await this.request("PUT", `/assignments/${assignmentId}/draft`, { value }, keepalive);
  }

  async submit(assignmentId: number, body: SubmitBody): Promise<unknown> {
    const res = await this.request("POST", `/assignments/${assignmentId}/submit`, body);
    return res.status === 204 ? null : res.json().catch(() => null);
  }

  async skip(assignmentId: number): Promise<void> {
    await this.request("POST", `/assignments/${assignmentId}/skip`);
  }

  /** Runs an assist on the task's image (`name`), or lists the task's assists (`name` null). */
  async assist(assignmentId: number, name: string | null, params: JsonObject): Promise<unknown> {
    const res = name === null
      ? await this.request("GET", `/tasks/${assignmentId}/assists`)
      : await this.request("POST", `/tasks/${assignmentId}/assist/${encodeURIComponent(name)}`, params);
    return res.json();
  }

  /** The project's model connections (names and ids; keys never leave the server). */
  async models(projectId: number): Promise<unknown> {
    return (await this.request("GET", `/projects/${projectId}/models`)).json();
  }

  /** Starts a streamed reply: the text/event-stream body, once the server accepted the request. `signal` aborts it (Stop). */
  async generate(
    projectId: number,
    connectionId: number,
    body: { messages: ChatMessageWire[]; params: JsonObject; item_id: number },
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const res = await this.request("POST", `/projects/${projectId}/models/${connectionId}/generate`, body, false, signal);
    if (!res.body) throw new ApiError(0, "The browser gave no way to read the model's reply.", "no_stream");
    return res.body;
  }

  async release(assignmentId: number, keepalive = false): Promise<void> {
    await this.request("POST", `/assignments/${assignmentId}/release`, undefined, keepalive);
  }
}
