import type { EngineId } from '../../engines/events.ts';
import type { ScopePrefs } from '../prefs.ts';
import { type EngineOverride, resolveOverrides } from '../routing/engine-selection.ts';
import type { CommandContext, CommandHandler } from './command-context.ts';
import { type AdminTexts, requireAdmin } from './shared-admin.ts';
import { splitArgs } from './shared-args.ts';
import { resolveSettingsView } from './shared-resolution.ts';
import { type CommandScope, commandScope } from './shared-scope.ts';

/** What differs between `/model` and `/reasoning`; the command shape is the same. */
export interface OverrideCommandSpec {
  field: keyof EngineOverride;
  usage: string;
  admin: AdminTexts;
  /** The last block of the show reply (`available engines: …`, `available levels: …`). */
  availableLine(ctx: CommandContext): string;
  /** Checks and normalizes a value before it is stored; an error is the whole reply. */
  normalize(value: string): { ok: true; value: string } | { ok: false; error: string };
  setReply(scope: CommandScope['name'], value: string, engine: EngineId): string;
  clearReply(scope: CommandScope['name']): string;
}

/**
 * Builds a per-engine override command (`/model`, `/reasoning`):
 * - no arguments: the engine in use and its source, the value in force and its source (`topic override`,
 *   `chat default`, `no override`), the topic and chat values, and what is available;
 * - `set <value>` or `set <engine> <value>`: stores the override for that engine (default: the engine a
 *   plain message here would use) in the topic or the chat; a lone engine name is not a value;
 * - `clear [engine]`: removes it again.
 * Changes are admin-only in groups.
 *
 * @example
 *   const modelCommand = overrideCommand({ field: 'model', usage: MODEL_USAGE, … });
 */
export function overrideCommand(spec: OverrideCommandSpec): CommandHandler {
  return async (ctx) => {
    const words = splitArgs(ctx.command.args);
    const action = words[0]?.toLowerCase() ?? 'show';
    if (action === 'show' && words.length <= 1) return show(ctx, spec);
    if (action === 'set') {
      const parsed = parseSetArgs(words.slice(1), ctx.engines.all);
      if (parsed === undefined) return ctx.reply(spec.usage);
      return set(ctx, spec, parsed.engine, parsed.value);
    }
    if (action === 'clear' && words.length <= 2) return clear(ctx, spec, words[1]?.toLowerCase());
    ctx.reply(spec.usage);
  };
}

function show(ctx: CommandContext, spec: OverrideCommandSpec): void {
  const view = resolveSettingsView(ctx);
  if (!view.ok) {
    ctx.reply(view.error);
    return;
  }
  const { engine, source } = view.engine;
  const resolved = resolveOverrides(engine, { topic: view.topic?.overrides, chat: view.chat.overrides })[
    spec.field
  ];
  const topicValue = view.topic?.overrides?.[engine]?.[spec.field] ?? 'none';
  const chatValue = view.chat.overrides?.[engine]?.[spec.field] ?? 'none';
  ctx.reply(
    [
      `engine: ${engine} (${source})`,
      `${spec.field}: ${resolved.value ?? 'default'} (${resolved.source})`,
      `defaults: topic: ${topicValue}, chat: ${chatValue}`,
      spec.availableLine(ctx),
    ].join('\n\n'),
  );
}

async function set(
  ctx: CommandContext,
  spec: OverrideCommandSpec,
  explicitEngine: EngineId | undefined,
  value: string,
): Promise<void> {
  if (!(await requireAdmin(ctx, spec.admin))) return;
  const engine = explicitEngine ?? currentEngine(ctx);
  if (typeof engine !== 'string') return ctx.reply(engine.error);
  const normalized = spec.normalize(value);
  if (!normalized.ok) return ctx.reply(normalized.error);
  const scope = commandScope(ctx);
  writeOverride(ctx, scope.key, engine, spec.field, normalized.value);
  ctx.reply(spec.setReply(scope.name, normalized.value, engine));
}

async function clear(
  ctx: CommandContext,
  spec: OverrideCommandSpec,
  name: string | undefined,
): Promise<void> {
  if (!(await requireAdmin(ctx, spec.admin))) return;
  let engine: EngineId;
  if (name === undefined) {
    const current = currentEngine(ctx);
    if (typeof current !== 'string') return ctx.reply(current.error);
    engine = current;
  } else {
    const known = ctx.engines.all.find((id) => id === name);
    if (known === undefined) return ctx.reply(unknownEngine(ctx, name));
    engine = known;
  }
  const scope = commandScope(ctx);
  writeOverride(ctx, scope.key, engine, spec.field, undefined);
  ctx.reply(spec.clearReply(scope.name));
}

/**
 * `set` arguments: `<value>`, or `<engine> <value…>` when the first word names an engine. A lone engine
 * name is not a value (it is almost certainly a forgotten value), so it is a usage error.
 */
function parseSetArgs(
  words: readonly string[],
  engines: readonly EngineId[],
): { engine: EngineId | undefined; value: string } | undefined {
  const [first] = words;
  if (first === undefined) return undefined;
  const engine = engines.find((id) => id === first.toLowerCase());
  if (engine === undefined) return { engine: undefined, value: words.join(' ') };
  if (words.length < 2) return undefined;
  return { engine, value: words.slice(1).join(' ') };
}

function currentEngine(ctx: CommandContext): EngineId | { error: string } {
  const view = resolveSettingsView(ctx);
  return view.ok ? view.engine.engine : { error: view.error };
}

function unknownEngine(ctx: CommandContext, name: string): string {
  return `unknown engine \`${name}\`.\navailable engines: \`${ctx.engines.all.join(', ')}\``;
}

/** Sets or removes one field of one engine's override, dropping entries and maps left empty. */
function writeOverride(
  ctx: CommandContext,
  scopeKey: string,
  engine: EngineId,
  field: keyof EngineOverride,
  value: string | undefined,
): void {
  const overrides = { ...(ctx.prefs.get(scopeKey) as ScopePrefs).overrides };
  const entry: EngineOverride = { ...overrides[engine], [field]: value };
  const kept = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined && v !== null));
  if (Object.keys(kept).length === 0) delete overrides[engine];
  else overrides[engine] = kept;
  ctx.prefs.update(scopeKey, { overrides: Object.keys(overrides).length === 0 ? undefined : overrides });
}
