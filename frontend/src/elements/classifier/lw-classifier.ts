import { ClassifierBase } from "../shared/classifier-base";

/**
 * `<lw-classifier name categories header>`: choose one category for the content in
 * `<classification-target>`. Output `{[name]: {"label": "…"}}`.
 */
export class LwClassifier extends ClassifierBase {
  static override multi = false;
}
