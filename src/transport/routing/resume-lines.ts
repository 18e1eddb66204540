import type { ResumeCodec } from '../../engines/adapter.ts';
import type { EngineId, ResumeToken } from '../../engines/events.ts';
import { CONTINUE_PROMPT } from './directives.ts';

/** One engine's resume-line codec, in the order engines are tried. */
export interface EngineCodec {
  engine: EngineId;
  resume: ResumeCodec;
}

/** A resume token and the text it was read from. */
export interface ResolvedResume {
  token: ResumeToken;
  /** `message`: pasted into the message itself; `reply`: read from the replied-to message. */
  source: 'message' | 'reply';
}

/**
 * Finds the session a message continues: a resume line in the message itself wins over one in the message
 * it replies to (Telegram gives the replied-to text without entities, so the backticks may be gone; the
 * codecs accept both).
 *
 * Within one text the last resume line wins, whichever engine it belongs to: a reply to a message quoting
 * an old `codex resume …` above a newer `claude --resume …` continues the claude session. (takopi asks
 * each engine in turn, so the first engine in the list would win there; users expect the newest line.)
 * A line a codec recognizes but refuses (`codex resume --last`) is skipped. A codec that finds a token
 * only across lines is still asked about the whole text, in codec order, as a last resort.
 *
 * @example
 *   resolveResume('thanks', '`codex resume 019b-1`', [{ engine: 'codex', resume: codexAdapter.resume }])
 *   // → { token: { engine: 'codex', value: '019b-1' }, source: 'reply' }
 */
export function resolveResume(
  messageText: string | undefined,
  replyText: string | undefined,
  codecs: readonly EngineCodec[],
): ResolvedResume | undefined {
  const fromMessage = lastToken(messageText, codecs);
  if (fromMessage) return { token: fromMessage, source: 'message' };
  const fromReply = lastToken(replyText, codecs);
  if (fromReply) return { token: fromReply, source: 'reply' };
  return undefined;
}

/**
 * Removes every line any engine treats as a resume line; an empty remainder becomes `continue`.
 *
 * @example
 *   stripResumeLines('`codex resume 019b`', codecs) // 'continue'
 *   stripResumeLines('fix it\ncodex resume 019b', codecs) // 'fix it'
 */
export function stripResumeLines(text: string, codecs: readonly EngineCodec[]): string {
  const kept = text.split(/\r?\n/).filter((line) => !isResumeLine(line, codecs));
  const prompt = kept.join('\n').trim();
  return prompt === '' ? CONTINUE_PROMPT : prompt;
}

/** Whether any engine treats this one line as its resume line. */
export function isResumeLine(line: string, codecs: readonly EngineCodec[]): boolean {
  return codecs.some((codec) => codec.resume.isResumeLine(line));
}

function lastToken(text: string | undefined, codecs: readonly EngineCodec[]): ResumeToken | undefined {
  if (!text) return undefined;
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    for (const codec of codecs) {
      if (!codec.resume.isResumeLine(line)) continue;
      const value = codec.resume.extract(line);
      if (value !== undefined) return { engine: codec.engine, value };
    }
  }
  for (const codec of codecs) {
    const value = codec.resume.extract(text);
    if (value !== undefined) return { engine: codec.engine, value };
  }
  return undefined;
}
