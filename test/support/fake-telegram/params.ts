import { badRequest } from './api-error.ts';
import { isUploadedFile } from './request-body.ts';

/** Fields whose value is a JSON object or array; form and multipart clients send them as JSON strings. */
const JSON_FIELDS = new Set([
  'reply_markup',
  'entities',
  'caption_entities',
  'reply_parameters',
  'allowed_updates',
  'commands',
  'scope',
  'link_preview_options',
]);
const INTEGER_FIELDS = new Set([
  'chat_id',
  'message_id',
  'message_thread_id',
  'reply_to_message_id',
  'offset',
  'limit',
  'timeout',
  'user_id',
  'icon_color',
  'cache_time',
]);
const BOOLEAN_FIELDS = new Set([
  'disable_notification',
  'allow_sending_without_reply',
  'show_alert',
  'drop_pending_updates',
  'protect_content',
  'disable_content_type_detection',
  'disable_web_page_preview',
]);

/**
 * Brings the three encodings to one shape, so tests read `params.chat_id` as a number and
 * `params.reply_markup.inline_keyboard` as an array whether the client sent JSON or a form. A JSON string that
 * does not parse is left as the string (the method then refuses it).
 */
export function normalizeParams(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    out[key] = normalizeValue(key, value);
  }
  return out;
}

function normalizeValue(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (JSON_FIELDS.has(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (INTEGER_FIELDS.has(key) && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (BOOLEAN_FIELDS.has(key)) {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0' || value === '') return false;
  }
  return value;
}

/** Typed, refusing readers over normalized parameters. */
export class Params {
  constructor(readonly values: Record<string, unknown>) {}

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== '';
  }

  /** An integer field, or `undefined` when absent; `onInvalid` is the refusal for a non-integer. */
  int(key: string, onInvalid: string): number | undefined {
    const v = this.values[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    throw badRequest(onInvalid);
  }

  string(key: string): string | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw badRequest(`field "${key}" must be of type String`);
  }

  bool(key: string): boolean {
    const v = this.values[key];
    return v === true;
  }

  /** A JSON-typed field; `onInvalid` is the refusal when the client sent something that does not parse. */
  json(key: string, onInvalid: string): unknown {
    const v = this.values[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'string') throw badRequest(onInvalid);
    return v;
  }

  file(key: string): unknown {
    const v = this.values[key];
    return isUploadedFile(v) ? v : undefined;
  }
}
