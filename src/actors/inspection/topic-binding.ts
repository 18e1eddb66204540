import type { Store } from '../../store/store.ts';
import { readScopes, type ScopePrefs } from '../../transport/prefs.ts';
import type { DescribeTopic } from './topic-rows.ts';

/**
 * Reads a topic's binding and default engine from its prefs (forum topic scope first, then the
 * chat's), as `/ctx` and `/agent` set them.
 *
 * @example
 *   const describe = prefsDescriber(store);
 *   describe({ topicKey: 'tg:-100:7', chatId: -100, threadId: 7 }) // { binding: 'web @main', engine: 'claude' }
 */
export function prefsDescriber(store: Store): DescribeTopic {
  const prefs = store.prefs as unknown as Parameters<typeof readScopes>[0];
  return ({ chatId, threadId }) => {
    const scopes = readScopes(prefs, chatId, threadId ?? undefined);
    const pick = <K extends keyof ScopePrefs>(key: K) => scopes.topic?.[key] ?? scopes.chat[key];
    const context = pick('context');
    return {
      binding: context ? `${context.project}${context.branch ? ` @${context.branch}` : ''}` : null,
      engine: pick('default_engine') ?? null,
    };
  };
}
