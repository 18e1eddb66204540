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

/** OpenAI Responses (`POST /v1/responses`), the only wire API codex speaks; pi has a provider for it too. */
export const openAiResponses: WireApi = {
  name: 'openai-responses',

  read(body) {
    const items =
      typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : arrayOfRecords(body.input);
    const last = items.at(-1);
    const tools = arrayOfRecords(body.tools).filter(
      (t) => t.type === 'function' && typeof t.name === 'string',
    );
    return {
      ...userTurns(
        items.filter((i) => (i.type ?? 'message') === 'message' && i.role === 'user').map((i) => i.content),
      ),
      // function_call_output, custom_tool_call_output, local_shell_call_output, …
      lastToolOutput:
        typeof last?.type === 'string' && last.type.endsWith('_call_output')
          ? contentText(last.output)
          : undefined,
      tools: tools.map((t) => ({ name: t.name as string, schema: t.parameters })),
    };
  },

  stream(reply, ctx) {
    let seq = 0;
    const event = (type: string, fields: Record<string, unknown>, pauseAfter?: boolean): SseFrame =>
      frame(type, { type, sequence_number: seq++, ...fields }, pauseAfter);
    const item = outputItem(reply, ctx);
    const inProgress = {
      ...item,
      status: 'in_progress',
      ...(reply.kind === 'text' ? { content: [] } : { arguments: '' }),
    };
    const frames: SseFrame[] = [
      event('response.created', { response: response(ctx, 'in_progress', []) }),
      event('response.in_progress', { response: response(ctx, 'in_progress', []) }),
      event('response.output_item.added', { output_index: 0, item: inProgress }),
    ];
    const at = { item_id: item.id, output_index: 0 };
    if (reply.kind === 'text') {
      const part = { type: 'output_text', text: reply.text, annotations: [] };
      frames.push(
        event('response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '' } }),
        ...textPieces(reply.text).map((delta) =>
          event('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] }, reply.slow),
        ),
        event('response.output_text.done', { ...at, content_index: 0, text: reply.text, logprobs: [] }),
        event('response.content_part.done', { ...at, content_index: 0, part }),
      );
    } else {
      const args = JSON.stringify(reply.input);
      frames.push(
        event('response.function_call_arguments.delta', { ...at, delta: args }),
        event('response.function_call_arguments.done', { ...at, arguments: args }),
      );
    }
    frames.push(
      event('response.output_item.done', { output_index: 0, item }),
      event('response.completed', { response: response(ctx, 'completed', [item], reply) }),
    );
    return frames;
  },

  complete(reply, ctx) {
    return response(ctx, 'completed', [outputItem(reply, ctx)], reply);
  },

  error: openAiError,
};

function outputItem(reply: AnswerReply, ctx: RenderContext) {
  return reply.kind === 'text'
    ? {
        id: `msg_${ctx.id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: reply.text, annotations: [] }],
      }
    : {
        id: `fc_${ctx.id}`,
        type: 'function_call',
        status: 'completed',
        call_id: `call_${ctx.id}`,
        name: reply.name,
        arguments: JSON.stringify(reply.input),
      };
}

function response(ctx: RenderContext, status: string, output: unknown[], reply?: AnswerReply) {
  const outputTokens = reply === undefined ? 0 : reply.kind === 'text' ? textPieces(reply.text).length : 12;
  return {
    id: `resp_${ctx.id}`,
    object: 'response',
    created_at: ctx.createdAt,
    status,
    model: ctx.model,
    output,
    usage:
      reply === undefined
        ? null
        : {
            input_tokens: ctx.inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: ctx.inputTokens + outputTokens,
          },
  };
}

function arrayOfRecords(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(asRecord) : [];
}
