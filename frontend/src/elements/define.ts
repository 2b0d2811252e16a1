import { LwBoundingBox } from "./bounding-box/lw-bounding-box";
import { LwClassifierMultiSelect } from "./classifier-multi-select/lw-classifier-multi-select";
import { LwClassifier } from "./classifier/lw-classifier";
import { LwHtmlContent, LwTextContent } from "./content/lw-html-content";
import { LwForm } from "./form/lw-form";
import { LwImageClassifierMultiSelect } from "./image-classifier-multi-select/lw-image-classifier-multi-select";
import { LwImageClassifier } from "./image-classifier/lw-image-classifier";
import { LwKeypoint } from "./keypoint/lw-keypoint";
import { LwLabelVerificationView } from "./label-verification/lw-label-verification-view";
import { LwLine } from "./line/lw-line";
import { LwPolygon } from "./polygon/lw-polygon";
import { LwPolyline } from "./polyline/lw-polyline";

export {
  LwBoundingBox,
  LwClassifier,
  LwClassifierMultiSelect,
  LwForm,
  LwImageClassifier,
  LwImageClassifierMultiSelect,
  LwKeypoint,
  LwLabelVerificationView,
  LwLine,
  LwPolygon,
  LwPolyline,
};

/** The `<lw-*>` elements by tag name. */
export const LW_ELEMENTS: Record<string, CustomElementConstructor> = {
  "lw-form": LwForm,
  "lw-classifier": LwClassifier,
  "lw-classifier-multi-select": LwClassifierMultiSelect,
  "lw-image-classifier": LwImageClassifier,
  "lw-image-classifier-multi-select": LwImageClassifierMultiSelect,
  "lw-bounding-box": LwBoundingBox,
  "lw-polygon": LwPolygon,
  "lw-keypoint": LwKeypoint,
  "lw-polyline": LwPolyline,
  "lw-line": LwLine,
  "lw-label-verification-view": LwLabelVerificationView,
  // content inside <classification-target> (and any other template): sanitised HTML, plain text
  "lw-html-content": LwHtmlContent,
  "lw-text-content": LwTextContent,
};

/** Defines each element once (a second copy of the script on a page is harmless). */
export function defineAll(elements: Record<string, CustomElementConstructor>): void {
  for (const [tag, ctor] of Object.entries(elements)) {
    if (!customElements.get(tag)) customElements.define(tag, ctor);
  }
}
