import { DEFAULT_API_ROOT } from '../transport/telegram-client.ts';
import { isTable } from './toml-literal.ts';

/**
 * The Bot API root the setup commands (`chat-id`, `doctor`, the wizard) talk to:
 * `TENTACLE_API_ROOT`, else `transports.telegram.api_root` from the config when there is one,
 * else `https://api.telegram.org`. The variable lets a local Bot API server or a test fake stand in
 * before any config exists.
 *
 * @example
 *   resolveApiRoot({ transports: { telegram: { api_root: 'http://127.0.0.1:8081' } } }, {}) // 'http://127.0.0.1:8081'
 */
export function resolveApiRoot(
  rawConfig: Record<string, unknown> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromEnv = env['TENTACLE_API_ROOT']?.trim();
  if (fromEnv) return fromEnv;
  const transports = rawConfig?.['transports'];
  const telegram = isTable(transports) ? transports['telegram'] : undefined;
  const configured = isTable(telegram) ? telegram['api_root'] : undefined;
  return typeof configured === 'string' && configured.trim() ? configured.trim() : DEFAULT_API_ROOT;
}
