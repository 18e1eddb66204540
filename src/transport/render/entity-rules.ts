import {
  type RenderedText,
  sortEntities,
  splitsSurrogatePair,
  type TextEntity,
  type TextEntityType,
} from './rendered-text.ts';

/**
 * Telegram's rules for the `entities` of one message, checked before anything is sent.
 *
 * Bot API "Formatting options": two overlapping entities must nest; bold, italic, underline,
 * strikethrough and spoiler can contain and be part of any other entity except `code` and `pre`;
 * blockquotes do not nest; the other entities do not contain each other. So `code` and `pre`
 * contain nothing and sit only at the top level or in a quote. An entity inside one of its own
 * type adds nothing and is refused too. Beyond about 100 entities Telegram silently ignores the
 * rest, so a message carries at most that many.
 */
export const MAX_ENTITIES = 100;

const FORMATTING: ReadonlySet<TextEntityType> = new Set([
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
]);

/**
 * Whether `inner` may lie inside `outer` (same range included).
 *
 * @example
 * mayContain('bold', 'text_link'); // → true
 * mayContain('bold', 'code'); // → false
 */
export function mayContain(outer: TextEntityType, inner: TextEntityType): boolean {
  if (outer === 'code' || outer === 'pre') return false;
  if (inner === 'code' || inner === 'pre') return outer === 'blockquote';
  if (outer === inner) return false;
  // Formatting goes anywhere; a quote may hold a link; a link holds formatting only.
  return FORMATTING.has(outer) || FORMATTING.has(inner) || outer === 'blockquote';
}

/**
 * Every way `message` breaks the rules above, as sentences; empty when it can be sent.
 *
 * @example
 * entityProblems({ text: 'ab', entities: [{ type: 'bold', offset: 1, length: 5 }] });
 * // → ['entity 0 (bold 1+5) ends past the text (2 UTF-16 units)']
 */
export function entityProblems(message: RenderedText, maxEntities = MAX_ENTITIES): string[] {
  const { text, entities } = message;
  const problems: string[] = [];
  if (entities.length > maxEntities) problems.push(`${entities.length} entities, more than ${maxEntities}`);
  entities.forEach((entity, i) => {
    const name = `entity ${i} (${entity.type} ${entity.offset}+${entity.length})`;
    if (!Number.isInteger(entity.offset) || entity.offset < 0) problems.push(`${name} has a bad offset`);
    if (!Number.isInteger(entity.length) || entity.length < 1) problems.push(`${name} has a bad length`);
    const end = entity.offset + entity.length;
    if (end > text.length) problems.push(`${name} ends past the text (${text.length} UTF-16 units)`);
    if (splitsSurrogatePair(text, entity.offset)) problems.push(`${name} starts inside a surrogate pair`);
    if (splitsSurrogatePair(text, end)) problems.push(`${name} ends inside a surrogate pair`);
    if (entity.type === 'text_link' && !entity.url) problems.push(`${name} has no url`);
    const previous = entities[i - 1];
    if (previous && previous.offset > entity.offset) problems.push(`${name} is not sorted by offset`);
  });
  for (let i = 0; i < entities.length; i++) {
    for (let j = i + 1; j < entities.length; j++) {
      const conflict = nestingConflict(entities[i]!, entities[j]!);
      if (conflict) problems.push(`entities ${i} and ${j} ${conflict}`);
    }
  }
  return problems;
}

/**
 * `message` with every entity that breaks a rule dropped (the text is kept as is), entities
 * sorted and at most `maxEntities` kept. The last line of defence before sending: renderers
 * should never need it.
 *
 * @example
 * sanitizeEntities({ text: 'ab', entities: [{ type: 'code', offset: 0, length: 2 }, { type: 'bold', offset: 1, length: 1 }] });
 * // → { text: 'ab', entities: [{ type: 'code', offset: 0, length: 2 }] }
 */
export function sanitizeEntities(message: RenderedText, maxEntities = MAX_ENTITIES): RenderedText {
  const { text } = message;
  const kept: TextEntity[] = [];
  for (const entity of sortEntities([...message.entities])) {
    if (kept.length >= maxEntities) break;
    const end = entity.offset + entity.length;
    if (!Number.isInteger(entity.offset) || !Number.isInteger(entity.length)) continue;
    if (entity.offset < 0 || entity.length < 1 || end > text.length) continue;
    if (splitsSurrogatePair(text, entity.offset) || splitsSurrogatePair(text, end)) continue;
    if (entity.type === 'text_link' && !entity.url) continue;
    if (kept.some((other) => nestingConflict(other, entity) !== null)) continue;
    kept.push(entity);
  }
  return { text, entities: kept };
}

/** Why two entities cannot coexist, or null when they can. */
function nestingConflict(a: TextEntity, b: TextEntity): string | null {
  const aEnd = a.offset + a.length;
  const bEnd = b.offset + b.length;
  if (aEnd <= b.offset || bEnd <= a.offset) return null;
  const aHoldsB = a.offset <= b.offset && bEnd <= aEnd;
  const bHoldsA = b.offset <= a.offset && aEnd <= bEnd;
  if (!aHoldsB && !bHoldsA) return `(${a.type}, ${b.type}) overlap without nesting`;
  if ((aHoldsB && mayContain(a.type, b.type)) || (bHoldsA && mayContain(b.type, a.type))) return null;
  return aHoldsB
    ? `(${a.type} holding ${b.type}) nest illegally`
    : `(${b.type} holding ${a.type}) nest illegally`;
}
