import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockLlm } from './mock-llm.ts';
import { SLOW_ANSWER_WORDS, shellToolCall } from './reply.ts';

let llm: MockLlm;
beforeAll(async () => {
  llm = await MockLlm.start({ slowFrameMs: 40 });
});
afterAll(async () => {
  await llm.stop();
});

/** POSTs JSON and returns the status plus either the JSON body or the parsed SSE frames. */
async function post(path: string, body: unknown) {
  const res = await fetch(`${llm.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const isSse = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  return {
    status: res.status,
    json: isSse ? undefined : JSON.parse(text),
    frames: isSse ? parseSse(text) : [],
  };
}

function parseSse(text: string): { event?: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return event === undefined ? { data } : { event, data };
    });
}

const json = (frames: { data: string }[]) =>
  frames.filter((f) => f.data !== '[DONE]').map((f) => JSON.parse(f.data) as Record<string, unknown>);

const bashSchema = {
  type: 'object',
  properties: { command: { type: 'string' }, description: { type: 'string' }, timeout: { type: 'number' } },
  required: ['command', 'description'],
};

describe('Anthropic Messages', () => {
  it('streams a text answer counting the typed user turns, ignoring injected reminders and tool turns', async () => {
    const { status, frames } = await post('/v1/messages?beta=true', {
      model: 'claude-sonnet-4-5',
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
            { type: 'text', text: 'first' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        { role: 'user', content: 'second' },
      ],
    });
    expect(status).toBe(200);
    expect(frames.map((f) => f.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array(7).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = json(frames)
      .map((e) => (e.delta as { text?: string } | undefined)?.text ?? '')
      .join('');
    expect(text).toBe('hello from mock (user turns seen: 2)');
    expect(json(frames)[0]).toMatchObject({ message: { model: 'claude-sonnet-4-5', role: 'assistant' } });
  });

  it('calls the Bash tool with echo hi, filling the required fields of its schema', async () => {
    const { frames } = await post('/v1/messages', {
      stream: true,
      messages: [{ role: 'user', content: 'USE_TOOL please' }],
      tools: [
        { name: 'Read', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } },
        { name: 'Bash', input_schema: bashSchema },
      ],
    });
    const events = json(frames);
    expect(events[1]).toMatchObject({ content_block: { type: 'tool_use', name: 'Bash', input: {} } });
    const partial = events.find((e) => e.type === 'content_block_delta')?.delta as { partial_json: string };
    expect(JSON.parse(partial.partial_json)).toEqual({ command: 'echo hi', description: 'Print hi' });
    expect(events.find((e) => e.type === 'message_delta')).toMatchObject({
      delta: { stop_reason: 'tool_use' },
    });
  });

  it('answers with the tool output when the last message carries a tool result', async () => {
    const { json: body } = await post('/v1/messages', {
      messages: [
        { role: 'user', content: 'USE_TOOL' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'hi\n' }] }],
        },
      ],
    });
    expect(body).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'tool said: hi' }],
      stop_reason: 'end_turn',
    });
  });

  it('counts tokens', async () => {
    const { status, json: body } = await post('/v1/messages/count_tokens', {
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(status).toBe(200);
    expect(body.input_tokens).toBeGreaterThan(0);
  });
});

describe('OpenAI Responses', () => {
  it('streams a text answer with the full Responses event sequence', async () => {
    const { frames } = await post('/v1/responses', {
      model: 'gpt-5.5',
      stream: true,
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be nice' }] },
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: '<environment_context>x</environment_context>' }],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'say hello' }] },
      ],
    });
    const types = frames.map((f) => f.event);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const events = json(frames);
    expect(events.every((e, i) => e.type === frames[i]?.event && e.sequence_number === i)).toBe(true);
    expect(events.find((e) => e.type === 'response.output_text.done')?.text).toBe(
      'hello from mock (user turns seen: 1)',
    );
    expect(events.at(-1)).toMatchObject({ response: { status: 'completed', usage: { output_tokens: 7 } } });
  });

  it('calls exec_command with a cmd string and answers the function_call_output', async () => {
    const tools = [
      {
        type: 'function',
        name: 'exec_command',
        parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
      },
      { type: 'custom', name: 'apply_patch' },
    ];
    const { frames } = await post('/v1/responses', { stream: true, input: 'USE_TOOL', tools });
    const done = json(frames).find((e) => e.type === 'response.output_item.done')?.item as Record<
      string,
      unknown
    >;
    expect(done).toMatchObject({ type: 'function_call', name: 'exec_command', status: 'completed' });
    expect(JSON.parse(done.arguments as string)).toEqual({ cmd: 'echo hi' });

    const { json: body } = await post('/v1/responses', {
      input: [
        { type: 'message', role: 'user', content: 'USE_TOOL' },
        done,
        { type: 'function_call_output', call_id: done.call_id, output: 'Output:\nhi\n' },
      ],
      tools,
    });
    expect(body).toMatchObject({
      object: 'response',
      output: [{ type: 'message', content: [{ text: 'tool said: Output:\nhi' }] }],
    });
  });
});

describe('OpenAI Chat Completions', () => {
  it('streams text chunks, a finish reason, a usage chunk and [DONE]', async () => {
    const { frames } = await post('/v1/chat/completions', {
      stream: true,
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'three' },
      ],
    });
    expect(frames.at(-1)?.data).toBe('[DONE]');
    const chunks = json(frames);
    const text = chunks
      .map((c) => (c.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('hello from mock (user turns seen: 3)');
    expect(chunks.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 7 } });
  });

  it('streams a tool call whose argument fragments join into the bash arguments', async () => {
    const { frames } = await post('/v1/chat/completions', {
      stream: true,
      messages: [{ role: 'user', content: 'USE_TOOL' }],
      tools: [{ type: 'function', function: { name: 'bash', parameters: bashSchema } }],
    });
    const calls = json(frames).flatMap(
      (c) =>
        (
          c.choices as {
            delta?: { tool_calls?: { id?: string; function: { name?: string; arguments: string } }[] };
          }[]
        )[0]?.delta?.tool_calls ?? [],
    );
    expect(calls[0]).toMatchObject({ id: expect.stringMatching(/^call_/), function: { name: 'bash' } });
    expect(JSON.parse(calls.map((c) => c.function.arguments).join(''))).toEqual({
      command: 'echo hi',
      description: 'Print hi',
    });
    expect(json(frames).at(-2)).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] });
  });

  it('answers a tool message with its content, not streamed when stream is off', async () => {
    const { json: body } = await post('/v1/chat/completions', {
      messages: [
        { role: 'user', content: 'USE_TOOL' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'hi\n' },
      ],
    });
    expect(body).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: 'tool said: hi' }, finish_reason: 'stop' }],
    });
  });
});

describe('errors and slow answers', () => {
  it.each([
    ['/v1/messages', 401, { type: 'error', error: { type: 'authentication_error' } }],
    ['/v1/messages', 529, { type: 'error', error: { type: 'overloaded_error' } }],
    ['/v1/responses', 401, { error: { code: 'invalid_api_key', type: 'invalid_request_error' } }],
    ['/v1/chat/completions', 429, { error: { code: 'rate_limit_exceeded' } }],
    ['/v1/chat/completions', 500, { error: { type: 'server_error' } }],
  ])('%s answers MOCK_HTTP_%i with that status and the API’s error body', async (path, code, shape) => {
    const { status, json: body } = await post(path, {
      stream: true,
      messages: [{ role: 'user', content: `fail MOCK_HTTP_${code} now` }],
      input: `fail MOCK_HTTP_${code} now`,
    });
    expect(status).toBe(code);
    expect(body).toMatchObject(shape);
  });

  it('streams MOCK_SLOW word by word to the end', async () => {
    const { frames } = await post('/v1/chat/completions', {
      stream: true,
      messages: [{ role: 'user', content: 'MOCK_SLOW' }],
    });
    const text = json(frames)
      .map((c) => (c.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe(SLOW_ANSWER_WORDS.join(' '));
  });

  it('holds MOCK_SLOW back after its first word, and stops when the client goes away', async () => {
    const slow = await MockLlm.start({ slowFrameMs: 5_000 });
    try {
      const controller = new AbortController();
      const res = await fetch(`${slow.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'MOCK_SLOW' }] }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      let received = '';
      while (!received.includes('text_delta')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += new TextDecoder().decode(value);
      }
      expect(received).toContain(`"text":"${SLOW_ANSWER_WORDS[0]}"`);
      expect(received).not.toContain('message_stop');
      controller.abort();
      const after = await fetch(`${slow.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(after.status).toBe(200);
    } finally {
      await slow.stop();
    }
  });
});

describe('recording and routes', () => {
  it('records method, path, query and parsed body of every request, and waits for one', async () => {
    llm.clear();
    const waiting = llm.waitForRequest((r) => r.path === '/v1/responses', 2_000);
    await post('/v1/responses', { input: 'say hello', model: 'gpt-5.5' });
    await expect(waiting).resolves.toMatchObject({ method: 'POST', body: { model: 'gpt-5.5' } });
    await fetch(`${llm.url}/v1/models`);
    await fetch(`${llm.url}/`, { method: 'HEAD' });
    await post('/v1/nowhere', {});
    expect(llm.requests.map((r) => [r.method, r.url, r.status, r.api])).toEqual([
      ['POST', '/v1/responses', 200, 'openai-responses'],
      ['GET', '/v1/models', 200, undefined],
      ['HEAD', '/', 200, undefined],
      ['POST', '/v1/nowhere', 404, undefined],
    ]);
    expect(llm.chatRequests).toHaveLength(1);
  });

  it('lists models for OpenAI-style clients', async () => {
    const body = await (await fetch(`${llm.url}/models`)).json();
    expect(body).toMatchObject({
      object: 'list',
      data: expect.arrayContaining([expect.objectContaining({ id: 'mock-model' })]),
    });
  });

  it('rejects waitForRequest after its timeout, naming what it saw', async () => {
    await expect(llm.waitForRequest((r) => r.path === '/never', 50)).rejects.toThrow(
      /no matching request within 50 ms/,
    );
  });

  it('stops by itself after its request budget', async () => {
    const small = await MockLlm.start({ maxRequests: 2 });
    await fetch(`${small.url}/v1/models`);
    await fetch(`${small.url}/v1/models`);
    await small.stopped;
    await expect(fetch(`${small.url}/v1/models`)).rejects.toThrow();
  });
});

describe('shellToolCall', () => {
  it.each([
    [
      [{ name: 'Bash', schema: bashSchema }],
      { name: 'Bash', input: { command: 'echo hi', description: 'Print hi' } },
    ],
    [
      [
        {
          name: 'shell',
          schema: {
            properties: { command: { type: 'array' }, workdir: { type: 'string' } },
            required: ['command'],
          },
        },
      ],
      { name: 'shell', input: { command: ['bash', '-lc', 'echo hi'] } },
    ],
    [
      [
        {
          name: 'exec_command',
          schema: {
            properties: { cmd: { type: 'string' }, justification: { type: 'string' } },
            required: ['cmd', 'justification'],
          },
        },
      ],
      { name: 'exec_command', input: { cmd: 'echo hi', justification: 'mock' } },
    ],
    [[{ name: 'read', schema: {} }], undefined],
  ])('picks the shell tool from %j', (tools, expected) => {
    expect(shellToolCall(tools)).toEqual(expected);
  });
});

describe('standalone script', () => {
  it('prints its port on the first stdout line, serves, logs requests and exits on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-llm-'));
    const log = join(dir, 'requests.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts')], {
      env: { ...process.env, MOCK_LOG: log, MOCK_LOG_BODIES: '1', MOCK_MAX_SECONDS: '60' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [chunk] = (await Promise.race([
        once(child.stdout!, 'data'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no port line within 15 s')), 15_000)),
      ])) as [Buffer];
      const port = Number(chunk.toString().split('\n')[0]);
      expect(port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toBe('hello from mock (user turns seen: 1)');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      const lines = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/v1/chat/completions',
          status: 200,
          body: expect.any(Object),
        }),
      ]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
