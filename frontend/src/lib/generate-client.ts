/**
 * Model replies from inside the task frame (docs/models.md). The frame cannot reach the API (its
 * CSP says connect-src 'none'), so `generate()` posts an `lw:generate` to the labeling page, which
 * calls `POST /api/v1/projects/{project}/models/{model}/generate` and relays the server-sent
 * events back: `lw:generate-chunk` messages in order (each handed to `onChunk`), then one
 * `lw:generate-done` that settles the promise with the stored generation's record. Aborting the
 * `signal` option (Stop) posts `lw:generate-cancel`: the page aborts its request, the server stops
 * the model and keeps what arrived as a cancelled generation, and the promise rejects at once with
 * a `GenerateCancelled`. Outside the labeling page there is no transport and `generate()` rejects
 * saying so.
 */

import type { JsonObject, JsonValue } from "./json";
import type { ChatMessageWire, GenerateAnswer, GenerateCancel, GenerateRequest } from "./protocol";

export type { ChatMessageWire } from "./protocol";

/** What the server stored for one reply (`done` event of the generate endpoint). */
export interface GenerationResult {
  generationId: number;
  model: string;
  text: string;
  finishReason: string | null;
  latencyMs: number;
  firstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
}

/** A model connection as elements see it (never its key). */
export interface ModelInfo {
  id: number;
  name: string;
  kind: string;
  model: string;
  /** Whether this worker may generate with it now (their role is allowed, no token budget is used up). */
  mayGenerate: boolean;
  /** Why not, in the server's words (the role, or the budget and when it resets); null when they may. */
  refusal: string | null;
}

export interface GenerateOptions {
  params?: JsonObject;
  onChunk?: (text: string) => void;
  /** Aborting it stops the reply (at the server too); the promise rejects with `GenerateCancelled`. */
  signal?: AbortSignal;
}

/** Carries one request; `onChunk` sees each piece; resolves with the final JSON or rejects. */
export type GenerateTransport = (
  model: number | string | null,
  messages: ChatMessageWire[],
  params: JsonObject,
  onChunk: (text: string) => void,
  signal?: AbortSignal,
) => Promise<JsonValue>;

export const NO_PAGE_MESSAGE = "model replies need the labeling page: this element is not inside a task frame";
/** A reply that has not finished by then is given up on (connections time out per read, not per reply). */
export const GENERATE_TIMEOUT_MS = 600_000;

let transport: GenerateTransport | null = null;

export function setGenerateTransport(fn: GenerateTransport | null): void {
  transport = fn;
}

export function generateConnected(): boolean {
  return transport !== null;
}

/** The server's or the host's error, with the field it names when there is one. */
export class GenerateError extends Error {
  override name = "GenerateError";
  constructor(
    message: string,
    readonly field: string | null = null,
    /** The stored generation of a failed call (the server keeps failures too), when there is one. */
    readonly generationId: number | null = null,
  ) {
    super(message);
  }
}

/** The reply was stopped by its caller (the `signal` aborted); what arrived was kept by the server. */
export class GenerateCancelled extends GenerateError {
  override name = "GenerateCancelled";
  constructor() {
    super("the reply was stopped");
  }
}

function fail(what: string): never {
  throw new GenerateError(`the model's answer is malformed: ${what}`);
}

function intOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function parseGenerationResult(v: unknown): GenerationResult {
  const o = (v && typeof v === "object" && !Array.isArray(v) ? v : fail("not an object")) as Record<string, unknown>;
  if (typeof o.generation_id !== "number" || typeof o.text !== "string" || typeof o.model !== "string") {
    fail("generation_id, text and model are required");
  }
  return {
    generationId: o.generation_id,
    model: o.model,
    text: o.text,
    finishReason: typeof o.finish_reason === "string" ? o.finish_reason : null,
    latencyMs: intOrNull(o.latency_ms) ?? 0,
    firstTokenMs: intOrNull(o.first_token_ms),
    promptTokens: intOrNull(o.prompt_tokens),
    completionTokens: intOrNull(o.completion_tokens),
  };
}

export function parseModelInfos(v: unknown): ModelInfo[] {
  if (!Array.isArray(v)) fail("the list of models is not a list");
  return v.map((m: unknown, i) => {
    const o = (m && typeof m === "object" ? m : fail(`model ${i} is not an object`)) as Record<string, unknown>;
    if (typeof o.id !== "number" || typeof o.name !== "string") fail(`model ${i} lacks an id or a name`);
    // a server that says nothing about it (older) lets everyone try: the generate call still checks
    const refusal = typeof o.generate_refusal === "string" && o.generate_refusal ? o.generate_refusal : null;
    return {
      id: o.id,
      name: o.name,
      kind: typeof o.kind === "string" ? o.kind : "",
      model: typeof o.model === "string" ? o.model : "",
      mayGenerate: o.may_generate !== false,
      refusal: o.may_generate === false ? (refusal ?? "you may not generate with this model") : null,
    };
  });
}

/** Streams a reply from the project's model `model` (its id or name) to `messages`. */
export async function generate(
  model: number | string,
  messages: ChatMessageWire[],
  options: GenerateOptions = {},
): Promise<GenerationResult> {
  if (!transport) throw new GenerateError(NO_PAGE_MESSAGE);
  const onChunk = options.onChunk ?? (() => undefined);
  return parseGenerationResult(await transport(model, messages, options.params ?? {}, onChunk, options.signal));
}

/** The project's model connections (empty outside the labeling page). */
export async function listModels(): Promise<ModelInfo[]> {
  if (!transport) return [];
  return parseModelInfos(await transport(null, [], {}, () => undefined));
}

/**
 * The frame's side of the channel: `send` posts an `lw:generate`; `answer` routes the host's
 * chunks to the request's `onChunk` and settles it on `lw:generate-done`. Chunks for a request
 * that already ended (timed out, stopped) are dropped. An aborted `signal` sends `lw:generate-cancel`
 * and rejects with `GenerateCancelled`.
 */
export function frameGenerateChannel(send: (msg: GenerateRequest | GenerateCancel) => void, timeoutMs = GENERATE_TIMEOUT_MS): {
  transport: GenerateTransport;
  answer(msg: GenerateAnswer): void;
} {
  let nextId = 1;
  type Waiting = { resolve(v: JsonValue): void; reject(e: Error): void; onChunk(t: string): void; timer: ReturnType<typeof setTimeout> };
  const pending = new Map<number, Waiting>();
  return {
    transport: (model, messages, params, onChunk, signal) =>
      new Promise<JsonValue>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new GenerateCancelled());
          return;
        }
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          send({ type: "lw:generate-cancel", id }); // nobody waits for it any more: stop spending on it
          reject(new GenerateError(`the model did not finish within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, onChunk, timer });
        send({ type: "lw:generate", id, model, messages, params });
        signal?.addEventListener("abort", () => {
          if (!pending.delete(id)) return; // it had ended already
          clearTimeout(timer);
          send({ type: "lw:generate-cancel", id });
          reject(new GenerateCancelled());
        }, { once: true });
      }),
    answer(msg) {
      const waiting = pending.get(msg.id);
      if (!waiting) return;
      if (msg.type === "lw:generate-chunk") {
        waiting.onChunk(msg.text);
        return;
      }
      pending.delete(msg.id);
      clearTimeout(waiting.timer);
      if (msg.ok) waiting.resolve(msg.result);
      else {
        const gid = (msg.error as { generation_id?: unknown }).generation_id;
        waiting.reject(new GenerateError(msg.error.message, msg.error.field ?? null, typeof gid === "number" ? gid : null));
      }
    },
  };
}
