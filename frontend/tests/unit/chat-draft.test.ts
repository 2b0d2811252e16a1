import { describe, expect, it } from "vitest";
import { ChatDrafter, type DraftGenerate } from "../../src/elements/chat-editor/chat-draft";
import { addExchange, draftMessages, initialTurns, restoreTurns, toOutput, type Turn } from "../../src/elements/chat-editor/chat-model";

const BASE = [
  { role: "system" as const, content: "Be brief." },
  { role: "user" as const, content: "2+2?" },
  { role: "assistant" as const, content: "5" },
  { role: "user" as const, content: "Sure?" },
];

/** A model the test drives by hand: each call waits until the test sends its pieces and ends it. */
function handModel() {
  const calls: { model: string; messages: unknown; onChunk(t: string): void; signal: AbortSignal; end(id: number, text: string): void; fail(m: string): void }[] = [];
  const generate: DraftGenerate = (model, messages, onChunk, signal) =>
    new Promise((resolve, reject) => {
      calls.push({ model, messages, onChunk, signal, end: (id, text) => resolve({ generationId: id, text }), fail: (m) => reject(new Error(m)) });
    });
  return { generate, calls };
}

function setup(turns: Turn[] = initialTurns(BASE)) {
  const state = { turns, refreshed: 0 };
  const { generate, calls } = handModel();
  const drafter = new ChatDrafter(generate, {
    turns: () => state.turns,
    setTurns: (t) => (state.turns = t),
    refresh: () => state.refreshed++,
  });
  return { state, drafter, calls };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("draft messages", () => {
  it("sends the conversation before the reply as the worker has it", () => {
    const turns = initialTurns(BASE);
    turns[2] = { ...turns[2]!, content: " 4. " };
    expect(draftMessages(turns, 4)).toEqual({ messages: [BASE[0], BASE[1], { role: "assistant", content: "4." }, BASE[3]] });
    expect(draftMessages(turns, 2)).toEqual({ problem: "Only a reply you write can be drafted by a model." });
    const more = addExchange(turns);
    expect(draftMessages(more, 6)).toEqual({ problem: "Write the user's message first." });
    more[5] = { ...more[5]!, content: "And 3+3?" };
    expect(draftMessages(more, 6)).toEqual({ problem: "Write turn 5 first." });
  });
});

describe("ChatDrafter", () => {
  it("streams a reply into the turn, records its source and whether the worker edited it", async () => {
    const { state, drafter, calls } = setup();
    const done = drafter.draft(4, "model-a");
    expect(drafter.streaming).toEqual({ turn: 4, model: "model-a" });
    expect(calls[0]!.model).toBe("model-a");
    calls[0]!.onChunk("Yes,");
    calls[0]!.onChunk(" 4.");
    expect(state.turns[4]!.content).toBe("Yes, 4.");
    calls[0]!.end(17, "Yes, 4.");
    await done;
    expect(drafter.streaming).toBeNull();
    expect(toOutput(state.turns).messages[4]).toEqual({
      role: "assistant", content: "Yes, 4.", edited: true, added: true,
      source: { model: "model-a", generationId: 17, draft: "Yes, 4.", edited: false },
    });
    state.turns = state.turns.map((t, i) => (i === 4 ? { ...t, content: "Yes: 2+2 is 4." } : t));
    const out = toOutput(state.turns);
    expect(out.messages[4]!.source?.edited).toBe(true);
    // a saved draft comes back with its source
    expect(restoreTurns(BASE, out)[4]!.source).toEqual({ model: "model-a", generationId: 17, draft: "Yes, 4.", stopped: false });
  });

  it("stops mid-stream keeping what came and aborts the call (no generation id: the server cancels it)", async () => {
    const { state, drafter, calls } = setup();
    const done = drafter.draft(4, "model-a");
    calls[0]!.onChunk("Yes");
    expect(calls[0]!.signal.aborted).toBe(false);
    drafter.stop();
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.onChunk(", and more"); // a piece already on its way is dropped
    expect(state.turns[4]!.content).toBe("Yes");
    state.turns = state.turns.map((t, i) => (i === 4 ? { ...t, content: "Yes, it is 4." } : t)); // the worker edits on
    calls[0]!.fail("the reply was stopped"); // what generate-client does on abort
    await done;
    expect(drafter.error).toBeNull();
    expect(toOutput(state.turns).messages[4]!.source).toEqual({ model: "model-a", draft: "Yes", edited: true, stopped: true });
    expect(state.turns[4]!.content).toBe("Yes, it is 4.");
  });

  it("undoes back to the text before the draft, even while streaming", async () => {
    const { state, drafter, calls } = setup();
    state.turns = state.turns.map((t, i) => (i === 4 ? { ...t, content: "My own start" } : t));
    const done = drafter.draft(4, "model-a");
    calls[0]!.onChunk("Model text");
    expect(drafter.canUndo(4)).toBe(true);
    drafter.undo(4);
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.onChunk(" more");
    calls[0]!.end(3, "Model text more");
    await done;
    expect(state.turns[4]).toEqual({ role: "assistant", content: "My own start", original: null });
    expect(drafter.canUndo(4)).toBe(false);
    expect(drafter.streaming).toBeNull();
  });

  it("puts the turn back and shows the error when the model fails", async () => {
    const { state, drafter, calls } = setup();
    const done = drafter.draft(4, "model-z");
    calls[0]!.onChunk("Par");
    calls[0]!.fail('the project has no model "model-z"');
    await done;
    expect(state.turns[4]).toEqual({ role: "assistant", content: "", original: null });
    expect(drafter.error).toEqual({ turn: 4, message: 'the project has no model "model-z"' });
  });

  it("refuses a turn that cannot be drafted, and a second draft while one streams", async () => {
    const { state, drafter, calls } = setup();
    await drafter.draft(2, "model-a");
    expect(calls.length).toBe(0);
    expect(drafter.error?.turn).toBe(2);
    expect(state.refreshed).toBe(1);
    void drafter.draft(4, "model-a");
    expect(drafter.problem(4)).toBe("A draft is streaming.");
    await drafter.draft(4, "model-b");
    expect(calls.length).toBe(1);
    calls[0]!.end(1, "Yes.");
    await flush();
    expect(state.turns[4]!.source?.generationId).toBe(1);
  });
});
