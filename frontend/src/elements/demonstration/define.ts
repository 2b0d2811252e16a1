import { LwChatEditor } from "../chat-editor/lw-chat-editor";
import { LwImageCaption } from "../image-caption/lw-image-caption";
import { LwQuestionAnswerGeneration } from "../question-answer-generation/lw-question-answer-generation";
import { LwVideoCaption } from "../video-caption/lw-video-caption";

/** The demonstration elements (supervised fine-tuning data) by tag name. */
export const DEMONSTRATION_ELEMENTS: Record<string, CustomElementConstructor> = {
  "lw-question-answer-generation": LwQuestionAnswerGeneration,
  "lw-chat-editor": LwChatEditor,
  "lw-image-caption": LwImageCaption,
  "lw-video-caption": LwVideoCaption,
};
