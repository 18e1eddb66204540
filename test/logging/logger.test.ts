import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.ts';
import { REDACTED, redactSecrets } from '../../src/logging/redact.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, logger: createLogger({ destination: stream }) };
}

describe('redactSecrets', () => {
  it.each([
    [`https://api.telegram.org/bot${TOKEN}/getMe`, `https://api.telegram.org/bot${REDACTED}/getMe`],
    [`token ${TOKEN} leaked`, `token ${REDACTED} leaked`],
    [`"${TOKEN}"`, `"${REDACTED}"`],
    ['at 12:34 nothing secret', 'at 12:34 nothing secret'],
    ['message 1234:short is fine', 'message 1234:short is fine'],
  ])('redacts bot tokens in %j', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line with level, time and message', () => {
    const { lines, logger } = capture();
    logger.info({ topic: 'tg:1' }, 'topic started');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      msg: 'topic started',
      topic: 'tg:1',
      pid: process.pid,
    });
  });

  it('redacts a token hidden in any field: message, nested object, array, error', () => {
    const { lines, logger } = capture();
    logger.info({ config: { transports: { telegram: { bot_token: TOKEN } } } }, `using ${TOKEN}`);
    logger.warn({ urls: [`https://x/bot${TOKEN}/sendMessage`] }, 'retry');
    logger.error({ err: new Error(`call to getMe with ${TOKEN} failed`) }, 'boom');
    const text = lines.join('\n');
    expect(text).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
    const [first, second, third] = lines.map((l) => JSON.parse(l));
    expect(first.msg).toBe(`using ${REDACTED}`);
    expect(first.config.transports.telegram.bot_token).toBe(REDACTED);
    expect(second.urls[0]).toBe(`https://x/bot${REDACTED}/sendMessage`);
    expect(third.err.message).toBe(`call to getMe with ${REDACTED} failed`);
  });

  it('logs debug lines only with debug on', () => {
    const quiet = capture();
    quiet.logger.debug('hidden');
    expect(quiet.lines).toHaveLength(0);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    createLogger({ destination: stream, debug: true }).debug('shown');
    expect(lines.join('')).toContain('"msg":"shown"');
  });
});
