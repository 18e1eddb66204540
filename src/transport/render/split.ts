import { indexAfterCodePoints, type RenderedText, sliceText } from './rendered-text.ts';
import { graphemeCut } from './text-boundaries.ts';
import { BODY_LIMIT } from './trim.ts';

/**
 * The body in chunks of at most `maxCodePoints` each, for `message_overflow = "split"`.
 *
 * Each cut goes at the last blank line that keeps the chunk at least half full, else the last line
 * break, else the last space, else at a grapheme boundary. Entities crossing a cut are closed at
 * the end of one chunk and reopened at the start of the next: a code block keeps its language on
 * both sides. Line breaks at a cut are dropped; a body that fits comes back as one chunk.
 *
 * @example
 * splitBody(renderMarkdown(longAnswer)).map((chunk) => chunk.text.length); // e.g. [3497, 3421, 1380]
 */
export function splitBody(body: RenderedText, maxCodePoints = BODY_LIMIT): RenderedText[] {
  const { text } = body;
  const max = Math.max(1, maxCodePoints);
  const chunks: RenderedText[] = [];
  let start = skipBreaks(text, 0);
  while (start < text.length) {
    const limit = indexAfterCodePoints(text, max, start);
    if (limit >= text.length) {
      pushChunk(chunks, body, start, text.length);
      break;
    }
    const cut = chooseCut(text, start, limit);
    pushChunk(chunks, body, start, cut);
    start = skipBreaks(text, text[cut] === ' ' ? cut + 1 : cut);
  }
  return chunks.length > 0 ? chunks : [body];
}

function chooseCut(text: string, start: number, limit: number): number {
  const halfway = start + Math.floor((limit - start) / 2);
  for (const boundary of ['\n\n', '\n', ' ']) {
    const at = text.lastIndexOf(boundary, limit);
    if (at > halfway && at <= limit) return at;
  }
  return graphemeCut(text, start, limit);
}

function pushChunk(chunks: RenderedText[], body: RenderedText, start: number, end: number): void {
  const piece = body.text.slice(start, end);
  const trimmedEnd = start + piece.trimEnd().length;
  if (trimmedEnd > start) chunks.push(sliceText(body, start, trimmedEnd));
}

function skipBreaks(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}
