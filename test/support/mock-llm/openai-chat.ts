import { openAiError } from './openai-error.ts';
import { asRecord, contentText, userTurns } from './reply.ts';
import {
  type AnswerReply,
  frame,
  type RenderContext,
  type SseFrame,
  textPieces,
  type WireApi,
} from './wire-api.ts';

/** OpenAI Chat Completions (`POST /v1/chat/completions`), as used by opencode and pi's `openai-completions`. */
export const openAiChat: WireApi = {
  name: 'openai-chat',

  read(body) {
    const messages = Array.isArray(body.messages) ? body.messages.map(asRecord) : [];
    const last = messages.at(-1);
    const tools = (Array.isArray(body.tools) ? body.tools.map(asRecord) : []).map((t) =>
      asRecord(t.function),
    );
    return {
      ...userTurns(messages.filter((m) => m.role === 'user').map((m) => m.content)),
      lastToolOutput: last?.role === 'tool' ? contentText(last.content) : undefined,
      tools: tools
        .filter((f) => typeof f.name === 'string')
        .map((f) => ({ name: f.name as string, schema: f.parameters })),
    };
  },

  stream(reply, ctx) {
    const chunk = (delta: Record<string, unknown>, finish: string | null, pauseAfter?: boolean): SseFrame =>
      frame(
        undefined,
        {
          id: `chatcmpl-${ctx.id}`,
          object: 'chat.completion.chunk',
          created: ctx.createdAt,
          model: ctx.model,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        },
        pauseAfter,
      );
    const frames: SseFrame[] = [chunk({ role: 'assistant', content: '' }, null)];
    if (reply.kind === 'text') {
      frames.push(...textPieces(reply.text).map((piece) => chunk({ content: piece }, null, reply.slow)));
    } else {
      const args = JSON.stringify(reply.input);
      const half = Math.ceil(args.length / 2);
      frames.push(
        chunk(
          {
            tool_calls: [
              { index: 0, id: callId(ctx), type: 'function', function: { name: reply.name, arguments: '' } },
            ],
          },
          null,
        ),
        chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }, null),
        chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }, null),
      );
    }
    frames.push(
      chunk({}, finishReason(reply)),
      frame(undefined, {
        id: `chatcmpl-${ctx.id}`,
        object: 'chat.completion.chunk',
        created: ctx.createdAt,
        model: ctx.model,
        choices: [],
        usage: usage(ctx, reply),
      }),
      frame(undefined, '[DONE]'),
    );
    return frames;
  },

  complete(reply, ctx) {
    const message =
      reply.kind === 'text'
        ? { role: 'assistant', content: reply.text }
        : {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: callId(ctx),
                type: 'function',
                function: { name: reply.name, arguments: JSON.stringify(reply.input) },
              },
            ],
          };
    return {
      id: `chatcmpl-${ctx.id}`,
      object: 'chat.completion',
      created: ctx.createdAt,
      model: ctx.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
      usage: usage(ctx, reply),
    };
  },

  error: openAiError,
};

function callId(ctx: RenderContext): string {
  return `call_${ctx.id}`;
}

function finishReason(reply: AnswerReply): string {
  return reply.kind === 'tool' ? 'tool_calls' : 'stop';
}

function usage(ctx: RenderContext, reply: AnswerReply) {
  const completion = reply.kind === 'text' ? textPieces(reply.text).length : 12;
  return {
    prompt_tokens: ctx.inputTokens,
    completion_tokens: completion,
    total_tokens: ctx.inputTokens + completion,
  };
}
