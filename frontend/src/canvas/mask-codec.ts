/**
 * The mask's value in Ground Truth's shapes, both ways:
 *
 *   semantic  {labeledImage: {pngImageData}, labelMappings: {<label>: {color}}, inputImageProperties: {width, height}}
 *   instance  the same plus instances: [{color, label}] (one distinct colour per instance)
 *
 * The PNG is the colour-coded label map (each class or instance in its colour, unlabeled
 * #ffffff), written from exact opaque RGBA pixels by the canvas PNG encoder (lossless; no path is
 * ever stroked, so no antialiased colours). Reading accepts the same shapes (the PNG as base64
 * data, a data: URL, or a URL under `src` as Ground Truth's adjustment templates pass it), with
 * the colours in `labelMappings` or an output manifest's `internal-color-map`.
 */
import type { LabelMap } from "./mask-history";
import type { Instance, MaskModel } from "./mask-model";
import { UNLABELED_HEX, hexToRgba32, normalizeHex } from "./mask-palette";

export interface SemanticMaskOutput {
  labeledImage: { pngImageData: string };
  labelMappings: Record<string, { color: string }>;
  inputImageProperties: { width: number; height: number };
}

export interface InstanceMaskOutput extends SemanticMaskOutput {
  instances: { color: string; label: string }[];
}

export type MaskOutput = SemanticMaskOutput | InstanceMaskOutput;

const WHITE = hexToRgba32(UNLABELED_HEX);

/** Value → output colour (unlabeled white), as little-endian RGBA. */
function outputLut(model: MaskModel): Uint32Array {
  const lut = new Uint32Array(model.maxValue + 1).fill(WHITE);
  if (model.kind === "semantic") model.labels.forEach((l, i) => (lut[i + 1] = hexToRgba32(l.color)));
  else for (const inst of model.instances) lut[inst.id] = hexToRgba32(inst.color);
  return lut;
}

/** Rows y0..y1 (exclusive) of the label map in output colours, put into `ctx`. */
function paintBand(model: MaskModel, lut: Uint32Array, ctx: CanvasRenderingContext2D, y0: number, y1: number): void {
  const w = model.width;
  const img = new ImageData(Math.max(1, w), Math.max(1, y1 - y0));
  const px = new Uint32Array(img.data.buffer);
  const data = model.data;
  for (let i = 0, j = y0 * w, end = y1 * w; j < end; i++, j++) px[i] = lut[data[j]!]!;
  ctx.putImageData(img, 0, y0);
}

function blankCanvas(model: MaskModel): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, model.width);
  canvas.height = Math.max(1, model.height);
  return { canvas, ctx: canvas.getContext("2d")! };
}

/** The label map painted in the output colours (unlabeled white), as a canvas, in one go. */
export function maskCanvas(model: MaskModel): HTMLCanvasElement {
  const { canvas, ctx } = blankCanvas(model);
  if (model.height) paintBand(model, outputLut(model), ctx, 0, model.height);
  return canvas;
}

/** The PNG as base64 (no data: prefix), synchronously (used when a value is needed at once). */
export function encodeMaskPngSync(model: MaskModel): string {
  return stripPrefix(maskCanvas(model).toDataURL("image/png"));
}

/**
 * Pixels coloured per slice of the background encode: a few milliseconds of main thread each
 * (a put into a 4000×3000 canvas costs ~25 ms per million pixels without a GPU).
 */
const BAND_PIXELS = 1 << 18;

const nextSlice = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * The PNG as base64 without a long task: the colours are written in bands of about a million
 * pixels, yielding between them, and the PNG is made by `toBlob` (encoded off the main thread's
 * critical path). Resolves null when the mask changed meanwhile (the caller tries again later).
 */
