import { describe, expect, it } from 'vitest';
import { parseFinalPayload } from '../../src/transport/final-payload.ts';

const minimal = { chatId: 1001, parts: [{ text: 'done', entities: [] }], disableNotification: false };

describe('parseFinalPayload', () => {
  it('reads a payload back from its JSON form', () => {
    const payload = {
      ...minimal,
      threadId: 42,
      replyToMessageId: 7,
      parts: [{ text: 'done', entities: [{ type: 'pre', offset: 0, length: 4, language: 'ts' }] }],
      progress: { messageId: 8, disposition: 'delete-after-send' },
      delivery: { partsDone: 0, messageIds: [] },
    };
    expect(parseFinalPayload(JSON.parse(JSON.stringify(payload)))).toEqual({ ok: true, payload });
  });

  it('reads null optional fields as absent', () => {
    const result = parseFinalPayload({ ...minimal, threadId: null, replyToMessageId: null, progress: null });
    expect(result).toEqual({ ok: true, payload: { ...minimal } });
  });

  it.each([
    ['no parts', { ...minimal, parts: [] }],
    ['no chat', { parts: minimal.parts, disableNotification: false }],
    ['an unknown progress disposition', { ...minimal, progress: { messageId: 1, disposition: 'explode' } }],
    ['a part without entities', { ...minimal, parts: [{ text: 'x' }] }],
  ])('refuses a payload with %s, saying why', (_name, value) => {
    const result = parseFinalPayload(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).not.toBe('');
  });
});
