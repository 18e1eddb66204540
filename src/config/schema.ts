import { z } from 'zod';

/**
 * The tentacle.toml schema: takopi's keys under the same names (takopi-behavior.md §10.1), plus
 * `transports.telegram.api_root`, `transports.telegram.backlog_max_age_s`, `on_restart`, `state_path`
 * and `engine_idle_warn_s`.
 *
 * Every leaf carries its own "expected …" phrase; `format-config-error.ts` adds the key path and
 * the offending value, so a bad config reads
 * `transports.telegram.chat_id: expected an integer, got "abc"`.
 * Each field's `describe()` text feeds the generated configuration reference.
 */

const integer = (what = 'an integer') =>
  z.preprocess(coerceIntegerString, z.int({ error: `expected ${what}` }).meta({ type: 'integer' }));
const bool = () => z.boolean({ error: 'expected true or false' });
const str = () => z.string({ error: 'expected a string' });
const nonNegative = () => z.number({ error: 'expected a number' }).min(0, { error: 'expected a number ≥ 0' });
const stringList = () => z.array(str(), { error: 'expected an array of strings' });
const integerList = () => z.array(integer(), { error: 'expected an array of integers' });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });

/** takopi accepts chat ids written as strings ("-100123"); so do we. */
function coerceIntegerString(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return value;
}

export const DEFAULT_DENY_GLOBS = ['.git/**', '.env', '.envrc', '*.pem', '.ssh/**'];
export const RESERVED_COMMANDS = [
  'cancel',
  'file',
  'new',
  'agent',
  'model',
  'reasoning',
  'trigger',
  'topic',
  'ctx',
] as const;

const filesSchema = z
  .strictObject(
    {
      enabled: bool().default(false).describe('Enable `/file put`, `/file get` and uploads.'),
      auto_put: bool().default(true).describe('Save a document sent without a caption to `uploads_dir`.'),
      auto_put_mode: oneOf(['upload', 'prompt'] as const)
        .default('upload')
        .describe('`prompt`: after saving, run the caption as a prompt with an `[uploaded file: …]` note.'),
      uploads_dir: str()
        .refine((p) => !p.startsWith('/') && !p.startsWith('~'), { error: 'expected a relative path' })
        .default('incoming')
        .describe('Where auto-put files go, relative to the project root.'),
      allowed_user_ids: integerList()
        .default([])
        .describe('Only these users may transfer files (empty: see docs).'),
      deny_globs: stringList().default(DEFAULT_DENY_GLOBS).describe('Paths never read or written.'),
      await_timeout_s: nonNegative()
        .default(300)
        .describe('How long `/file put <path>` without a file waits for the upload.'),
    },
    { error: 'expected a table' },
  )
  .default({
    enabled: false,
    auto_put: true,
    auto_put_mode: 'upload',
    uploads_dir: 'incoming',
    allowed_user_ids: [],
    deny_globs: DEFAULT_DENY_GLOBS,
    await_timeout_s: 300,
  });

const topicsSchema = z
  .strictObject(
    {
      enabled: bool().default(false).describe('Run each forum topic as its own conversation.'),
      scope: oneOf(['auto', 'main', 'projects', 'all'] as const)
        .default('auto')
        .describe('Which chats use topics: `auto` = `projects` if project chats exist, else `main`.'),
    },
    { error: 'expected a table' },
  )
  .default({ enabled: false, scope: 'auto' });

export const telegramSchema = z.strictObject(
  {
    bot_token: str().min(1, { error: 'expected a non-empty string' }).describe('Bot token from @BotFather.'),
    chat_id: integer().describe('The main chat the bot answers in.'),
    api_root: z
      .url({ error: 'expected an http(s) URL' })
      .default('https://api.telegram.org')
      .describe('Bot API base URL (a local Bot API server or a test fake).'),
    allowed_user_ids: integerList().default([]).describe('If set, only these senders are served.'),
    message_overflow: oneOf(['trim', 'split'] as const)
      .default('trim')
      .describe('Long answers: cut with "…" or send several messages.'),
    session_mode: oneOf(['stateless', 'chat'] as const)
      .default('stateless')
      .describe('`chat`: every message continues the chat’s session; `stateless`: reply to continue.'),
    show_resume_line: bool().default(true).describe('Show the resume line in stateful scopes too.'),
    forward_coalesce_s: nonNegative()
      .default(1)
      .describe('How long forwards sent right after a comment are collected into one prompt.'),
    media_group_debounce_s: nonNegative().default(1).describe('Quiet time that closes an album.'),
    backlog_max_age_s: nonNegative()
      .default(3600)
      .describe('Updates older than this when tentacle starts are answered with "please resend".'),
    voice_transcription: bool().default(false).describe('Transcribe voice notes.'),
    voice_max_bytes: integer()
      .default(10 * 1024 * 1024)
      .describe('Largest voice note transcribed.'),
    voice_transcription_model: str().default('gpt-4o-mini-transcribe').describe('Transcription model.'),
    voice_transcription_base_url: str().nullable().default(null).describe('OpenAI-compatible base URL.'),
    voice_transcription_api_key: str().nullable().default(null).describe('Key (else OPENAI_API_KEY).'),
    topics: topicsSchema,
    files: filesSchema,
  },
  { error: 'expected a table' },
);

export const projectSchema = z.strictObject(
  {
    path: str().min(1, { error: 'expected a non-empty path' }).describe('The repository (main checkout).'),
    worktrees_dir: str().default('.worktrees').describe('Where `@branch` worktrees are created.'),
    default_engine: str().nullable().default(null).describe('Engine for runs in this project.'),
    worktree_base: str().nullable().default(null).describe('Base branch for new worktrees.'),
    chat_id: integer().nullable().default(null).describe('A chat dedicated to this project.'),
  },
  { error: 'expected a table' },
);

const codexSchema = z.looseObject({
  extra_args: stringList().optional(),
  profile: str().optional(),
  model: str().optional(),
});
const claudeSchema = z.looseObject({
  model: str().optional(),
  allowed_tools: stringList().optional(),
  dangerously_skip_permissions: bool().optional(),
  use_api_billing: bool().optional(),
});
const opencodeSchema = z.looseObject({ model: str().optional() });
const piSchema = z.looseObject({
  model: str().optional(),
  provider: str().optional(),
  extra_args: stringList().optional(),
});

export const configSchema = z.object({
  default_engine: str().default('codex').describe('Engine for new conversations.'),
  default_project: str().nullable().default(null).describe('Project used when nothing else applies.'),
  transport: oneOf(['telegram'] as const)
    .default('telegram')
    .describe('Only `telegram` today.'),
  watch_config: bool().default(false).describe('Reload the settings that can change live.'),
  on_restart: oneOf(['resume', 'notify'] as const)
    .default('resume')
    .describe('After a crash: continue interrupted runs, or only mark them interrupted.'),
  state_path: str()
    .nullable()
    .default(null)
    .describe('SQLite state file (default `<config dir>/tentacle.db`).'),
  engine_idle_warn_s: nonNegative()
    .default(600)
    .describe('Warn in the progress message when an engine is silent this long (0: never).'),
  transports: z.looseObject({ telegram: telegramSchema }, { error: 'expected a table' }),
  projects: z.record(str(), projectSchema, { error: 'expected a table' }).default({}),
  codex: codexSchema.optional(),
  claude: claudeSchema.optional(),
  opencode: opencodeSchema.optional(),
  pi: piSchema.optional(),
});

export type RawSettings = z.output<typeof configSchema>;
export type TelegramSettings = z.output<typeof telegramSchema>;
export type ProjectSettings = z.output<typeof projectSchema>;
