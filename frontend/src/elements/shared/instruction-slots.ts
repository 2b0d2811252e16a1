/**
 * An element's light-DOM children put into its named slots (`<short-instructions>` → `short`,
 * `<full-instructions>` → `full`, and whatever else the element maps), and what the chrome needs to
 * know of them: whether short instructions exist, and the full instructions' disclosure title.
 */
export const INSTRUCTION_SLOTS: Readonly<Record<string, string>> = {
  "short-instructions": "short",
  "full-instructions": "full",
};

export interface InstructionSlots {
  hasShort: boolean;
  /** The disclosure's title when full instructions exist, else null. */
  fullHeader: string | null;
}

export function assignInstructionSlots(
  host: Element,
  slots: Readonly<Record<string, string>> = INSTRUCTION_SLOTS,
): InstructionSlots {
  let hasShort = false;
  let fullHeader: string | null = null;
  for (const child of Array.from(host.children)) {
    const slot = slots[child.localName];
    if (slot && child.getAttribute("slot") !== slot) child.setAttribute("slot", slot);
    if (slot === "short") hasShort = true;
    if (slot === "full") fullHeader = child.getAttribute("header")?.trim() || "View full instructions";
  }
  return { hasShort, fullHeader };
}
