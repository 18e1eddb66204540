import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS_PATH, configDocSections, renderConfigDocs } from '../../scripts/gen-config-docs.ts';
import { configSchema, projectSchema, telegramSchema } from '../../src/config/schema.ts';

const TABLES = ['transports', 'projects', 'codex', 'claude', 'opencode', 'pi'];

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` generates from the schema (run it after changing the schema)', () => {
    expect(readFileSync(CONFIG_DOCS_PATH, 'utf8')).toBe(renderConfigDocs());
  });

  it('gives every key a type, a default (or "required") and a description', () => {
    const rows = configDocSections().flatMap((section) => section.rows);
    expect(rows.filter((row) => !row.type || !row.default || !row.description)).toEqual([]);
  });

  it.each([
    ['top level', undefined, Object.keys(configSchema.shape).filter((key) => !TABLES.includes(key))],
    [
      '[transports.telegram]',
      'transports.telegram',
      Object.keys(telegramSchema.shape).filter((k) => !['topics', 'files'].includes(k)),
    ],
    ['[projects.<alias>]', 'projects.<alias>', Object.keys(projectSchema.shape)],
  ])('lists every key of the %s table', (_name, table, keys) => {
    const section = configDocSections().find((s) => s.table === table);
    expect(section?.rows.map((row) => row.key)).toEqual(keys);
  });
});
