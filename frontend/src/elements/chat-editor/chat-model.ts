/**
 * The state of `<lw-chat-editor>`: the item's conversation with the worker's corrections, the next
 * assistant reply when the conversation ends with the user, and user/assistant pairs the worker
 * added (where the project allows). The output mirrors what the server re-derives
 * (core/tasktypes/chat_demonstration.py). Pure: no DOM.
 */
import { textProblem, type Guidance } from "../demonstration/guidance";

export type Role = "system" | "user" | "assistant";

export interface Turn {
  role: Role;
  content: string;
  /** The item's text of this turn; null for a turn the worker added. */
  original: string | null;
  /** Set when a connected model drafted this (assistant) turn. */
  source?: DraftSource;
}

/** Which model drafted a turn and what it wrote (the worker then edits `content`). */
export interface DraftSource {
  /** The model connection's name. */
  model: string;
  /** The stored generation; null until the reply ended (or when it never did, after Stop). */
  generationId: number | null;
  /** The model's text as it streamed in (cut short when the worker pressed Stop). */
  draft: string;
  stopped: boolean;
}

/** `source` as posted: `edited` says whether the worker changed the model's draft. */
export interface OutputSource {
  model: string;
  generationId?: number;
  draft: string;
  edited: boolean;
  stopped?: true;
}

export interface OutputMessage {
  role: Role;
  content: string;
  edited?: boolean;
  original?: string;
  added?: boolean;
  source?: OutputSource;
}

const ROLES: readonly Role[] = ["system", "user", "assistant"];

/** The item's messages (JSON or parsed); malformed turns are dropped. */
export function parseMessages(raw: unknown): { role: Role; content: string }[] {
  let v = raw;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(v)) return [];
  return v
    .filter((m): m is { role: Role; content: string } => !!m && ROLES.includes(m.role) && typeof m.content === "string")
    .map((m) => ({ role: m.role, content: m.content }));
}

/** The editable conversation: the item's turns, plus an empty reply when the user spoke last. */
export function initialTurns(messages: readonly { role: Role; content: string }[]): Turn[] {
  const turns: Turn[] = messages.map((m) => ({ role: m.role, content: m.content, original: m.content }));
  if (!turns.length || turns[turns.length - 1]!.role !== "assistant") turns.push({ role: "assistant", content: "", original: null });
  return turns;
}

export function isEdited(t: Turn): boolean {
  return t.original !== null && t.role === "assistant" && t.content.trim() !== t.original.trim();
}

/** True when the worker changed the model's draft (white space at the ends aside). */
export function draftEdited(t: Turn): boolean {
  return !!t.source && t.content.trim() !== t.source.draft.trim();
}

function sourceOutput(t: Turn): OutputSource | null {
  const s = t.source;
  if (!s || t.role !== "assistant") return null;
  return {
    model: s.model,
    ...(s.generationId !== null ? { generationId: s.generationId } : {}),
    draft: s.draft,
    edited: draftEdited(t),
    ...(s.stopped ? { stopped: true as const } : {}),
  };
}

export function toOutput(turns: readonly Turn[]): { messages: OutputMessage[] } {
  return {
    messages: turns.map((t): OutputMessage => {
      const out = turnOutput(t);
      const source = sourceOutput(t);
      return source ? { ...out, source } : out;
    }),
  };
}

function turnOutput(t: Turn): OutputMessage {
  if (t.original === null) {
    return t.role === "assistant" ? { role: t.role, content: t.content.trim(), edited: true, added: true } : { role: t.role, content: t.content.trim(), added: true };
  }
  if (t.role !== "assistant") return { role: t.role, content: t.original };
  return isEdited(t) ? { role: "assistant", content: t.content.trim(), edited: true, original: t.original } : { role: "assistant", content: t.original, edited: false };
}

/** A posted `source` read back (a saved draft); null when absent or malformed. */
export function parseSource(v: unknown): DraftSource | null {
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.model !== "string" || !o.model || typeof o.draft !== "string") return null;
  const gid = o.generationId;
  return { model: o.model, generationId: typeof gid === "number" && Number.isSafeInteger(gid) ? gid : null, draft: o.draft, stopped: o.stopped === true };
}

