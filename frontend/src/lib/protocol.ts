/**
 * The postMessage protocol between the labeling page (host) and the task frame
 * (docs/labeling-contract.md). Every message is `{type, nonce, …}`; each side drops anything that
 * is not from the expected window (checked by the caller on `event.source`), carries the wrong
 * nonce, or does not have the exact shape below. Pure: no DOM.
 */

import { FORWARDED_KEYS } from "./hotkeys";
import { isJsonObject, isJsonValue, type JsonObject, type JsonValue } from "./json";

/** Frame → host. `lw:activity` is a throttled "the worker is still busy in the frame" ping. */
export type FrameMessage =
  | { type: "lw:ready"; height: number }
  | { type: "lw:change"; value: JsonObject }
  | { type: "lw:submit"; value: JsonObject }
  | { type: "lw:skip" }
  | { type: "lw:resize"; height: number }
  | { type: "lw:activity" }
  | AssistRequest
  | GenerateRequest
  | GenerateCancel;

/**
 * Frame → host: run an assist on this task's image (`name`), or list the available ones
 * (`name` null). The host answers `lw:assist-result` with the same `id` (docs/assist.md).
 */
export interface AssistRequest {
  type: "lw:assist";
  id: number;
  name: string | null;
  params: JsonObject;
}

/** Host → frame: the answer to one `lw:assist` (the API's JSON, checked by lib/assist-client.ts). */
export type AssistAnswer =
  | { type: "lw:assist-result"; id: number; ok: true; result: JsonValue }
  | { type: "lw:assist-result"; id: number; ok: false; error: { message: string; field?: string } };

const ASSIST_NAME_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** One chat message an element sends to a model. */
export interface ChatMessageWire {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * Frame → host: stream a reply from one of the project's model connections (`model`: its id or
 * name), or list them (`model` null). The host relays the API's server-sent events as
 * `lw:generate-chunk` (in order) and one `lw:generate-done`, all with the same `id`
 * (docs/models.md).
 */
export interface GenerateRequest {
  type: "lw:generate";
  id: number;
  model: number | string | null;
  messages: ChatMessageWire[];
  params: JsonObject;
}

/**
 * Frame → host: stop the reply asked for by `lw:generate` `id` (the worker pressed Stop). The host
 * aborts its request, so the server stops reading from the model and stores what arrived as a
 * cancelled generation; no `lw:generate-done` follows.
 */
export interface GenerateCancel {
  type: "lw:generate-cancel";
  id: number;
}

/** Host → frame: a piece of the reply, or the end (the stored generation's record, or the error). */
export type GenerateAnswer =
  | { type: "lw:generate-chunk"; id: number; text: string }
  | { type: "lw:generate-done"; id: number; ok: true; result: JsonValue }
  | { type: "lw:generate-done"; id: number; ok: false; error: { message: string; field?: string } };

const MODEL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$/;
const MAX_GENERATE_MESSAGES = 200;

function chatMessages(v: unknown): ChatMessageWire[] | null {
  if (!Array.isArray(v) || v.length > MAX_GENERATE_MESSAGES) return null;
  const out: ChatMessageWire[] = [];
  for (const m of v) {
    if (!m || typeof m !== "object") return null;
    const { role, content } = m as Record<string, unknown>;
    if ((role !== "system" && role !== "user" && role !== "assistant") || typeof content !== "string") return null;
    out.push({ role, content });
  }
  return out;
}

/** Host → frame. */
export type HostMessage =
  | { type: "lw:init"; draft: JsonObject | null }
  | { type: "lw:key"; key: string }
  | AssistAnswer
  | GenerateAnswer;

/** Heights are clamped: a frame must not be able to grow the page without bound. */
export const MAX_FRAME_HEIGHT = 20_000;

const NONCE_RE = /^[A-Za-z0-9_-]{8,128}$/;

export function isValidNonce(nonce: unknown): nonce is string {
  return typeof nonce === "string" && NONCE_RE.test(nonce);
}

function envelope(data: unknown, nonce: string): Record<string, unknown> | null {
  if (!isValidNonce(nonce)) return null;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return null;
  const msg = data as Record<string, unknown>;
  if (msg.nonce !== nonce || typeof msg.type !== "string") return null;
  return msg;
}

function height(v: unknown): number | null {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return null;
  return Math.min(Math.ceil(v), MAX_FRAME_HEIGHT);
}

