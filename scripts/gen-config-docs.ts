/**
 * Generates docs/configuration.md from the zod schema (`src/config/schema.ts`): every key with its
 * type, default and description. Run `npm run docs:config` after changing the schema; a test
 * fails while the committed page differs from what this prints.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../src/config/schema.ts';

export const CONFIG_DOCS_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

/** A JSON Schema node as zod emits it (only the fields read here). */
interface Node {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Node[];
  items?: Node;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  minLength?: number;
  format?: string;
}

export interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

export interface Section {
  /** `[transports.telegram]`, or undefined for the top level. */
  table: string | undefined;
  rows: Row[];
}

/**
 * Descriptions for the keys of the engine tables, which the schema passes through to the adapters
 * without describing them.
 */
const ENGINE_KEY_NOTES: Record<string, string> = {
  'codex.extra_args':
    'Extra arguments put before `exec` (default `["-c", "notify=[]"]`). Flags tentacle manages (`--json`, `--color`, …) are rejected.',
  'codex.profile': 'Adds `--profile <name>`.',
  'codex.model':
    'Accepted but not passed to codex today: set the model with `/model`, or `extra_args = ["-c", "model=…"]`.',
  'claude.model': 'Adds `--model <name>` (a `/model` override wins).',
  'claude.allowed_tools': 'Passed as `--allowedTools` (default `["Bash", "Read", "Edit", "Write"]`).',
  'claude.dangerously_skip_permissions': 'Adds `--dangerously-skip-permissions` (default false).',
  'claude.use_api_billing':
    'Keep `ANTHROPIC_API_KEY` in claude’s environment (default false: it is removed, so the subscription is used).',
  'opencode.model': 'Adds `--model <provider/model>` (a `/model` override wins).',
  'pi.model': 'Adds `--model <name>` (a `/model` override wins).',
  'pi.provider': 'Adds `--provider <name>`.',
  'pi.extra_args': 'Extra arguments for pi (default `[]`).',
};

/** Defaults as the schema fills them in (read from a parse, so preprocessed keys are right too). */
function parsedDefaults(): Record<string, unknown> {
  return configSchema.parse({
    transports: { telegram: { bot_token: 'x', chat_id: 1 } },
    projects: { alias: { path: '.' } },
  }) as Record<string, unknown>;
}

function lookup(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeOf(node: Node): string {
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  if (node.enum) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(', ');
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  return types
    .map((type) => {
      if (type === 'array') return `array of ${node.items ? plural(typeOf(node.items)) : 'values'}`;
      if (type === 'number' && node.minimum === 0) return 'number ≥ 0';
      if (type === 'string' && node.format === 'uri') return 'URL';
      return type;
    })
    .join(' or ');
}

function plural(type: string): string {
  return type.endsWith('s') ? type : `${type}s`;
}

function defaultOf(value: unknown, required: boolean): string {
  if (required) return 'required';
  if (value === undefined) return '—';
  return `\`${JSON.stringify(value)}\``;
}

function isTable(node: Node): boolean {
  return node.type === 'object';
}

function collect(
  node: Node,
  path: string[],
  defaults: unknown,
  sections: Section[],
  display: string[] = path,
): void {
  const properties = node.properties ?? {};
  const required = new Set(node.required ?? []);
  const rows: Row[] = [];
  const nested: [string, Node][] = [];
  for (const [key, child] of Object.entries(properties)) {
    if (isTable(child)) {
      nested.push([key, child]);
      continue;
    }
    const keyPath = [...display, key].join('.');
    rows.push({
      key,
      type: typeOf(child),
      default: defaultOf(lookup(defaults, [...path, key]), required.has(key)),
      description: child.description ?? ENGINE_KEY_NOTES[keyPath] ?? '',
    });
  }
  if (rows.length > 0) {
    sections.push({ table: display.length === 0 ? undefined : display.join('.'), rows });
  }
  for (const [key, child] of nested) collect(child, [...path, key], defaults, sections, [...display, key]);
  const values = node.additionalProperties;
  if (path.length === 1 && path[0] === 'projects' && typeof values === 'object') {
    collect(values, ['projects', 'alias'], defaults, sections, ['projects', '<alias>']);
  }
}

const INTRO = `# Configuration reference

<!-- Generated by \`npm run docs:config\` from src/config/schema.ts. Edit the schema, then run it again. -->

tentacle reads one TOML file: \`--config PATH\`, else \`$TENTACLE_CONFIG\`, else
\`~/.tentacle/tentacle.toml\`. The setup wizard (\`tentacle\` in a terminal with no config, or
\`tentacle --onboard\`) writes a working one; \`tentacle config set <key> <value>\` changes one key and
validates the whole file before saving.

Any key can be overridden from the environment with \`TENTACLE__\` and the key path in capitals,
joined by \`__\`: \`TENTACLE__DEFAULT_ENGINE=claude\`,
\`TENTACLE__TRANSPORTS__TELEGRAM__CHAT_ID=-100123\`. Values are read as TOML literals when they
parse as one (\`true\`, \`42\`, \`["a", "b"]\`), else as plain strings. The environment wins over the file.

Unknown keys are errors inside \`[transports.telegram]\`, its \`topics\` and \`files\` tables and
\`[projects.<alias>]\`; other top-level tables are allowed (engine tables, plugins).

A minimal config:

\`\`\`toml
default_engine = "codex"

[transports.telegram]
bot_token = "123456789:AA..."
chat_id = 123456789
\`\`\`
`;

/** Every table of the schema with its keys, in schema order. */
export function configDocSections(): Section[] {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Node;
  const sections: Section[] = [];
  collect(schema, [], parsedDefaults(), sections);
  return sections;
}

/** The whole page. */
export function renderConfigDocs(): string {
  const parts = [INTRO];
  for (const section of configDocSections()) {
    parts.push(section.table === undefined ? '## Top level\n' : `## \`[${section.table}]\`\n`);
    const lines = ['| key | type | default | description |', '| --- | --- | --- | --- |'];
    for (const row of section.rows) {
      lines.push(`| ${[`\`${row.key}\``, row.type, row.default, row.description].map(cell).join(' | ')} |`);
    }
    parts.push(`${lines.join('\n')}\n`);
  }
  return parts.join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIG_DOCS_PATH, renderConfigDocs());
  process.stdout.write(`wrote ${CONFIG_DOCS_PATH}\n`);
}