/** Restores a draft over the item's turns: assistant texts and added turns come back. */
export function restoreTurns(base: readonly { role: Role; content: string }[], value: unknown): Turn[] {
  const raw = (value as { messages?: unknown } | null)?.messages;
  const saved = parseMessages(raw);
  const turns = initialTurns(base);
  if (!saved.length) return turns;
  // sources come back only where the saved list is intact (parseMessages drops malformed turns)
  const sources = Array.isArray(raw) && raw.length === saved.length ? raw.map((m) => parseSource((m as { source?: unknown } | null)?.source)) : [];
  const withSource = (t: Turn, i: number): Turn => {
    const source = t.role === "assistant" ? sources[i] : null;
    return source ? { ...t, source } : t;
  };
  const out: Turn[] = base.map((m, i) => withSource({
    role: m.role,
    content: m.role === "assistant" && saved[i]?.role === "assistant" ? saved[i]!.content : m.content,
    original: m.content,
  }, i));
  for (let i = base.length; i < saved.length; i++) out.push(withSource({ role: saved[i]!.role, content: saved[i]!.content, original: null }, i));
  return out.length > base.length || turns.length === base.length ? out : turns;
}

/** Turns a model may draft: assistant turns the worker writes (the next reply, added replies). */
export function canDraft(t: Turn | undefined): boolean {
  return !!t && t.role === "assistant" && t.original === null;
}

/**
 * What the model is sent to draft turn `i`: the conversation before it as the worker has it
 * (corrected assistant turns included), or why it cannot be drafted yet.
 */
export function draftMessages(turns: readonly Turn[], i: number): { messages: { role: Role; content: string }[] } | { problem: string } {
  if (!canDraft(turns[i])) return { problem: "Only a reply you write can be drafted by a model." };
  const before = turns.slice(0, i);
  const prev = before[before.length - 1];
  if (!prev || prev.role !== "user" || !prev.content.trim()) return { problem: "Write the user's message first." };
  const empty = before.findIndex((t) => t.role === "assistant" && !t.content.trim());
  if (empty >= 0) return { problem: `Write turn ${empty + 1} first.` };
  return { messages: before.map((t) => ({ role: t.role, content: t.original !== null && t.role !== "assistant" ? t.original : t.content.trim() })) };
}

/** A user turn and an empty reply after the last turn (the project's allowNewTurns). */
export function addExchange(turns: readonly Turn[]): Turn[] {
  return [...turns, { role: "user", content: "", original: null }, { role: "assistant", content: "", original: null }];
}

/** Removes an added turn with its partner (a user turn and the reply after it). */
export function removeAdded(turns: readonly Turn[], i: number): Turn[] {
  const t = turns[i];
  if (!t || t.original !== null) return [...turns];
  const from = t.role === "assistant" && turns[i - 1]?.original === null && turns[i - 1]?.role === "user" ? i - 1 : i;
  const to = t.role === "user" && turns[i + 1]?.original === null ? i + 2 : i + 1;
  return [...turns.slice(0, from), ...turns.slice(to)];
}

/** The first reason the conversation cannot be submitted, with the turn it is in, or null. */
export function chatProblem(turns: readonly Turn[], g: Guidance): { turn: number; message: string } | null {
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    if (t.role === "assistant" && (t.original === null || isEdited(t))) {
      const p = textProblem(t.content, "reply", g.minWords, g.maxWords, g.forbiddenPhrases);
      if (p) return { turn: i, message: `Turn ${i + 1}: ${p}` };
    }
    if (t.role === "user" && t.original === null && !t.content.trim()) return { turn: i, message: `Turn ${i + 1}: the user turn is empty.` };
  }
  return null;
}

export interface DiffPart {
  kind: "same" | "added" | "removed";
  text: string;
}

/**
 * A word-level diff of an edited turn against its original (longest common subsequence over
 * words, white space kept with the word before it), for the struck-out / inserted view.
 * Long turns (over 2,000 words each side) fall back to "all removed, all added".
 */
export function wordDiff(original: string, edited: string): DiffPart[] {
  const a = original.match(/\S+\s*/g) ?? [];
  const b = edited.match(/\S+\s*/g) ?? [];
  if (a.length > 2000 || b.length > 2000) {
    return [...(original ? [{ kind: "removed" as const, text: original }] : []), ...(edited ? [{ kind: "added" as const, text: edited }] : [])];
  }
  const key = (w: string): string => w.trim();
  // lcs[i][j]: the common length of a[i:] and b[j:]
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = key(a[i]!) === key(b[j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffPart[] = [];
  const push = (kind: DiffPart["kind"], text: string): void => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (key(a[i]!) === key(b[j]!)) {
      push("same", b[j]!);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) push("removed", a[i++]!);
    else push("added", b[j++]!);
  }
  while (i < a.length) push("removed", a[i++]!);
  while (j < b.length) push("added", b[j++]!);
  return out;
}
