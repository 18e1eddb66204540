import { asRecord, contentText, userTurns } from './reply.ts';
import {
  type AnswerReply,
  frame,
  type RenderContext,
  type SseFrame,
  textPieces,
  type WireApi,
} from './wire-api.ts';

/** Anthropic Messages (`POST /v1/messages`), as used by claude and pi's `anthropic-messages` provider. */
export const anthropicMessages: WireApi = {
  name: 'anthropic-messages',

  read(body) {
    const messages = Array.isArray(body.messages) ? body.messages.map(asRecord) : [];
    const userContents = messages
      .filter((m) => m.role === 'user')
      .map((m) =>
        Array.isArray(m.content) ? m.content.filter((b) => asRecord(b).type === 'text') : m.content,
      );
    const last = messages.at(-1);
    const toolResult =
      last?.role === 'user' && Array.isArray(last.content)
        ? last.content.map(asRecord).findLast((b) => b.type === 'tool_result')
        : undefined;
    const tools = Array.isArray(body.tools) ? body.tools.map(asRecord) : [];
    return {
      ...userTurns(userContents),
      lastToolOutput: toolResult ? contentText(toolResult.content) : undefined,
      tools: tools
        .filter((t) => typeof t.name === 'string')
        .map((t) => ({ name: t.name as string, schema: t.input_schema })),
    };
  },

  stream(reply, ctx) {
    const frames: SseFrame[] = [
      frame('message_start', { type: 'message_start', message: { ...message(ctx, []), stop_reason: null } }),
    ];
    if (reply.kind === 'text') {
      frames.push(
        frame('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
        frame('ping', { type: 'ping' }),
        ...textPieces(reply.text).map((piece) =>
          frame(
            'content_block_delta',
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } },
            reply.slow,
          ),
        ),
      );
    } else {
      frames.push(
        frame('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: toolUseId(ctx), name: reply.name, input: {} },
        }),
        frame('ping', { type: 'ping' }),
        frame('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) },
        }),
      );
    }
    frames.push(
      frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
      frame('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason(reply), stop_sequence: null },
        usage: { output_tokens: outputTokens(reply) },
      }),
      frame('message_stop', { type: 'message_stop' }),
    );
    return frames;
  },

  complete(reply, ctx) {
    const content =
      reply.kind === 'text'
        ? [{ type: 'text', text: reply.text }]
        : [{ type: 'tool_use', id: toolUseId(ctx), name: reply.name, input: reply.input }];
    return {
      ...message(ctx, content),
      stop_reason: stopReason(reply),
      usage: usage(ctx, outputTokens(reply)),
    };
  },

  error(status) {
    const [type, message] = ERRORS[status] ?? ['api_error', `mock error ${status}`];
    return { type: 'error', error: { type, message }, request_id: `req_mock${status}` };
  },
};

/** The body of `POST /v1/messages/count_tokens`. */
export function countTokens(body: Record<string, unknown>): { input_tokens: number } {
  return { input_tokens: estimateTokens(body) };
}

export function estimateTokens(body: unknown): number {
  return Math.max(1, Math.round(JSON.stringify(body).length / 4));
}

const ERRORS: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'mock: invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'mock: permission denied'],
  404: ['not_found_error', 'mock: not found'],
  413: ['request_too_large', 'mock: request too large'],
  429: ['rate_limit_error', 'mock: rate limited'],
  500: ['api_error', 'mock: internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

function message(ctx: RenderContext, content: unknown[]) {
  return {
    id: `msg_${ctx.id}`,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_sequence: null,
    usage: usage(ctx, 1),
  };
}

function usage(ctx: RenderContext, output: number) {
  return {
    input_tokens: ctx.inputTokens,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

function toolUseId(ctx: RenderContext): string {
  return `toolu_${ctx.id}`;
}

function stopReason(reply: AnswerReply): string {
  return reply.kind === 'tool' ? 'tool_use' : 'end_turn';
}

function outputTokens(reply: AnswerReply): number {
  return reply.kind === 'text' ? textPieces(reply.text).length : 12;
}
