/**
 * Ground Truth's names for the same elements, so `<crowd-*>` templates run unchanged.
 * A constructor can be registered once only, hence one empty subclass per alias.
 */
import {
  LwBoundingBox,
  LwClassifier,
  LwClassifierMultiSelect,
  LwForm,
  LwImageClassifier,
  LwImageClassifierMultiSelect,
} from "../elements/define";

export class CrowdForm extends LwForm {}
export class CrowdClassifier extends LwClassifier {}
export class CrowdClassifierMultiSelect extends LwClassifierMultiSelect {}
export class CrowdImageClassifier extends LwImageClassifier {}
export class CrowdImageClassifierMultiSelect extends LwImageClassifierMultiSelect {}

export class CrowdBoundingBox extends LwBoundingBox {}

export const CROWD_ALIASES: Record<string, CustomElementConstructor> = {
  "crowd-form": CrowdForm,
  "crowd-classifier": CrowdClassifier,
  "crowd-classifier-multi-select": CrowdClassifierMultiSelect,
  "crowd-image-classifier": CrowdImageClassifier,
  "crowd-image-classifier-multi-select": CrowdImageClassifierMultiSelect,
  "crowd-bounding-box": CrowdBoundingBox,
};
