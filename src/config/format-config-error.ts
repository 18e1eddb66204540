import type { z } from 'zod';

/**
 * Turns schema issues into lines a person can act on:
 * `transports.telegram.chat_id: expected an integer, got "abc"`.
 * The value is looked up in the raw input, so the message shows what the user wrote.
 */
export function formatConfigIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${[...path, key].join('.')}: unknown key`);
      continue;
    }
    const key = path.length > 0 ? path.join('.') : '(config)';
    const value = lookup(input, path);
    const expected = issue.message.startsWith('expected') ? issue.message : `expected ${issue.message}`;
    if (value === undefined) {
      lines.push(`${key}: missing (${expected})`);
    } else {
      lines.push(`${key}: ${expected}, got ${describeValue(value)}`);
    }
  }
  return [...new Set(lines)];
}

function lookup(input: unknown, path: string[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'a table';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
