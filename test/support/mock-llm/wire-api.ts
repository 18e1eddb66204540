import type { Conversation, Reply } from './reply.ts';

/** One server-sent event. `pauseAfter` marks frames after which a slow reply waits. */
export interface SseFrame {
  event?: string | undefined;
  data: string;
  pauseAfter?: boolean | undefined;
}

export type AnswerReply = Exclude<Reply, { kind: 'error' }>;

/** Per-response facts the renderers need (ids are unique per response). */
export interface RenderContext {
  model: string;
  id: string;
  inputTokens: number;
  createdAt: number;
}

/** How one wire API reads a request and renders the mock's reply. */
export interface WireApi {
  readonly name: 'anthropic-messages' | 'openai-responses' | 'openai-chat';
  read(body: Record<string, unknown>): Conversation;
  /** The SSE frames of a streamed reply, in order. */
  stream(reply: AnswerReply, ctx: RenderContext): SseFrame[];
  /** The JSON body of a non-streamed reply. */
  complete(reply: AnswerReply, ctx: RenderContext): unknown;
  /** The JSON error body this API sends with an HTTP error status. */
  error(status: number): unknown;
}

/** Splits an answer into streamed pieces: one word (with its leading space) per piece. */
export function textPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

export function frame(event: string | undefined, data: unknown, pauseAfter?: boolean): SseFrame {
  return { event, data: typeof data === 'string' ? data : JSON.stringify(data), pauseAfter };
}
