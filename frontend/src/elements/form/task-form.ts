import type { ControlLike } from "../../lib/form-value";
import { mergeFormValue, restoreControls, serializeControls } from "../../lib/form-value";
import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonObject } from "../../lib/json";
import { FIELD_CHANGE, isLwField, type LwField } from "../shared/field";

/** Events a task form fires on its root (bubbling, composed); `detail.value` is the form output. */
export const FORM_CHANGE = "lw-form-change";
export const FORM_SUBMIT = "lw-form-submit";
export const FORM_SKIP = "lw-form-skip";
/** Fired on the root when a submit was refused; `detail.invalid` counts the fields to fix. */
export const FORM_INVALID = "lw-form-invalid";

type NativeControl = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function adapt(el: NativeControl): ControlLike {
  return {
    tag: el.localName as ControlLike["tag"],
    type: el.type.toLowerCase(),
    name: el.name,
    disabled: el.disabled,
    get value() {
      return el.value;
    },
    set value(v: string) {
      el.value = v;
    },
    get checked() {
      return el instanceof HTMLInputElement && el.checked;
    },
    set checked(v: boolean) {
      if (el instanceof HTMLInputElement) el.checked = v;
    },
    get selectedValues() {
      return el instanceof HTMLSelectElement ? Array.from(el.selectedOptions, (o) => o.value) : [];
    },
    set selectedValues(values: string[]) {
      if (el instanceof HTMLSelectElement) for (const o of Array.from(el.options)) o.selected = values.includes(o.value);
    },
  };
}

const SUBMIT_TRIGGER = '[form-action="submit"], button[type="submit"], input[type="submit"]';

/**
 * The behaviour of Ground Truth's `<crowd-form>` over any root element: collects the value of
 * every `<lw-*>` field and plain HTML control under it, restores drafts, validates, and routes
 * hotkeys to the field the worker last touched (the first one otherwise).
 * `<lw-form>` uses it on itself; the frame bootstrap uses it on `<body>` when a template has no form.
 */
export class TaskForm {
  private active: LwField | null = null;

  constructor(readonly root: HTMLElement) {
    const changed = (): void => this.emit(FORM_CHANGE, { value: this.value() });
    root.addEventListener(FIELD_CHANGE, changed);
    root.addEventListener("input", changed);
    root.addEventListener("change", changed);
    const track = (e: Event): void => {
      const field = e.composedPath().find((n): n is LwField => n instanceof Element && isLwField(n));
      if (field) this.active = field;
    };
    root.addEventListener("pointerdown", track);
    root.addEventListener("focusin", track);
    // A template's own submit button or <form> submits the task instead of navigating.
    root.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    root.addEventListener("click", (e) => {
      const trigger = (e.target as Element | null)?.closest?.(SUBMIT_TRIGGER);
      if (trigger && !trigger.closest("form") && root.contains(trigger)) {
        e.preventDefault();
        this.submit();
      }
    });
  }

  fields(): LwField[] {
    return Array.from(this.root.querySelectorAll("*")).filter(isLwField);
  }

  private controls(): ControlLike[] {
    return Array.from(this.root.querySelectorAll<NativeControl>("input, textarea, select"), adapt);
  }

  value(): JsonObject {
    return mergeFormValue(
      serializeControls(this.controls()),
      this.fields().map((f) => [f.fieldName, f.fieldValue]),
    );
  }

  restore(draft: JsonObject | null): void {
    if (!draft) return;
    restoreControls(draft, this.controls());
    for (const f of this.fields()) {
      if (Object.prototype.hasOwnProperty.call(draft, f.fieldName)) f.restoreFieldValue(draft[f.fieldName]);
    }
  }

  /** Validates every field (each shows its own message); returns the invalid ones. */
  validate(): LwField[] {
    return this.fields().filter((f) => f.validateField() !== null);
  }

  /** Fires FORM_SUBMIT when valid; otherwise brings the first invalid field into view. */
  submit(): boolean {
    const invalid = this.validate();
    if (invalid.length) {
      invalid[0]!.scrollIntoView({ block: "nearest", behavior: "smooth" });
      this.emit(FORM_INVALID, { invalid: invalid.length });
      return false;
    }
    this.emit(FORM_SUBMIT, { value: this.value() });
    return true;
  }

  skip(): void {
    this.emit(FORM_SKIP, {});
  }

  applyHotkey(action: HotkeyAction): boolean {
    if (action.kind === "submit") return this.submit();
    if (action.kind === "skip") {
      this.skip();
      return true;
    }
    const fields = this.fields();
    const target = this.active && fields.includes(this.active) ? this.active : fields[0];
    return target ? target.applyHotkey(action) : false;
  }

  private emit(type: string, detail: object): void {
    this.root.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
  }
}
