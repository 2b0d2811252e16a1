/**
 * dist/elements.js: every `<lw-*>` element, their `<crowd-*>` aliases, and the frame bootstrap
 * that speaks the postMessage contract with the labeling page. Loaded by each task frame.
 */
import { CROWD_ALIASES } from "./compat/crowd-aliases";
import { LW_ELEMENTS, defineAll } from "./elements/define";
import { LwEntityAnnotation } from "./elements/entity-annotation/lw-entity-annotation";
import { LwInstanceSegmentation } from "./elements/instance-segmentation/lw-instance-segmentation";
import { LwSemanticSegmentation } from "./elements/semantic-segmentation/lw-semantic-segmentation";
import { LwTextRanking } from "./elements/text-ranking/lw-text-ranking";
import { LwModelEvaluation } from "./elements/model-evaluation/lw-model-evaluation";
import { startFrame } from "./frame/bootstrap";
import { DEMONSTRATION_ELEMENTS } from "./elements/demonstration/define";

defineAll(LW_ELEMENTS);
defineAll({ "lw-semantic-segmentation": LwSemanticSegmentation, "lw-instance-segmentation": LwInstanceSegmentation });
defineAll({ "lw-entity-annotation": LwEntityAnnotation });
defineAll(DEMONSTRATION_ELEMENTS);
defineAll({ "lw-text-ranking": LwTextRanking });
defineAll({ "lw-model-evaluation": LwModelEvaluation });
defineAll(CROWD_ALIASES);
startFrame();
