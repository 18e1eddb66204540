import { cutString } from './sanitize.ts';

type Loose = Record<string, unknown> & { type?: unknown };

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const obj = (value: unknown): Loose =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};

/**
 * One short line saying what an event carries, for the inspector's "last events" column.
 *
 * @example
 *   summarizeEvent({ type: 'ENGINE.ACTION', runId: 'a', event: { phase: 'started', action: { kind: 'command', title: 'npm test' } } })
 *   // 'command started: npm test'
 */
export function summarizeEvent(event: unknown): string {
  const e = obj(event);
  switch (e.type) {
    case 'SUPERVISOR.DELIVER': {
      const inner = obj(e['event']);
      const nested = summarizeEvent(inner);
      return `→ ${str(obj(e['topic'])['topicKey'])} ${str(inner.type)}${nested ? `: ${nested}` : ''}`;
    }
    case 'SUPERVISOR.EVICT':
      return str(e['topicKey']);
    case 'TOPIC.PROMPT': {
      const job = obj(e['job']);
      return `${str(job['engine'])}: ${cutString(str(job['prompt']).replace(/\s+/g, ' '), 80)}`;
    }
    case 'TOPIC.CANCEL':
      return `message ${String(e['messageId'])}`;
    case 'TOPIC.PROGRESS_SENT':
    case 'TOPIC.PLACEHOLDER_SENT':
      return `message ${String(e['messageId'])}`;
    case 'TOPIC.ATTACH':
      return e['restored'] ? 'restored' : '';
    case 'SESSION.ACQUIRE':
    case 'SESSION.CLAIM':
    case 'SESSION.RELEASE':
    case 'SESSION.GRANTED':
      return str(e['key']) || '(no session)';
    case 'ENGINE.SPAWNED':
      return `pid ${String(e['pid'])}`;
    case 'ENGINE.STARTED':
      return `session ${str(obj(obj(e['event'])['resume'])['value'])}`;
    case 'ENGINE.ACTION': {
      const inner = obj(e['event']);
      const action = obj(inner['action']);
      return cutString(`${str(action['kind'])} ${str(inner['phase'])}: ${str(action['title'])}`, 100);
    }
    case 'ENGINE.COMPLETED': {
      const inner = obj(e['event']);
      return inner['ok'] ? 'ok' : `failed: ${cutString(str(inner['error']), 80)}`;
    }
    default:
      return '';
  }
}
