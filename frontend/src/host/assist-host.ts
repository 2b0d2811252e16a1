/**
 * The labeling page's side of assists: the frame asks (`lw:assist`), the page calls the API as the
 * signed-in annotator holding the task's lease and answers `lw:assist-result` with the same id.
 * Errors go back to the frame as a message (and a field when the server named one), never thrown.
 */

import { isJsonValue } from "../lib/json";
import type { AssistRequest } from "../lib/protocol";
import { ApiError, type LabelingApi } from "./api";
import type { FrameSlot } from "./frame-slot";

export async function answerAssist(api: LabelingApi, slot: FrameSlot, msg: AssistRequest): Promise<void> {
  try {
    const result = await api.assist(slot.task.assignment_id, msg.name, msg.params);
    if (!isJsonValue(result)) throw new Error("The server sent an answer this page cannot read.");
    slot.send({ type: "lw:assist-result", id: msg.id, ok: true, result });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const error: { message: string; field?: string } = { message };
    if (e instanceof ApiError && e.field) error.field = e.field;
    slot.send({ type: "lw:assist-result", id: msg.id, ok: false, error });
  }
}