/** Host side: validate a message that came from the task frame. */
export function parseFrameMessage(data: unknown, nonce: string): FrameMessage | null {
  const msg = envelope(data, nonce);
  if (!msg) return null;
  switch (msg.type) {
    case "lw:ready":
    case "lw:resize": {
      const h = height(msg.height);
      return h === null ? null : { type: msg.type, height: h };
    }
    case "lw:change":
    case "lw:submit":
      return isJsonObject(msg.value) ? { type: msg.type, value: msg.value } : null;
    case "lw:skip":
    case "lw:activity":
      return { type: msg.type };
    case "lw:assist": {
      const name = msg.name === null ? null : typeof msg.name === "string" && ASSIST_NAME_RE.test(msg.name) ? msg.name : undefined;
      if (!isRequestId(msg.id) || name === undefined || !isJsonObject(msg.params)) return null;
      return { type: "lw:assist", id: msg.id, name, params: msg.params };
    }
    case "lw:generate": {
      const model =
        msg.model === null ? null
        : typeof msg.model === "number" && isRequestId(msg.model) ? msg.model
        : typeof msg.model === "string" && MODEL_NAME_RE.test(msg.model) ? msg.model
        : undefined;
      const messages = chatMessages(msg.messages);
      if (!isRequestId(msg.id) || model === undefined || !messages || !isJsonObject(msg.params)) return null;
      return { type: "lw:generate", id: msg.id, model, messages, params: msg.params };
    }
    case "lw:generate-cancel":
      return isRequestId(msg.id) ? { type: "lw:generate-cancel", id: msg.id } : null;
    default:
      return null;
  }
}

function isRequestId(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function assistAnswer(msg: Record<string, unknown>): AssistAnswer | null {
  if (!isRequestId(msg.id)) return null;
  if (msg.ok === true) {
    return isJsonValue(msg.result) ? { type: "lw:assist-result", id: msg.id, ok: true, result: msg.result } : null;
  }
  if (msg.ok !== false || !msg.error || typeof msg.error !== "object") return null;
  const err = msg.error as Record<string, unknown>;
  if (typeof err.message !== "string") return null;
  const error: { message: string; field?: string } = { message: err.message };
  if (typeof err.field === "string") error.field = err.field;
  return { type: "lw:assist-result", id: msg.id, ok: false, error };
}

function errorOf(v: unknown): { message: string; field?: string } | null {
  if (!v || typeof v !== "object") return null;
  const err = v as Record<string, unknown>;
  if (typeof err.message !== "string") return null;
  return typeof err.field === "string" ? { message: err.message, field: err.field } : { message: err.message };
}

function generateAnswer(msg: Record<string, unknown>): GenerateAnswer | null {
  if (!isRequestId(msg.id)) return null;
  if (msg.type === "lw:generate-chunk") {
    return typeof msg.text === "string" ? { type: "lw:generate-chunk", id: msg.id, text: msg.text } : null;
  }
  if (msg.ok === true) {
    return isJsonValue(msg.result) ? { type: "lw:generate-done", id: msg.id, ok: true, result: msg.result } : null;
  }
  const error = msg.ok === false ? errorOf(msg.error) : null;
  return error ? { type: "lw:generate-done", id: msg.id, ok: false, error } : null;
}

/** Frame side: validate a message that came from the host page. */
export function parseHostMessage(data: unknown, nonce: string): HostMessage | null {
  const msg = envelope(data, nonce);
  if (!msg) return null;
  switch (msg.type) {
    case "lw:init":
      if (msg.draft === null || msg.draft === undefined) return { type: "lw:init", draft: null };
      return isJsonObject(msg.draft) ? { type: "lw:init", draft: msg.draft } : null;
    case "lw:key":
      return typeof msg.key === "string" && (FORWARDED_KEYS.includes(msg.key) || msg.key === "s" || msg.key === "S")
        ? { type: "lw:key", key: msg.key }
        : null;
    case "lw:assist-result":
      return assistAnswer(msg);
    case "lw:generate-chunk":
    case "lw:generate-done":
      return generateAnswer(msg);
    default:
      return null;
  }
}

/** Builds the wire form of a message (the nonce goes on every one). */
export function withNonce<M extends FrameMessage | HostMessage>(msg: M, nonce: string): M & { nonce: string } {
  return { ...msg, nonce };
}
