import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionSink } from './inspector.ts';

/**
 * `--inspect-log FILE`: every inspection event as one JSON line in Stately's inspection format,
 * appended. Written synchronously so the last lines before a hang or a crash are on disk.
 *
 * @example
 *   const log = new InspectionLog('/tmp/tentacle-inspect.jsonl');
 *   createActorInspector({ sinks: [log] });
 */
export class InspectionLog implements InspectionSink {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a');
  }

  send(event: StatelyInspectionEvent): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify(event)}\n`);
  }

  stop(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
