/**
 * Class colours for the segmentation masks. The PNG a mask element posts is colour-coded (each
 * class painted in its colour, unlabeled white), so colours must be distinct, opaque, never
 * white, and stable: Ground Truth's default order first, then colours from the label-category
 * file where it gives them. Pure: no DOM.
 */
import { parseAttributeLiteral } from "../lib/loose-json";

/** Unlabeled pixels in the posted PNG (Ground Truth's BACKGROUND). */
export const UNLABELED_HEX = "#ffffff";

/**
 * Ground Truth's order (its outputs show #2ca02c, #1f77b4, #ff7f0e for the first three labels),
 * continued with the rest of the category10 / category20 families.
 */
export const GT_PALETTE: readonly string[] = [
  "#2ca02c", "#1f77b4", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#98df8a", "#aec7e8", "#ffbb78", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
];

export interface MaskLabel {
  label: string;
  /** "#rrggbb", lower case. */
  color: string;
}

export function normalizeHex(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const s = value.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(s)) return s;
  if (/^#[0-9a-f]{3}$/.test(s)) return `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}`;
  return null;
}

/** "#rrggbb" as one little-endian RGBA pixel (opaque), the layout of an ImageData's Uint32 view. */
export function hexToRgba32(hex: string): number {
  const n = parseInt(hex.slice(1, 7), 16);
  return (0xff000000 | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
}

/** The RGB of a little-endian RGBA pixel as "#rrggbb". */
export function rgba32ToHex(px: number): string {
  const r = px & 0xff, g = (px >>> 8) & 0xff, b = (px >>> 16) & 0xff;
  return `#${((r << 16) | (g << 8) | b).toString(16).padStart(6, "0")}`;
}

/** The n-th generated colour past the fixed palette: hues a golden angle apart, three lightness bands. */
function generated(n: number): string {
  const h = (n * 137.508) % 360;
  const l = [0.45, 0.6, 0.35][n % 3]!;
  const s = 0.65;
  const f = (k: number): number => {
    const a = s * Math.min(l, 1 - l);
    const t = (k + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(t - 3, 9 - t, 1))));
  };
  return `#${((f(0) << 16) | (f(8) << 8) | f(4)).toString(16).padStart(6, "0")}`;
}

/** An endless sequence of distinct colours (never white, never one in `taken`). */
export function* colourSequence(taken: Iterable<string> = []): Generator<string> {
  const used = new Set<string>([UNLABELED_HEX, ...taken]);
  for (const c of GT_PALETTE) {
    if (!used.has(c)) {
      used.add(c);
      yield c;
    }
  }
  for (let n = 0; ; n++) {
    const c = generated(n);
    if (!used.has(c)) {
      used.add(c);
      yield c;
    }
  }
}

export interface ParsedMaskLabels {
  labels: MaskLabel[];
  problems: string[];
}

/**
 * `labels`: a JSON (or single-quoted) array of strings or `{label, color?}` objects, a Ground
 * Truth label-category file (`{"labels": [...]}`), or a comma-separated list. A colour given in
 * the file (`color`, `colour` or `hex-color`) is kept when valid and not already used; the other
 * labels take the default palette in order, skipping the colours the file took.
 */
export function parseMaskLabels(attr: unknown): ParsedMaskLabels {
  const problems: string[] = [];
  let items: unknown[];
  if (Array.isArray(attr)) items = attr;
  else {
    const text = typeof attr === "string" ? attr.trim() : "";
    if (!text) return { labels: [], problems };
    try {
      let parsed = parseAttributeLiteral(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) parsed = (parsed as { labels?: unknown }).labels;
      items = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      if (/[[\]{}]/.test(text)) return { labels: [], problems: ["labels: not valid JSON"] };
      items = text.split(",");
    }
  }
  const names: string[] = [];
  const wanted: (string | null)[] = [];
  items.forEach((item, i) => {
    let name: string | null = null;
    let colour: string | null = null;
    if (typeof item === "string") name = item.trim() || null;
    else if (typeof item === "number" && Number.isFinite(item)) name = String(item);
    else if (item && typeof item === "object") {
      const o = item as Record<string, unknown>;
      if (typeof o.label === "string") name = o.label.trim() || null;
      const given = o.color ?? o.colour ?? o["hex-color"];
      if (given !== undefined) {
        colour = normalizeHex(given);
        if (!colour) problems.push(`labels[${i}].color: ${JSON.stringify(given)} is not a #rrggbb colour`);
      }
    }
    if (name === null) {
      problems.push(`labels[${i}]: no label name`);
      return;
    }
    if (names.includes(name)) return; // a hotkey must mean one label
    if (colour === UNLABELED_HEX || (colour !== null && wanted.includes(colour))) {
      problems.push(`labels[${i}].color: ${colour} is ${colour === UNLABELED_HEX ? "the unlabeled colour" : "used twice"}`);
      colour = null;
    }
    names.push(name);
    wanted.push(colour);
  });
  const seq = colourSequence(wanted.filter((c): c is string => c !== null));
  const labels = names.map((label, i) => ({ label, color: wanted[i] ?? seq.next().value! }));
  return { labels, problems };
}
