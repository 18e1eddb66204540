/**
 * The benchmark runner: `npm run bench [-- [--quick] [name …]]`.
 *
 * Each benchmark runs in a child process of its own (a fresh heap, `--expose-gc`, a bounded wall
 * time), prints its tables and writes `bench/results/<name>.json`; the runner then regenerates the
 * results section of `bench/README.md` from every results file. Benchmarks print numbers and never
 * fail on them; a benchmark that crashes or overruns its bound makes the exit code non-zero.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS, type BenchmarkName, isBenchmarkName } from './benchmarks.ts';
import { README, REPO_ROOT, readResults, updateReadme } from './lib/report.ts';

const CHILD = fileURLToPath(new URL('./lib/child.ts', import.meta.url));

function parseArgs(argv: string[]): { quick: boolean; names: BenchmarkName[] } {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !isBenchmarkName(n));
  if (unknown.length > 0 || argv.includes('--help')) {
    const list = Object.keys(BENCHMARKS).join(', ');
    console.error(`usage: npm run bench -- [--quick] [name …]\nbenchmarks: ${list}`);
    if (unknown.length > 0) console.error(`unknown: ${unknown.join(', ')}`);
    process.exit(unknown.length > 0 ? 2 : 0);
  }
  return {
    quick,
    names: names.length > 0 ? (names as BenchmarkName[]) : (Object.keys(BENCHMARKS) as BenchmarkName[]),
  };
}

/** Runs one benchmark in its own process group, so an overrun takes its bridge and engines with it. */
function runChild(name: BenchmarkName, quick: boolean): Promise<boolean> {
  const limitS = BENCHMARKS[name].limitS[quick ? 'quick' : 'full'];
  const args = ['--expose-gc', '--import', 'tsx', CHILD, name, ...(quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit', detached: true });
    const timer = setTimeout(() => {
      console.error(`bench ${name}: still running after ${limitS} s; stopping it`);
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, limitS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) console.error(`bench ${name}: failed (${signal ?? `exit ${code}`})`);
      resolve(code === 0);
    });
  });
}

const { quick, names } = parseArgs(process.argv.slice(2));
const started = Date.now();
const failed: string[] = [];
for (const name of names) {
  if (!(await runChild(name, quick))) failed.push(name);
}
updateReadme(readResults(Object.keys(BENCHMARKS)));
console.error(
  `\nbench: ${names.length - failed.length}/${names.length} done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in bench/results/, table in ${README}`,
);
if (failed.length > 0) {
  console.error(`bench: failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
