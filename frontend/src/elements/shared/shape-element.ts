import { html, type TemplateResult } from "lit";
import { ShapeEditor } from "../../canvas/shape-editor";
import type { ShapeToolName } from "../../canvas/shape-controller";
import { EMPTY_ATTRIBUTES, metaOutput } from "../../canvas/object-meta";
import { OPEN_SHAPE_KEY, type KeypointOutput, type LoadedShape, type OpenShapeOutput, type ParsedShapes, type PolygonOutput, type Shape, type ShapeKind } from "../../canvas/shapes";
import { AssistBar } from "./assist-bar";
import { LwObjectElement, type ParsedObjects, type ToolButton } from "./object-element";

const ICONS = {
  polygon: html`<svg viewBox="0 0 20 20"><path d="M4 6l7-3 5 6-3 8-9-2z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><circle cx="4" cy="6" r="1.6" fill="currentColor"/><circle cx="11" cy="3" r="1.6" fill="currentColor"/><circle cx="16" cy="9" r="1.6" fill="currentColor"/></svg>`,
  point: html`<svg viewBox="0 0 20 20"><circle cx="10" cy="10" r="3.2" fill="currentColor"/><path d="M10 2v4M10 14v4M2 10h4M14 10h4" stroke="currentColor" stroke-width="1.6"/></svg>`,
  polyline: html`<svg viewBox="0 0 20 20"><path d="M3 15l5-8 4 5 5-9" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><circle cx="3" cy="15" r="1.6" fill="currentColor"/><circle cx="8" cy="7" r="1.6" fill="currentColor"/><circle cx="12" cy="12" r="1.6" fill="currentColor"/><circle cx="17" cy="3" r="1.6" fill="currentColor"/></svg>`,
  line: html`<svg viewBox="0 0 20 20"><path d="M4 16L16 4" stroke="currentColor" stroke-width="1.6"/><circle cx="4" cy="16" r="1.8" fill="currentColor"/><circle cx="16" cy="4" r="1.8" fill="currentColor"/></svg>`,
  select: html`<svg viewBox="0 0 20 20"><path d="M5 3l10 7-4.5 1 2.5 5-2 1-2.5-5L5 15z" fill="currentColor"/></svg>`,
  pan: html`<svg viewBox="0 0 20 20"><path d="M10 2l3 3h-2v4h4V7l3 3-3 3v-2h-4v4h2l-3 3-3-3h2v-4H5v2l-3-3 3-3v2h4V5H7z" fill="currentColor"/></svg>`,
};

/** What differs between `<lw-polygon>`, `<lw-keypoint>`, `<lw-polyline>` and `<lw-line>`. */
export interface ShapeElementSpec {
  kind: ShapeKind;
  /** Singular and plural noun for messages and the region list. */
  noun: string;
  nouns: string;
  parse(value: unknown): ParsedShapes;
  drawTitle: string;
  drawKey: string;
  hint: TemplateResult;
}

/**
 * The shell shared by the shape elements (polygon, keypoint, polyline, line) around `ShapeEditor`
 * (src/canvas): the shared `LwObjectElement` (toolbar, labels, region list, attributes, drafts,
 * validation) with the kind's tools, nouns, parser and answer keys from `spec`, and a shape still
 * being drawn blocking the submit.
 */
export abstract class LwShapeElement extends LwObjectElement<
  Shape,
  LoadedShape,
  PolygonOutput | KeypointOutput | OpenShapeOutput,
  ShapeToolName,
  ShapeEditor
> {
  protected abstract readonly spec: ShapeElementSpec;
  /** The object lists an answer may hold (one per element kind). */
  protected readonly objectKeys = ["polygons", "polylines", "lines", "keypoints"] as const;
  protected readonly loadedEvent = "shapes";
  /** Model assists in the toolbar (assist-bar.ts): buttons only inside a task frame that offers some. */
  private readonly _assists = new AssistBar(this, () => this._editor, () => this.spec.kind);

  protected get noun(): string {
    return this.spec.noun;
  }

  protected get nouns(): string {
    return this.spec.nouns;
  }

  protected parse(value: unknown): ParsedObjects<LoadedShape> {
    const { shapes, ...rest } = this.spec.parse(value);
    return { items: shapes, ...rest };
  }

  protected pendingOutput(shapes: readonly LoadedShape[]): Record<string, unknown> {
    const out: Record<string, unknown> = { inputImageProperties: { width: 0, height: 0 } };
    const meta = (s: LoadedShape) => metaOutput(s.meta ?? { attributes: EMPTY_ATTRIBUTES });
    if (this.spec.kind === "point") {
      out.keypoints = shapes.map((s) => ({ label: s.label, ...s.points[0]!, ...meta(s) }));
    } else {
      const key = this.spec.kind === "polygon" ? "polygons" : OPEN_SHAPE_KEY[this.spec.kind];
      out[key] = shapes.map((s) => ({ label: s.label, vertices: s.points, ...meta(s) }));
    }
    return out;
  }

  protected snapshot(editor: ShapeEditor): LoadedShape[] {
    return editor.model.shapes.map((s) => ({ kind: s.kind, label: s.label, points: s.points, meta: s }));
  }

  protected makeEditor(container: HTMLDivElement): ShapeEditor {
    return new ShapeEditor(container, { kind: this.spec.kind, labels: this.labels, onEvent: (e) => this.onEditorEvent(e) });
  }

  protected tools(): ToolButton<ShapeToolName>[] {
    const draw: ShapeToolName = this.spec.kind;
    return [
      { tool: draw, title: this.spec.drawTitle, key: this.spec.drawKey, icon: ICONS[draw] },
      { tool: "select", title: `Select and move ${this.spec.nouns}`, key: "V", icon: ICONS.select },
      { tool: "pan", title: "Pan (or hold Space, or drag with the middle button)", key: "H", icon: ICONS.pan },
    ];
  }

  protected dims(s: Shape): string {
    return s.kind === "point" ? `${Math.round(s.points[0]!.x)},${Math.round(s.points[0]!.y)}` : `${s.points.length} pts`;
  }

  protected rowAction(verb: string, n: number): string {
    return `${verb} ${this.spec.noun} ${n}`;
  }

  /** A polygon, polyline or line still being drawn is not in the answer: finish or drop it first. */
  protected override draftProblem(): string | null {
    if (!this._editor?.controller.drafting) return null;
    return this.spec.kind === "polygon"
      ? `Close the ${this.spec.noun} you are drawing (click its first point or press Enter), or press Esc.`
      : `Finish the ${this.spec.noun} you are drawing (${this.spec.kind === "line" ? "click its end point" : "double-click or press Enter"}), or press Esc.`;
  }

  protected override undoable(editor: ShapeEditor | null): boolean {
    return Boolean(editor?.model.canUndo || editor?.controller.drafting);
  }

  protected override renderAssists(): unknown {
    return this._assists.render();
  }

  protected hint(): TemplateResult {
    return this.spec.hint;
  }
}
