/** One benchmark in its own process (started by bench/run.ts): run it, print it, write its JSON. */
import { isBenchmarkName, loadBenchmark } from '../benchmarks.ts';
import { machineInfo } from './machine.ts';
import { textTable, writeResult } from './report.ts';

const [name, ...rest] = process.argv.slice(2);
if (!name || !isBenchmarkName(name)) throw new Error(`unknown benchmark ${name}`);
const quick = rest.includes('--quick');
const benchmark = await loadBenchmark(name);
const machine = machineInfo();
console.log(`\n=== ${name}: ${benchmark.title}${quick ? ' (--quick)' : ''} ===`);
const started = performance.now();
const outcome = await benchmark.run({ quick, log: (m) => console.error(`  [${name}] ${m}`) });
const durationS = (performance.now() - started) / 1000;
for (const table of outcome.tables) console.log(`\n${textTable(table)}`);
for (const note of outcome.notes) console.log(`- ${note}`);
const file = writeResult({ name, title: benchmark.title, quick, durationS, machine, ...outcome });
console.log(`\n${name}: ${durationS.toFixed(1)} s, written to ${file}`);
// Handles left by a harness (keep-alive sockets, timers) must not hold the runner.
process.exit(0);
