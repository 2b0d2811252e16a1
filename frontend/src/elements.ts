/**
 * dist/elements.js: every `<lw-*>` element, their `<crowd-*>` aliases, and the frame bootstrap
 * that speaks the postMessage contract with the labeling page. Loaded by each task frame.
 */
import { CROWD_ALIASES } from "./compat/crowd-aliases";
import { LW_ELEMENTS, defineAll } from "./elements/define";
import { startFrame } from "./frame/bootstrap";

defineAll(LW_ELEMENTS);
defineAll(CROWD_ALIASES);
startFrame();
