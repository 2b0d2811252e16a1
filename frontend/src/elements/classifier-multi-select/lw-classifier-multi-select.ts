import { ClassifierBase } from "../shared/classifier-base";

/**
 * `<lw-classifier-multi-select name categories header exclusion-category required>`: choose any
 * number of categories. Output `{[name]: {"labels": […]}}`.
 */
export class LwClassifierMultiSelect extends ClassifierBase {
  static override multi = true;
}
