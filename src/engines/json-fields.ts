import type { Json, JsonObject } from './events.ts';

/** The value as a JSON object, or undefined when it is anything else (engines' JSON is untrusted). */
export function asObject(value: Json | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** A string field of an object, or `''` when missing or not a string. */
export function stringField(object: JsonObject | undefined, key: string): string {
  const value = object?.[key];
  return typeof value === 'string' ? value : '';
}
