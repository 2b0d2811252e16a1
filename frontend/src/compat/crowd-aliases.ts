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
  LwKeypoint,
  LwLine,
  LwPolygon,
  LwPolyline,
} from "../elements/define";
import { LwEntityAnnotation } from "../elements/entity-annotation/lw-entity-annotation";
import { LwInstanceSegmentation } from "../elements/instance-segmentation/lw-instance-segmentation";
import { LwQuestionAnswerGeneration } from "../elements/question-answer-generation/lw-question-answer-generation";
import { LwSemanticSegmentation } from "../elements/semantic-segmentation/lw-semantic-segmentation";
import { LwTextRanking } from "../elements/text-ranking/lw-text-ranking";

export class CrowdForm extends LwForm {}
export class CrowdClassifier extends LwClassifier {}
export class CrowdClassifierMultiSelect extends LwClassifierMultiSelect {}
export class CrowdImageClassifier extends LwImageClassifier {}
export class CrowdImageClassifierMultiSelect extends LwImageClassifierMultiSelect {}

export class CrowdBoundingBox extends LwBoundingBox {}
export class CrowdPolygon extends LwPolygon {}
export class CrowdKeypoint extends LwKeypoint {}
export class CrowdPolyline extends LwPolyline {}
export class CrowdLine extends LwLine {}
export class CrowdSemanticSegmentation extends LwSemanticSegmentation {}
export class CrowdInstanceSegmentation extends LwInstanceSegmentation {}
export class CrowdEntityAnnotation extends LwEntityAnnotation {}
export class CrowdQuestionAnswerGeneration extends LwQuestionAnswerGeneration {}
export class CrowdTextRanking extends LwTextRanking {}

export const CROWD_ALIASES: Record<string, CustomElementConstructor> = {
  "crowd-form": CrowdForm,
  "crowd-classifier": CrowdClassifier,
  "crowd-classifier-multi-select": CrowdClassifierMultiSelect,
  "crowd-image-classifier": CrowdImageClassifier,
  "crowd-image-classifier-multi-select": CrowdImageClassifierMultiSelect,
  "crowd-bounding-box": CrowdBoundingBox,
  "crowd-polygon": CrowdPolygon,
  "crowd-keypoint": CrowdKeypoint,
  "crowd-polyline": CrowdPolyline,
  "crowd-line": CrowdLine,
  "crowd-semantic-segmentation": CrowdSemanticSegmentation,
  "crowd-instance-segmentation": CrowdInstanceSegmentation,
  "crowd-entity-annotation": CrowdEntityAnnotation,
  "crowd-question-answer-generation": CrowdQuestionAnswerGeneration,
  "crowd-text-ranking": CrowdTextRanking,
};
