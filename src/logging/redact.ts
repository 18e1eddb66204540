/**
 * Bot tokens look like `123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw`: a numeric bot id, a colon
 * and a 30+ character secret. They leak through URLs (`/bot<token>/sendMessage`), error messages
 * and config dumps, so every log line and every error shown to a person passes through here.
 */
const PREFIXED_TOKEN = /bot\d{3,}:[A-Za-z0-9_-]{20,}/g;
const BARE_TOKEN = /\b\d{3,}:[A-Za-z0-9_-]{20,}/g;

export const REDACTED = '[REDACTED]';

/** Replaces both `bot123:abc…` and bare `123:abc…` token forms. */
export function redactSecrets(text: string): string {
  return text.replace(PREFIXED_TOKEN, `bot${REDACTED}`).replace(BARE_TOKEN, REDACTED);
}
