/**
 * The labeling page's side of model replies: the frame asks (`lw:generate`), the page calls the
 * generate endpoint as the signed-in user and relays its server-sent events as
 * `lw:generate-chunk` messages and one `lw:generate-done` (the same id). A model named by its
 * name is looked up in the project's connections first. Errors go back as a message, never thrown.
 * `lw:generate-cancel` (Stop) aborts the request: the browser closes the connection, and the server
 * stops reading from the model and stores what arrived as a cancelled generation. A frame that goes
 * away (submitted, skipped) has its replies aborted the same way.
 */

import { isJsonValue, type JsonValue } from "../lib/json";
import type { GenerateCancel, GenerateRequest } from "../lib/protocol";
import { ApiError, type LabelingApi } from "./api";
import type { FrameSlot } from "./frame-slot";

/** Splits a text/event-stream body into the JSON of its `data:` lines, in order. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, cut).replace(/\r$/, "");
      buffered = buffered.slice(cut + 1);
      if (line.startsWith("data:")) {
        const data = line.slice(5).trim();
        if (data && data !== "[DONE]") yield JSON.parse(data);
      }
    }
    if (done) return;
  }
}

/** The replies in flight per frame, by request id, so Stop (or the frame going away) can abort them. */
const inFlight = new WeakMap<FrameSlot, Map<number, AbortController>>();

/** Stops one reply of the frame (`lw:generate-cancel`); an id that already ended is ignored. */
export function cancelGenerate(slot: FrameSlot, msg: GenerateCancel): void {
  inFlight.get(slot)?.get(msg.id)?.abort();
}

/** Stops every reply the frame still waits for (the frame is being removed). */
export function cancelAllGenerations(slot: FrameSlot): void {
  for (const controller of inFlight.get(slot)?.values() ?? []) controller.abort();
}

export async function answerGenerate(api: LabelingApi, slot: FrameSlot, msg: GenerateRequest): Promise<void> {
  const controller = new AbortController();
  let mine = inFlight.get(slot);
  if (!mine) inFlight.set(slot, (mine = new Map()));
  mine.set(msg.id, controller);
  try {
    await relayGenerate(api, slot, msg, controller.signal);
  } finally {
    mine.delete(msg.id);
  }
}

async function relayGenerate(api: LabelingApi, slot: FrameSlot, msg: GenerateRequest, signal: AbortSignal): Promise<void> {
  const done = (ok: boolean, payload: JsonValue | { message: string; field?: string; generation_id?: number }): void => {
    if (signal.aborted) return; // the frame stopped this reply and waits for nothing more
    if (ok) slot.send({ type: "lw:generate-done", id: msg.id, ok: true, result: payload as JsonValue });
    else slot.send({ type: "lw:generate-done", id: msg.id, ok: false, error: payload as { message: string; field?: string } });
  };
  try {
    const models = await api.models(slot.task.project_id);
    if (msg.model === null) {
      if (!isJsonValue(models)) throw new Error("The server sent a list of models this page cannot read.");
      done(true, models);
      return;
    }
    const found = Array.isArray(models)
      ? (models as { id: number; name: string }[]).find((m) => m.id === msg.model || m.name === msg.model)
      : undefined;
    if (!found) {
      done(false, { message: `the project has no model ${JSON.stringify(msg.model)}`, field: "model" });
      return;
    }
    if (signal.aborted) return;
    const body = await api.generate(slot.task.project_id, found.id, {
      messages: msg.messages,
      params: msg.params,
      item_id: slot.task.item_id,
    }, signal);
    for await (const event of sseEvents(body)) {
      if (signal.aborted) return;
      const e = event as { type?: unknown; text?: unknown; message?: unknown };
      if (e.type === "chunk" && typeof e.text === "string") {
        slot.send({ type: "lw:generate-chunk", id: msg.id, text: e.text });
      } else if (e.type === "done" && isJsonValue(event)) {
        done(true, event);
        return;
      } else if (e.type === "error") {
        const gid = (event as { generation_id?: unknown }).generation_id;
        done(false, { message: String(e.message), ...(typeof gid === "number" ? { generation_id: gid } : {}) });
        return;
      }
    }
    done(false, { message: "the reply ended without its final event" });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    done(false, e instanceof ApiError && e.field ? { message, field: e.field } : { message });
  }
}
