/**
 * Assists from inside the task frame (docs/assist.md). The frame cannot reach the API (its CSP
 * says connect-src 'none'), so a request goes to the labeling page as an `lw:assist` message and
 * the page calls `POST /api/v1/tasks/{assignment}/assist/{name}`; the answer comes back as
 * `lw:assist-result`. The frame bootstrap installs that postMessage transport; outside the
 * labeling page (an element on its own) there is none and `assist()` rejects saying so.
 */

import type { JsonObject, JsonValue } from "./json";
import type { AssistAnswer, AssistRequest } from "./protocol";

export type AssistNeeds = "box" | "points" | "point" | "none";

export interface AssistInfo {
  name: string;
  title: string;
  kinds: string[];
  needs: AssistNeeds;
  model: string;
}

export interface XY {
  x: number;
  y: number;
}

interface RegionCommon {
  source: "model";
  score?: number;
  label?: string;
  text?: string;
}

export type Region = RegionCommon &
  (
    | { kind: "box"; left: number; top: number; width: number; height: number }
    | { kind: "polygon"; points: XY[] }
    | { kind: "keypoints"; points: (XY & { label: string; score?: number })[] }
    | { kind: "mask"; width: number; height: number; png: string }
    | { kind: "superpixels"; width: number; height: number; png: string; count: number }
    /** Text: code point offsets into the task's text, end exclusive (docs/assist.md). */
    | { kind: "span"; startOffset: number; endOffset: number }
    /** Text: a suggested document label (`label` is always set). */
    | { kind: "label"; label: string }
  );

export interface AssistResult {
  assist: string;
  model: string;
  seconds: number;
  regions: Region[];
}

/** Carries one request to whoever runs assists; resolves with the API's JSON or rejects with an Error. */
export type AssistTransport = (name: string | null, params: JsonObject) => Promise<JsonValue>;

export const NO_PAGE_MESSAGE = "assists need the labeling page: this element is not inside a task frame";
/** An assist that has not answered by then is given up on (the server's own limits are shorter). */
export const ASSIST_TIMEOUT_MS = 120_000;

let transport: AssistTransport | null = null;

/** Installs the transport: the frame bootstrap's postMessage channel, or a fake in unit tests. */
export function setAssistTransport(fn: AssistTransport | null): void {
  transport = fn;
}

export function assistsConnected(): boolean {
  return transport !== null;
}

/** An error from the server or the host, with the field it names (`params.box`) when there is one. */
export class AssistError extends Error {
  override name = "AssistError";
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

function fail(what: string): never {
  throw new AssistError(`the assist's answer is malformed: ${what}`);
}

function num(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(`${what} is not a number`);
  return v;
}

function offset(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) fail(`${what} is not a whole number ≥ 0`);
  return v;
}

function points(v: unknown, what: string, labelled: boolean): (XY & { label?: string; score?: number })[] {
  if (!Array.isArray(v)) fail(`${what} is not a list`);
  return v.map((p: unknown, i) => {
    const o = (p && typeof p === "object" ? p : fail(`${what}[${i}] is not an object`)) as Record<string, unknown>;
    const pt: XY & { label?: string; score?: number } = { x: num(o.x, `${what}[${i}].x`), y: num(o.y, `${what}[${i}].y`) };
    if (labelled) {
      pt.label = typeof o.label === "string" ? o.label : fail(`${what}[${i}].label is not a string`);
      if (typeof o.score === "number") pt.score = o.score;
    }
    return pt;
  });
}

/** Checks one region of an answer (the server already validated it; this guards the frame's code). */
export function parseRegion(v: unknown, i: number): Region {
  const o = (v && typeof v === "object" ? v : fail(`region ${i} is not an object`)) as Record<string, unknown>;
  const common: RegionCommon = { source: "model" };
  if (typeof o.score === "number") common.score = o.score;
  if (typeof o.label === "string") common.label = o.label;
  if (typeof o.text === "string") common.text = o.text;
  const at = `regions[${i}]`;
  switch (o.kind) {
    case "box":
      return { ...common, kind: "box", left: num(o.left, `${at}.left`), top: num(o.top, `${at}.top`), width: num(o.width, `${at}.width`), height: num(o.height, `${at}.height`) };
    case "polygon":
      return { ...common, kind: "polygon", points: points(o.points, `${at}.points`, false) };
    case "keypoints":
      return { ...common, kind: "keypoints", points: points(o.points, `${at}.points`, true) as (XY & { label: string })[] };
    case "mask":
    case "superpixels": {
      const png = typeof o.png === "string" ? o.png : fail(`${at}.png is not a string`);
      const size = { width: num(o.width, `${at}.width`), height: num(o.height, `${at}.height`), png };
      return o.kind === "mask" ? { ...common, kind: "mask", ...size } : { ...common, kind: "superpixels", ...size, count: num(o.count, `${at}.count`) };
    }
    case "span": {
      const startOffset = offset(o.startOffset, `${at}.startOffset`);
      const endOffset = offset(o.endOffset, `${at}.endOffset`);
      if (endOffset <= startOffset) fail(`${at}.endOffset is not after startOffset`);
      if (o.label !== undefined && typeof o.label !== "string") fail(`${at}.label is not a string`);
      return { ...common, kind: "span", startOffset, endOffset };
    }
    case "label":
      if (typeof o.label !== "string") fail(`${at}.label is not a string`);
      return { ...common, kind: "label", label: o.label };
    default:
      return fail(`${at}.kind ${JSON.stringify(o.kind)} is unknown`);
  }
}

