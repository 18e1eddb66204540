import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProcessExit } from '../../src/engines/adapter.ts';
import { ENGINE_IDS, type EngineEvent, type EngineId } from '../../src/engines/events.ts';
import { ADAPTERS } from '../../src/engines/registry.ts';
import { assertEventInvariants } from '../support/event-invariants.ts';
import { chaosSeed, Rng } from './chaos-seed.ts';
import { tally } from './chaos-tally.ts';

const seed = chaosSeed();
const RUNS = Number(process.env['CHAOS_JSONL_RUNS'] ?? 1000);

/** The engine's fixture streams (real output of the CLI), one array of lines per file. */
function streams(engine: EngineId): string[][] {
  const dir = new URL(`../fixtures/engines/${engine}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) =>
      readFileSync(new URL(f, dir), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Replaces (or deletes) the value at one path of a parsed line, walking `steps` choices deep. */
function mutate(value: JsonValue, steps: number[], replacement: JsonValue | undefined): JsonValue {
  if (value === null || typeof value !== 'object' || steps.length === 0) return replacement ?? null;
  const [step, ...rest] = steps as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement ?? [];
    const i = step % value.length;
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(i, 1);
    else copy[i] = mutate(copy[i]!, rest, replacement);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement ?? {};
  const key = keys[step % keys.length]!;
  const copy = { ...value };
  if (rest.length === 0 && replacement === undefined) delete copy[key];
  else copy[key] = mutate(copy[key]!, rest, replacement);
  return copy;
}

/** Any stdout line a broken or hostile engine might print, drawn from all its fixtures. */
function lineArbitrary(lines: string[]): fc.Arbitrary<string> {
  const real = fc.constantFrom(...lines);
  const types = [
    ...new Set(
      lines.flatMap((l) => [(JSON.parse(l) as { type?: unknown }).type].filter((t) => typeof t === 'string')),
    ),
  ] as string[];
  return fc.oneof(
    { weight: 4, arbitrary: real },
    // Cut anywhere, as a crash or a full pipe would leave it.
    { weight: 3, arbitrary: fc.tuple(real, fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1))) },
    // One field replaced by any JSON value, or removed.
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          real,
          fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
          fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
        )
        .map(([l, steps, v]) => JSON.stringify(mutate(JSON.parse(l) as JsonValue, steps, v as JsonValue))),
    },
    // A known event type with arbitrary fields.
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...types),
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
        )
        .map(([type, fields]) => JSON.stringify({ ...fields, type })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '   ', '\r', '\t{}\r', '{', '}', 'null', '[]', '"text"', '1e999'),
    },
    { weight: 1, arbitrary: real.map((l) => `${l}\r`) },
  );
}

/** One fault applied to one line of a real stream, in place. */
type LineFault =
  | { kind: 'keep' }
  | { kind: 'truncate'; at: number }
  | { kind: 'mutate'; steps: number[]; value: unknown }
  | { kind: 'drop' }
  | { kind: 'noise'; text: string };

const lineFaultArbitrary: fc.Arbitrary<LineFault> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'keep' as const }) },
  { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'truncate' as const, at })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      )
      .map(([steps, value]) => ({ kind: 'mutate' as const, steps, value })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', '{', 'null', '[1]', '\r'))
      .map((text) => ({ kind: 'noise' as const, text })),
  },
);

function applyFault(line: string, fault: LineFault): string[] {
  switch (fault.kind) {
    case 'keep':
      return [line];
    case 'truncate':
      return [line.slice(0, fault.at % (line.length + 1))];
    case 'mutate':
      return [JSON.stringify(mutate(JSON.parse(line) as JsonValue, fault.steps, fault.value as JsonValue))];
    case 'drop':
      return [];
    case 'noise':
      return [fault.text, line];
  }
}

/**
 * One real stream of the engine, damaged the way pipes and crashes damage output: lines cut, fields
 * changed or removed, lines lost, noise in between, and the stream cut off part-way (the last line
 * without its end). Lines keep their order: a repeated or reordered tool result is another matter
 * (the property below only asks for a well-formed end there).
 */
function damagedStream(files: string[][]): fc.Arbitrary<string[]> {
  return fc.constantFrom(...files).chain((lines) =>
    fc
      .tuple(
        fc.array(lineFaultArbitrary, { minLength: lines.length, maxLength: lines.length }),
        fc.option(fc.tuple(fc.nat({ max: lines.length }), fc.nat()), { freq: 3, nil: undefined }),
      )
      .map(([faults, cut]) => {
        const out = lines.flatMap((line, i) => applyFault(line, faults[i]!));
        if (!cut) return out;
        const [at, keep] = cut;
        const kept = out.slice(0, at);
        const partial = out[at];
        return partial === undefined ? kept : [...kept, partial.slice(0, keep % (partial.length + 1))];
      }),
  );
}

const exitArbitrary: fc.Arbitrary<ProcessExit> = fc.record({
  code: fc.option(fc.constantFrom(0, 1, 2, 124, 130, 137, 141, 143, 255), { nil: null }),
  signal: fc.option(fc.constantFrom('SIGTERM', 'SIGKILL', 'SIGPIPE'), { nil: null }),
  stderrTail: fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }),
});

/** Whether a value survives JSON as it is (events are persisted and sent between actors). */
function isPlainJson(value: unknown): boolean {
  return JSON.stringify(value) === JSON.stringify(JSON.parse(JSON.stringify(value)));
}

/** What must hold for any output whatsoever: no exception, one completed last, plain JSON, nothing after. */
function translate(
  engine: EngineId,
  output: string[],
  exit: ProcessExit,
  resume: string | undefined,
): EngineEvent[] {
  const translator = ADAPTERS[engine].createTranslator({ prompt: 'p', cwd: '/work/project', resume });
  const events: EngineEvent[] = output.flatMap((line) => translator.translateLine(line));
  events.push(...translator.finish(exit));
  expect(events.at(-1)?.type).toBe('completed');
  expect(events.filter((e) => e.type === 'started').length).toBeLessThanOrEqual(1);
  expect(events.every((e) => e.engine === engine)).toBe(true);
  expect(isPlainJson(events)).toBe(true);
  expect(translator.translateLine(output[0] ?? '{}')).toEqual([]);
  expect(translator.finish(exit)).toEqual([]);
  return events;
}

const resumeArbitrary = fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined });

describe.each(ENGINE_IDS)('the %s adapter fed damaged JSONL', (engine) => {
  const adapter = ADAPTERS[engine];
  const files = streams(engine);

  it(`keeps every event invariant for a real stream cut, corrupted or thinned (seed ${seed})`, () => {
    const rng = Rng.for(seed, `jsonl:${engine}`);
    fc.assert(
      fc.property(damagedStream(files), exitArbitrary, resumeArbitrary, (output, exit, resume) => {
        assertEventInvariants(translate(engine, output, exit, resume));
      }),
      { seed: rng.seed(), numRuns: RUNS },
    );
    tally('inputs tried', RUNS);
  });

  it(`never throws and always ends with one completed, whatever lines come in whatever order (seed ${seed})`, () => {
    const rng = Rng.for(seed, `jsonl-any:${engine}`);
    fc.assert(
      fc.property(
        fc.array(lineArbitrary(files.flat()), { maxLength: 40 }),
        exitArbitrary,
        resumeArbitrary,
        (output, exit, resume) => {
          translate(engine, output, exit, resume);
        },
      ),
      { seed: rng.seed(), numRuns: RUNS },
    );
    tally('inputs tried', RUNS);
  });

  it(`reads no resume token out of arbitrary text that its own resume line would not carry back (seed ${seed})`, () => {
    const rng = Rng.for(seed, `resume:${engine}`);
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 120 }),
      fc
        .tuple(
          fc.string({ maxLength: 20 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ maxLength: 20 }),
        )
        .map(([a, token, b]) => `${a}\n${adapter.resume.format(token)}\n${b}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        const token = adapter.resume.extract(t);
        if (token === undefined) return;
        expect(token.startsWith('-'), `token ${JSON.stringify(token)} looks like a flag`).toBe(false);
        expect(adapter.resume.extract(adapter.resume.format(token))).toBe(token);
      }),
      { seed: rng.seed(), numRuns: RUNS },
    );
    tally('inputs tried', RUNS);
  });
});
