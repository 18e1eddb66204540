import type { EngineId } from '../engines/events.ts';
import type { PrefsRepository } from '../store/prefs.repository.ts';
import type { EngineOverride } from './routing/engine-selection.ts';
import type { ProjectContext } from './routing/project-context.ts';
import { chatPrefsKey, topicPrefsKey } from './routing/topic-key.ts';
import type { TriggerMode } from './routing/trigger-mode.ts';

/**
 * What a chat (`tg:<chat>`) or a forum topic (`tg:<chat>:<thread>`) remembers between messages:
 * `/agent set`, `/trigger`, `/ctx set` or `/topic`, `/model` and `/reasoning` overrides. Stored as
 * one JSON object per scope in the `prefs` table.
 */
export interface ScopePrefs {
  default_engine?: EngineId;
  trigger_mode?: TriggerMode;
  /** The bound project and branch. */
  context?: ProjectContext;
  /** Per-engine model and reasoning overrides. */
  overrides?: Partial<Record<EngineId, EngineOverride>>;
  /** The forum topic's title as tentacle last set it (renames only when it changes). */
  topic_title?: string;
}

/** The two scopes a message reads preferences from: its chat, and its forum topic if any. */
export interface PrefsScopes {
  chat: ScopePrefs;
  topic: ScopePrefs | undefined;
  chatKey: string;
  topicKey: string | undefined;
}

export function readScopes(
  prefs: PrefsRepository<ScopePrefs>,
  chatId: number,
  threadId: number | undefined,
): PrefsScopes {
  const chatKey = chatPrefsKey(chatId);
  const topicKey = threadId === undefined ? undefined : topicPrefsKey(chatId, threadId);
  return {
    chat: prefs.get(chatKey),
    topic: topicKey === undefined ? undefined : prefs.get(topicKey),
    chatKey,
    topicKey,
  };
}
