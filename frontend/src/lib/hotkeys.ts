/** Hotkey mapping, shared by the frame and the host. Pure: no DOM. */

export type HotkeyAction =
  | { kind: "choose"; index: number }
  | { kind: "exclusion" }
  | { kind: "filter" }
  | { kind: "submit" }
  | { kind: "skip" };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** Keys the host forwards to the frame with `lw:key` (S is handled by the host itself). */
export const FORWARDED_KEYS: readonly string[] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "Enter", "/"];

/**
 * `1`–`9` choose (or toggle) the n-th label, `0` the exclusion category, `/` goes to the label
 * filter (classifiers with many labels), `Enter` submits, `S` skips. Chords with Ctrl, Cmd or Alt belong to the browser and are never hotkeys.
 */
export function hotkeyAction(ev: KeyLike): HotkeyAction | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const { key } = ev;
  if (key.length === 1 && key >= "1" && key <= "9") return { kind: "choose", index: Number(key) - 1 };
  if (key === "0") return { kind: "exclusion" };
  if (key === "/") return { kind: "filter" };
  if (key === "Enter") return { kind: "submit" };
  if (key === "s" || key === "S") return { kind: "skip" };
  return null;
}

/** The label shown next to the n-th category (1-based), or null past nine. */
export function hotkeyLabel(index: number): string | null {
  return index >= 0 && index < 9 ? String(index + 1) : null;
}

export interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Input types that do not take typed text, so hotkeys stay live while they have focus. */
const NON_TEXT_INPUTS = new Set([
  "button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image",
]);

/** True when the focused element takes typed text: hotkeys must leave the key alone. */
export function isTypingTarget(t: TargetLike | null | undefined): boolean {
  if (!t) return false;
  if (t.isContentEditable) return true;
  const tag = (t.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NON_TEXT_INPUTS.has((t.type ?? "text").toLowerCase());
  return false;
}
