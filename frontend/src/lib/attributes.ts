/** Ground Truth attribute conventions, turned into plain values. Pure: no DOM. */

import { parseAttributeLiteral } from "./loose-json";

function labelOf(item: unknown): string | null {
  if (typeof item === "string") return item.trim() || null;
  if (typeof item === "number" && Number.isFinite(item)) return String(item);
  if (item && typeof item === "object" && typeof (item as { label?: unknown }).label === "string") {
    return ((item as { label: string }).label).trim() || null;
  }
  return null;
}

/**
 * `categories`: a JSON array of strings, a single-quoted JS-ish array (`['a', 'b']`), an array of
 * `{label}` objects, a Ground Truth label-category file (`{"labels": [{"label": …}]}`), or, as a
 * last resort, a comma-separated list. Duplicates are dropped (a hotkey must mean one label).
 */
export function parseCategories(attr: string | null | undefined): string[] {
  const text = (attr ?? "").trim();
  if (!text) return [];
  let items: unknown[];
  try {
    let parsed = parseAttributeLiteral(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      parsed = (parsed as { labels?: unknown }).labels;
    }
    items = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    if (/[[\]{}]/.test(text)) return [];
    items = text.split(",");
  }
  const out: string[] = [];
  for (const item of items) {
    const label = labelOf(item);
    if (label !== null && !out.includes(label)) out.push(label);
  }
  return out;
}

/**
 * `exclusion-category`: Ground Truth writes `{ text: 'None of the above' }`; a bare string (JSON
 * or not) is accepted too. Returns the text to show, or null when absent.
 */
export function parseExclusionCategory(attr: string | null | undefined): string | null {
  const text = (attr ?? "").trim();
  if (!text) return null;
  try {
    const parsed = parseAttributeLiteral(text);
    if (typeof parsed === "string") return parsed.trim() || null;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const t = (parsed as { text?: unknown }).text;
      return typeof t === "string" && t.trim() ? t.trim() : null;
    }
    return null;
  } catch {
    return text;
  }
}

export interface OverlayBox {
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Overlay {
  boxes: OverlayBox[];
  /** URL of a segmentation mask drawn semi-transparent over the image. */
  maskSrc: string | null;
}

function num(v: unknown): number | null {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/**
 * `overlay` (verification jobs): `{boundingBox: {labels, value: [{label | class_id, left, top,
 * width, height}]}}` or `{semanticSegmentation | instanceSegmentation: {src | value}}`.
 */
export function parseOverlay(attr: string | null | undefined): Overlay | null {
  const text = (attr ?? "").trim();
  if (!text) return null;
  let parsed: unknown;
  try {
    parsed = parseAttributeLiteral(text);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object") return null;
  const root = parsed as Record<string, unknown>;
  const boxes: OverlayBox[] = [];
  const bb = root.boundingBox as { labels?: unknown; value?: unknown } | undefined;
  if (bb && typeof bb === "object" && Array.isArray(bb.value)) {
    const labels = Array.isArray(bb.labels) ? bb.labels.map(labelOf) : [];
    for (const v of bb.value) {
      if (!v || typeof v !== "object") continue;
      const r = v as Record<string, unknown>;
      const left = num(r.left), top = num(r.top), width = num(r.width), height = num(r.height);
      if (left === null || top === null || width === null || height === null) continue;
      const classId = num(r.class_id ?? r.classId);
      const label = labelOf(r.label) ?? (classId !== null ? labels[classId] ?? String(classId) : "");
      boxes.push({ label, left, top, width, height });
    }
  }
  let maskSrc: string | null = null;
  for (const key of ["semanticSegmentation", "instanceSegmentation"]) {
    const seg = root[key] as { src?: unknown; value?: unknown } | undefined;
    if (seg && typeof seg === "object") {
      const src = typeof seg.src === "string" ? seg.src : typeof seg.value === "string" ? seg.value : null;
      if (src) maskSrc = src;
    }
  }
  if (!boxes.length && !maskSrc) return null;
  return { boxes, maskSrc };
}
