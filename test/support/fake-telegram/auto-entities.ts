import type { MessageEntity } from 'grammy/types';

/**
 * The entities Telegram marks by itself in text a person types: bot commands (`/cmd` or `/cmd@bot`), @mentions
 * and URLs. Offsets and lengths are UTF-16 units, like JS string indices.
 *
 * @example
 * detectEntities('/start@tentacle_bot hi'); // [{ type: 'bot_command', offset: 0, length: 19 }]
 */
export function detectEntities(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  const taken = (offset: number, length: number): boolean =>
    found.some((e) => offset < e.offset + e.length && e.offset < offset + length);
  for (const m of text.matchAll(/(^|[^\w/])(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)(?![\w@])/g)) {
    found.push({ type: 'bot_command', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    if (!taken(m.index, url.length)) found.push({ type: 'url', offset: m.index, length: url.length });
  }
  for (const m of text.matchAll(/(^|[^\w@/])(@[A-Za-z0-9_]{5,32})(?!\w)/g)) {
    const offset = m.index + m[1]!.length;
    if (!taken(offset, m[2]!.length)) found.push({ type: 'mention', offset, length: m[2]!.length });
  }
  return found.sort((a, b) => a.offset - b.offset);
}
