import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";

/**
 * What `<lw-form>` (and the frame bootstrap) needs from a labeling element. Elements mark
 * themselves with `lwField = true`; the form finds them among its descendants.
 */
export interface LwField extends HTMLElement {
  readonly lwField: true;
  /** The key of this element's value in the form output. */
  readonly fieldName: string;
  /** The value for the form output, or null to leave the key out. */
  readonly fieldValue: JsonValue | null;
  /** Put a draft's value back (no change event). */
  restoreFieldValue(value: JsonValue | undefined): void;
  /** Shows or clears the inline message; returns it (null when the value may be submitted). */
  validateField(): string | null;
  /** Applies a choose / exclusion hotkey; returns false when it does not apply. */
  applyHotkey(action: HotkeyAction): boolean;
  /** False for an element whose digits are typed text (writing elements): the form's footer then
   * does not offer "1–9 choose". Absent means the element takes digit hotkeys. */
  readonly takesDigitKeys?: boolean;
}

export function isLwField(el: Element): el is LwField {
  return (el as Partial<LwField>).lwField === true;
}

/** Fired (bubbling, composed) by a field whenever the worker changes its value. */
export const FIELD_CHANGE = "lw-field-change";
