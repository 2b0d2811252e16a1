import { ImageClassifierBase } from "../shared/image-classifier-base";

/**
 * `<lw-image-classifier-multi-select name src categories header overlay exclusion-category
 * required>`: choose any number of categories for an image. Output `{[name]: {"labels": […]}}`.
 */
export class LwImageClassifierMultiSelect extends ImageClassifierBase {
  static override multi = true;
}