export async function encodeMaskPng(model: MaskModel): Promise<string | null> {
  const version = model.version;
  const changed = (): boolean => model.version !== version || model.stepOpen;
  const { canvas, ctx } = blankCanvas(model);
  const lut = outputLut(model);
  const band = Math.max(1, Math.floor(BAND_PIXELS / Math.max(1, model.width)));
  for (let y = 0; y < model.height; y += band) {
    if (changed()) return null;
    paintBand(model, lut, ctx, y, Math.min(model.height, y + band));
    await nextSlice();
  }
  if (changed()) return null;
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) return reject(new Error("the mask could not be encoded as PNG"));
      const reader = new FileReader();
      reader.onload = () => resolve(stripPrefix(String(reader.result)));
      reader.onerror = () => reject(reader.error ?? new Error("the mask PNG could not be read"));
      reader.readAsDataURL(blob);
    }, "image/png");
  });
}

function stripPrefix(dataUrl: string): string {
  const comma = dataUrl.indexOf(",");
  return comma < 0 ? dataUrl : dataUrl.slice(comma + 1);
}

/** The value to post, around an encoded PNG. Instances listed are those holding pixels, by id. */
export function maskOutput(model: MaskModel, png: string): MaskOutput {
  const labelMappings: Record<string, { color: string }> = {};
  for (const l of model.labels) labelMappings[l.label] = { color: l.color };
  const base: SemanticMaskOutput = {
    labeledImage: { pngImageData: png },
    labelMappings,
    inputImageProperties: { width: model.width, height: model.height },
  };
  if (model.kind === "semantic") return base;
  const instances = model.instances
    .filter((i) => model.count(i.id) > 0)
    .sort((a, b) => a.id - b.id)
    .map((i) => ({ color: i.color, label: i.label }));
  return { ...base, instances };
}

// ---- reading -------------------------------------------------------------------------------

export interface ParsedMaskValue {
  /** Where the PNG is: a data: URL or a URL; null when the value has none. */
  png: string | null;
  /** label → "#rrggbb" */
  labelMappings: Map<string, string>;
  instances: { color: string; label: string }[];
  problems: string[];
}

/**
 * Reads a value in the output shape (or Ground Truth's `{labelMappings, src}` initial value).
 * Never throws: what cannot be read is named in `problems`.
 */
export function parseMaskValue(value: unknown): ParsedMaskValue {
  const out: ParsedMaskValue = { png: null, labelMappings: new Map(), instances: [], problems: [] };
  if (value === null || value === undefined || value === "") return out;
  if (typeof value !== "object" || Array.isArray(value)) {
    out.problems.push("expected an object with labeledImage.pngImageData (or src) and labelMappings");
    return out;
  }
  const v = value as Record<string, unknown>;
  const labeled = v.labeledImage as Record<string, unknown> | undefined;
  const data = labeled && typeof labeled === "object" ? labeled.pngImageData ?? labeled.src ?? labeled.url : undefined;
  const src = data ?? v.pngImageData ?? v.src;
  if (typeof src === "string" && src.trim()) {
    const s = src.trim();
    out.png = /^(data:|https?:|blob:|\/)/i.test(s) ? s : `data:image/png;base64,${s}`;
  } else if (src !== undefined) out.problems.push("labeledImage.pngImageData: expected base64 PNG data");
  else out.problems.push("labeledImage.pngImageData: missing");
  const mappings = v.labelMappings;
  if (mappings && typeof mappings === "object" && !Array.isArray(mappings)) {
    for (const [label, m] of Object.entries(mappings as Record<string, unknown>)) {
      const c = normalizeHex(m && typeof m === "object" ? (m as Record<string, unknown>).color : m);
      if (c) out.labelMappings.set(label, c);
      else out.problems.push(`labelMappings.${label}.color: expected "#rrggbb"`);
    }
  } else if (mappings !== undefined) out.problems.push("labelMappings: expected an object {label: {color}}");
  else if (v["internal-color-map"] && typeof v["internal-color-map"] === "object") {
    // An output manifest's metadata ({"0": {"class-name", "hex-color"}, ...}) passed as is.
    for (const [key, entry] of Object.entries(v["internal-color-map"] as Record<string, unknown>)) {
      const e = (entry ?? {}) as Record<string, unknown>;
      const c = normalizeHex(e["hex-color"]);
      if (key === "0" || c === UNLABELED_HEX) continue;
      if (c && typeof e["class-name"] === "string") out.labelMappings.set(e["class-name"], c);
      else out.problems.push(`internal-color-map.${key}: expected {"class-name", "hex-color": "#rrggbb"}`);
    }
  }
  if (Array.isArray(v.instances)) {
    v.instances.forEach((inst, i) => {
      const o = (inst ?? {}) as Record<string, unknown>;
      const c = normalizeHex(o.color);
      if (!c || typeof o.label !== "string") out.problems.push(`instances[${i}]: expected {color: "#rrggbb", label}`);
      else out.instances.push({ color: c, label: o.label });
    });
  } else if (v.instances !== undefined) out.problems.push("instances: expected a list of {color, label}");
  return out;
}

