import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { badRequest, ERR } from './api-error.ts';

const BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
] as const;
const BUTTON_EXTRAS = ['style', 'icon_custom_emoji_id'] as const;
/** Not documented; Telegram answers "reply markup is too long" somewhere around here. */
const MAX_BUTTONS = 100;

export interface MarkupRules {
  callbackDataMaxBytes: number;
  /** Edits take inline keyboards only; sends also take reply keyboards, which a message does not show. */
  inlineOnly: boolean;
}

/**
 * Validates `reply_markup` and returns the inline keyboard the message will carry (reduced to known fields,
 * in a canonical order so two equal keyboards compare equal), or `undefined` when there is none.
 *
 * @example
 * readReplyMarkup({ inline_keyboard: [[{ text: 'cancel', callback_data: 'c:1' }]] }, rules);
 */
export function readReplyMarkup(value: unknown, rules: MarkupRules): InlineKeyboardMarkup | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(ERR.replyMarkupJson);
  const markup = value as Record<string, unknown>;
  if (!('inline_keyboard' in markup)) {
    const other = ['keyboard', 'remove_keyboard', 'force_reply'].some((k) => k in markup);
    if (rules.inlineOnly || !other) throw badRequest('inline keyboard expected');
    return undefined;
  }
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
    throw badRequest(`${ERR.inlineKeyboardInvalid}Field "inline_keyboard" must be an Array of Arrays`);
  }
  // Empty rows vanish, and a keyboard without buttons is no keyboard (so `[]` clears one).
  const keyboard = (rows as unknown[][])
    .filter((row) => row.length > 0)
    .map((row) => row.map((b) => readButton(b, rules)));
  if (keyboard.flat().length > MAX_BUTTONS) throw badRequest(ERR.replyMarkupTooLong);
  return keyboard.length > 0 ? { inline_keyboard: keyboard } : undefined;
}

function readButton(value: unknown, rules: MarkupRules): InlineKeyboardButton {
  if (typeof value !== 'object' || value === null) {
    throw badRequest(`${ERR.inlineKeyboardInvalid}InlineKeyboardButton must be an Object`);
  }
  const b = value as Record<string, unknown>;
  if (typeof b.text !== 'string') throw badRequest(`${ERR.inlineKeyboardInvalid}Can't find field "text"`);
  if (b.text.trim() === '') throw badRequest(`${ERR.inlineKeyboardInvalid}Text must be non-empty`);
  const actions = BUTTON_ACTIONS.filter((k) => b[k] !== undefined);
  if (actions.length === 0) {
    throw badRequest(`${ERR.inlineKeyboardInvalid}Text buttons are unallowed in the inline keyboard`);
  }
  if (b.callback_data !== undefined) {
    const data = b.callback_data;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : -1;
    if (bytes < 1 || bytes > rules.callbackDataMaxBytes) throw badRequest(ERR.buttonDataInvalid);
  }
  if (b.url !== undefined && !isButtonUrl(b.url)) throw badRequest('BUTTON_URL_INVALID');
  const out: Record<string, unknown> = { text: b.text };
  for (const k of [...BUTTON_ACTIONS, ...BUTTON_EXTRAS]) if (b[k] !== undefined) out[k] = b[k];
  return out as unknown as InlineKeyboardButton;
}

function isButtonUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return ['http:', 'https:', 'tg:'].includes(url.protocol);
  } catch {
    return false;
  }
}
