/**
 * The postMessage protocol between the labeling page (host) and the task frame
 * (docs/labeling-contract.md). Every message is `{type, nonce, …}`; each side drops anything that
 * is not from the expected window (checked by the caller on `event.source`), carries the wrong
 * nonce, or does not have the exact shape below. Pure: no DOM.
 */

import { FORWARDED_KEYS } from "./hotkeys";
import { isJsonObject, type JsonObject } from "./json";

/** Frame → host. `lw:activity` is a throttled "the worker is still busy in the frame" ping. */
export type FrameMessage =
  | { type: "lw:ready"; height: number }
  | { type: "lw:change"; value: JsonObject }
  | { type: "lw:submit"; value: JsonObject }
  | { type: "lw:skip" }
  | { type: "lw:resize"; height: number }
  | { type: "lw:activity" };

/** Host → frame. */
export type HostMessage =
  | { type: "lw:init"; draft: JsonObject | null }
  | { type: "lw:key"; key: string };

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
    default:
      return null;
  }
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
    default:
      return null;
  }
}

/** Builds the wire form of a message (the nonce goes on every one). */
export function withNonce<M extends FrameMessage | HostMessage>(msg: M, nonce: string): M & { nonce: string } {
  return { ...msg, nonce };
}
