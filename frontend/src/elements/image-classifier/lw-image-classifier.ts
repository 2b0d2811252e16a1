import { ImageClassifierBase } from "../shared/image-classifier-base";

/**
 * `<lw-image-classifier name src categories header overlay>`: choose one category for an image.
 * Output `{[name]: {"label": "…"}}`.
 */
export class LwImageClassifier extends ImageClassifierBase {
  static override multi = false;
}
