/**
 * The captions of `<lw-video-caption>`: time ranges (seconds) with their text, the output sorted as
 * the server stores it (core/tasktypes/captioning.py), and the checks before a submit. Pure: no DOM.
 */
import { textProblem, type Guidance } from "../demonstration/guidance";

export interface Caption {
  start: number | null;
  end: number | null;
  text: string;
}

export function roundTime(t: number): number {
  return Math.round(t * 1000) / 1000;
}

/** "1:05.250" for 65.25 s. */
export function formatTime(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return "–:–";
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  return `${m}:${s.toFixed(3).padStart(6, "0")}`;
}

/** A new caption: it starts where the last one ended, or at the player's time. */
export function nextCaption(captions: readonly Caption[], now: number): Caption {
  const last = captions[captions.length - 1];
  const start = last && last.end !== null && last.end <= now + 1e-9 ? last.end : now;
  return { start: roundTime(start), end: null, text: "" };
}

export function setTime(c: Caption, which: "start" | "end", t: number, duration: number | null): Caption {
  const clamped = roundTime(Math.max(0, duration !== null && Number.isFinite(duration) ? Math.min(t, duration) : t));
  return { ...c, [which]: clamped };
}

export function toOutput(captions: readonly Caption[]): { captions: { start: number; end: number; text: string }[] } {
  return {
    captions: captions
      .filter((c): c is Caption & { start: number; end: number } => c.start !== null && c.end !== null)
      .map((c) => ({ start: c.start, end: c.end, text: c.text.trim() }))
      .sort((a, b) => a.start - b.start || a.end - b.end || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)),
  };
}

export function fromOutput(value: unknown): Caption[] {
  const raw = (value as { captions?: unknown } | null)?.captions;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((c): c is { start: number; end: number; text: string } => !!c && typeof c.start === "number" && typeof c.end === "number")
    .map((c) => ({ start: c.start, end: c.end, text: typeof c.text === "string" ? c.text : "" }));
}

/** The first reason the captions cannot be submitted, with the caption it is in, or null. */
export function captionsProblem(captions: readonly Caption[], g: Guidance, duration: number | null): { caption: number; message: string } | null {
  if (captions.length < g.minCaptions) return { caption: -1, message: `Write at least ${g.minCaptions} caption${g.minCaptions === 1 ? "" : "s"}.` };
  if (g.maxCaptions !== null && captions.length > g.maxCaptions) return { caption: -1, message: `Write at most ${g.maxCaptions} captions.` };
  for (let i = 0; i < captions.length; i++) {
    const c = captions[i]!;
    const n = `Caption ${i + 1}`;
    if (c.start === null) return { caption: i, message: `${n}: set its start.` };
    if (c.end === null) return { caption: i, message: `${n}: set its end.` };
    if (c.end <= c.start) return { caption: i, message: `${n}: the end must come after the start.` };
    if (duration !== null && c.end > duration + 0.05) return { caption: i, message: `${n}: the end is past the video's end.` };
    const p = textProblem(c.text, "caption", g.minWords, g.maxWords, g.forbiddenPhrases);
    if (p) return { caption: i, message: `${n}: ${p}` };
  }
  return null;
}