export function parseAssistResult(v: unknown): AssistResult {
  const o = (v && typeof v === "object" && !Array.isArray(v) ? v : fail("not an object")) as Record<string, unknown>;
  if (typeof o.assist !== "string" || typeof o.model !== "string") fail("assist and model must be strings");
  if (!Array.isArray(o.regions)) fail("regions is not a list");
  return { assist: o.assist, model: o.model, seconds: num(o.seconds, "seconds"), regions: o.regions.map(parseRegion) };
}

export function parseAssistInfos(v: unknown): AssistInfo[] {
  if (!Array.isArray(v)) fail("the list of assists is not a list");
  return v.map((a: unknown, i) => {
    const o = (a && typeof a === "object" ? a : fail(`assist ${i} is not an object`)) as Record<string, unknown>;
    const needs = o.needs;
    if (typeof o.name !== "string" || typeof o.title !== "string" || typeof o.model !== "string") fail(`assist ${i} lacks a name, title or model`);
    if (needs !== "box" && needs !== "points" && needs !== "point" && needs !== "none") fail(`assist ${i} has an unknown "needs"`);
    const kinds = Array.isArray(o.kinds) ? o.kinds.filter((k): k is string => typeof k === "string") : [];
    return { name: o.name, title: o.title, kinds, needs, model: o.model };
  });
}

/** Runs assist `name` on this task's image (or, for a text assist, its text: the server reads it). */
export async function assist(name: string, params: Record<string, unknown>): Promise<AssistResult> {
  if (!transport) throw new AssistError(NO_PAGE_MESSAGE);
  return parseAssistResult(await transport(name, params as JsonObject));
}

/** The assists this project offers on this task (empty outside the labeling page). */
export async function assistAvailable(): Promise<AssistInfo[]> {
  if (!transport) return [];
  return parseAssistInfos(await transport(null, {}));
}

/**
 * The frame's side of the channel: `send` posts an `lw:assist`, `answer` settles the matching
 * request when the host's `lw:assist-result` arrives. Requests that get no answer time out.
 */
export function frameAssistChannel(send: (msg: AssistRequest) => void, timeoutMs = ASSIST_TIMEOUT_MS): {
  transport: AssistTransport;
  answer(msg: AssistAnswer): void;
} {
  let nextId = 1;
  const pending = new Map<number, { resolve(v: JsonValue): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  return {
    transport: (name, params) =>
      new Promise<JsonValue>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new AssistError(`the assist did not answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        send({ type: "lw:assist", id, name, params });
      }),
    answer(msg) {
      const waiting = pending.get(msg.id);
      if (!waiting) return; // timed out already, or not ours
      pending.delete(msg.id);
      clearTimeout(waiting.timer);
      if (msg.ok) waiting.resolve(msg.result);
      else waiting.reject(new AssistError(msg.error.message, msg.error.field ?? null));
    },
  };
}

// ---- geometry an editor needs from a region ---------------------------------------------------

/** A region as a box (a polygon's or keypoints' bounds); null for masks and superpixels. */
export function regionBox(r: Region): { left: number; top: number; width: number; height: number } | null {
  if (r.kind === "box") return { left: r.left, top: r.top, width: r.width, height: r.height };
  if (r.kind !== "polygon" && r.kind !== "keypoints") return null;
  if (r.points.length === 0) return null;
  const xs = r.points.map((p) => p.x);
  const ys = r.points.map((p) => p.y);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
}

/** A region as polygon vertices (a box's four corners); null for anything else. */
export function regionPolygon(r: Region): XY[] | null {
  if (r.kind === "polygon") return r.points.length >= 3 ? r.points.map((p) => ({ x: p.x, y: p.y })) : null;
  if (r.kind === "box") {
    const { left: x0, top: y0 } = r;
    const x1 = r.left + r.width;
    const y1 = r.top + r.height;
    return [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }];
  }
  return null;
}
