import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore } from '../store/store.ts';

/** Who relies on worktrees, as recorded in the state database. */
export interface WorktreeUsers {
  /** `project\nbranch` → the chats and topics bound to that context (`topic tg:-100…:7`, `chat tg:5`). */
  bindings: Map<string, string[]>;
  /** Run directory → the queued or running runs there (`run in tg:-100…:7`). */
  runs: Map<string, string[]>;
}

export type WorktreeUsersResult = { ok: true; users: WorktreeUsers } | { ok: false; error: string };

export function bindingKey(project: string, branch: string): string {
  return `${project.toLowerCase()}\n${branch.trim()}`;
}

/**
 * Reads, without writing, which topics and chats are bound to a project branch (`/topic`, `/ctx set`,
 * a directive in a topic: the `context` of a `prefs` row) and which runs are queued or running in a
 * directory. A database that does not exist yet means nobody uses anything.
 *
 * @example
 *   const read = readWorktreeUsers(settings.state_path_resolved);
 *   if (read.ok) read.users.bindings.get(bindingKey('app', 'feat/x')) // ['topic tg:-1001:7']
 */
export function readWorktreeUsers(statePath: string): WorktreeUsersResult {
  const users: WorktreeUsers = { bindings: new Map(), runs: new Map() };
  if (!existsSync(statePath)) return { ok: true, users };
  let store: ReturnType<typeof openStore> | undefined;
  try {
    store = openStore(statePath, { readonly: true });
    for (const { scopeKey, data } of store.prefs.all()) {
      const context = (data as { context?: unknown }).context;
      if (!isBoundContext(context)) continue;
      const kind = scopeKey.split(':').length > 2 ? 'topic' : 'chat';
      push(users.bindings, bindingKey(context.project, context.branch), `${kind} ${scopeKey}`);
    }
    for (const run of store.runs.active()) {
      if (run.cwd) push(users.runs, resolve(run.cwd), `${run.status} run in ${run.topicKey}`);
    }
    return { ok: true, users };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    store?.close();
  }
}

function isBoundContext(value: unknown): value is { project: string; branch: string } {
  if (value === null || typeof value !== 'object') return false;
  const { project, branch } = value as Record<string, unknown>;
  return typeof project === 'string' && typeof branch === 'string' && branch.trim() !== '';
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