/** Decodes a PNG (data: URL or URL) into exact RGBA pixels (no colour-space conversion). */
export async function decodePng(src: string): Promise<ImageData> {
  const img = new Image();
  if (!src.startsWith("data:") && !src.startsWith("blob:")) img.crossOrigin = "anonymous";
  img.src = src;
  try {
    await img.decode();
  } catch {
    throw new Error(src.startsWith("data:") ? "the PNG data is not a valid image" : `the PNG at ${src.slice(0, 80)} could not be loaded (or read: it needs CORS)`);
  }
  const bitmap = await createImageBitmap(img, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

export interface DecodedMask {
  data: LabelMap;
  instances: Instance[];
  problems: string[];
}

/**
 * The label map of decoded pixels for `model` (its labels, kind and size): each colour becomes
 * the class (labelMappings) or the instance (instances) it stands for; white and transparent
 * pixels are unlabeled; other colours are counted as a problem and left unlabeled.
 */
export function labelMapFromPixels(pixels: ImageData, model: MaskModel, parsed: ParsedMaskValue): DecodedMask {
  const problems: string[] = [];
  const { width, height } = model;
  if (pixels.width !== width || pixels.height !== height) {
    return { data: new Uint8Array(0), instances: [], problems: [`the PNG is ${pixels.width}×${pixels.height}, the image ${width}×${height}: not loaded`] };
  }
  const colourToValue = new Map<number, number>();
  const instances: Instance[] = [];
  if (model.kind === "semantic") {
    for (const [label, colour] of parsed.labelMappings) {
      const v = model.classValue(label);
      if (v) colourToValue.set(hexToRgba32(colour), v);
      else problems.push(`labelMappings: "${label}" is not one of the labels (its pixels are left unlabeled)`);
    }
  } else {
    const labels = new Set(model.labels.map((l) => l.label));
    parsed.instances.forEach((inst, i) => {
      if (!labels.has(inst.label)) {
        problems.push(`instances[${i}]: "${inst.label}" is not one of the labels (left unlabeled)`);
        return;
      }
      const key = hexToRgba32(inst.color);
      if (colourToValue.has(key) || inst.color === UNLABELED_HEX) {
        problems.push(`instances[${i}]: colour ${inst.color} is used twice or is the unlabeled colour`);
        return;
      }
      const id = instances.length + 1;
      instances.push({ id, label: inst.label, color: inst.color });
      colourToValue.set(key, id);
    });
  }
  const data = model.kind === "instance" || model.labels.length > 255 ? new Uint16Array(width * height) : new Uint8Array(width * height);
  const px = new Uint32Array(pixels.data.buffer, pixels.data.byteOffset, width * height);
  let unknown = 0;
  let lastKey = -1, lastValue = 0;
  for (let i = 0; i < px.length; i++) {
    const p = px[i]!;
    if (p >>> 24 < 128) continue; // transparent: unlabeled
    const key = (p | 0xff000000) >>> 0;
    if (key === lastKey) {
      data[i] = lastValue;
      if (!lastValue && key !== WHITE) unknown++;
      continue;
    }
    let v = colourToValue.get(key);
    if (v === undefined) {
      v = 0;
      if (key !== WHITE) unknown++;
    }
    data[i] = v;
    lastKey = key;
    lastValue = v;
  }
  if (unknown) problems.push(`${unknown} pixels have colours not in ${model.kind === "semantic" ? "labelMappings" : "instances"} (left unlabeled)`);
  return { data, instances, problems };
}
