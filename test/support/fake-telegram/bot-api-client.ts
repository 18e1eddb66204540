import type { FakeTelegram } from './fake-telegram.ts';

export interface RawResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Bot API JSON.
  body: any;
}

/**
 * A bare HTTP client for the fake's own tests: sends one Bot API call as JSON (default), urlencoded form or
 * query string, and returns the status and parsed body, so tests see exactly what a client would.
 *
 * @example
 * const { status, body } = await callApi(tg, 'sendMessage', { chat_id: 1, text: 'hi' });
 */
export async function callApi(
  tg: FakeTelegram,
  method: string,
  params: Record<string, unknown> = {},
  opts: { encoding?: 'json' | 'form' | 'query'; token?: string } = {},
): Promise<RawResponse> {
  const url = new URL(`${tg.apiRoot}/bot${opts.token ?? tg.token}/${method}`);
  const encoding = opts.encoding ?? 'json';
  const asStrings = (): Record<string, string> =>
    Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
    );
  let init: RequestInit;
  if (encoding === 'query') {
    for (const [k, v] of Object.entries(asStrings())) url.searchParams.set(k, v);
    init = { method: 'GET' };
  } else if (encoding === 'form') {
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(asStrings()).toString(),
    };
  } else {
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML error pages (413, 5xx) stay text.
  }
  return { status: res.status, body };
}
