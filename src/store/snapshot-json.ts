/**
 * A stored snapshot, parsed. Text that is not valid JSON is returned as it is, so the caller can
 * report a corrupt row and go on (a topic restarts from its durable facts) instead of throwing.
 */
export function parseSnapshotJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
