/**
 * "Draft with model" for `<lw-chat-editor>`: streams a connected model's reply into an assistant
 * turn the worker is writing, with Stop (keep what streamed; the call is aborted, so the server stops
 * the model and stores what it had as a cancelled generation) and Undo (back to the turn's text and
 * source before the draft; a streaming call is aborted too). No DOM: the element hands in the turns, a way to
 * replace them, and the model call (lib/generate-client.ts's `generate` on the labeling page, a
 * fake in the tests).
 */
import { draftMessages, type DraftSource, type Role, type Turn } from "./chat-model";

/**
 * Streams a reply from `model` to `messages`, each piece to `onChunk`; resolves with the stored
 * generation. Aborting `signal` stops the call (it may then reject; the drafter ignores that).
 */
export type DraftGenerate = (
  model: string,
  messages: { role: Role; content: string }[],
  onChunk: (text: string) => void,
  signal: AbortSignal,
) => Promise<{ generationId: number; text: string }>;

export interface DraftHost {
  turns(): readonly Turn[];
  /** Replaces the turns (the element re-renders and posts the change). */
  setTurns(turns: Turn[]): void;
  /** Only the drafting state changed (streaming, error): re-render. */
  refresh(): void;
}

interface Before {
  content: string;
  source: DraftSource | undefined;
}

export class ChatDrafter {
  /** The turn being streamed into and its model, or null. */
  streaming: { turn: number; model: string } | null = null;
  /** The last draft that failed (its turn and the model's or host's message). */
  error: { turn: number; message: string } | null = null;
  private run = 0;
  /** Aborts the streaming call (Stop, Undo): a stopped draft gets no generation id. */
  private call: AbortController | null = null;
  private readonly before = new Map<number, Before>();

  constructor(
    private readonly generate: DraftGenerate,
    private readonly host: DraftHost,
  ) {}

  canUndo(turn: number): boolean {
    return this.before.has(turn);
  }

  /** Why turn `turn` cannot be drafted now, or null. */
  problem(turn: number): string | null {
    if (this.streaming) return "A draft is streaming.";
    const p = draftMessages(this.host.turns(), turn);
    return "problem" in p ? p.problem : null;
  }

  /** Streams `model`'s reply into turn `turn` (replacing its text; Undo brings it back). */
  async draft(turn: number, model: string): Promise<void> {
    if (this.streaming) return;
    const prompt = draftMessages(this.host.turns(), turn);
    if ("problem" in prompt) {
      this.error = { turn, message: prompt.problem };
      this.host.refresh();
      return;
    }
    const t = this.host.turns()[turn]!;
    this.before.set(turn, { content: t.content, source: t.source });
    const run = ++this.run;
    this.streaming = { turn, model };
    this.error = null;
    const call = (this.call = new AbortController());
    let text = "";
    this._put(turn, text, { model, generationId: null, draft: text, stopped: false });
    try {
      const result = await this.generate(model, prompt.messages, (chunk) => {
        if (this.run !== run || !this.streaming) return; // stopped or undone: the rest is not shown
        text += chunk;
        this._put(turn, text, { model, generationId: null, draft: text, stopped: false });
      }, call.signal);
      if (this.run === run && this.streaming) {
        this.streaming = null;
        // the server's text is the whole reply (chunks can only have been lost, never added)
        this._put(turn, result.text, { model, generationId: result.generationId, draft: result.text, stopped: false });
      }
    } catch (e) {
      if (this.run !== run || !this.streaming) return; // a stopped draft keeps what the worker has
      this.streaming = null;
      const before = this.before.get(turn);
      this.before.delete(turn);
      this.error = { turn, message: e instanceof Error ? e.message : String(e) };
      this._put(turn, before?.content ?? "", before?.source);
    }
  }

  /** Keeps what has streamed as the draft and stops the call (the server stops the model too). */
  stop(): void {
    const s = this.streaming;
    if (!s) return;
    this.streaming = null;
    this.call?.abort();
    const t = this.host.turns()[s.turn];
    if (t?.source) this._put(s.turn, t.content, { ...t.source, stopped: true });
    else this.host.refresh();
  }

  /** Puts turn `turn` back as it was before its last draft. */
  undo(turn: number): void {
    const before = this.before.get(turn);
    if (!before) return;
    if (this.streaming?.turn === turn) {
      this.streaming = null;
      this.run++; // whatever the model still sends belongs to no turn now
      this.call?.abort();
    }
    this.before.delete(turn);
    this._put(turn, before.content, before.source);
  }

  /** Turns were removed or reordered: undo records and a stream into them no longer apply. */
  forget(): void {
    if (this.streaming) this.stop();
    this.before.clear();
  }

  private _put(turn: number, content: string, source: DraftSource | undefined): void {
    this.host.setTurns(this.host.turns().map((t, j) => {
      if (j !== turn) return t;
      const { source: _old, ...rest } = t;
      return source ? { ...rest, content, source } : { ...rest, content };
    }));
  }
}
