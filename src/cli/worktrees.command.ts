import { resolveConfigPath } from '../config/config-path.ts';
import { loadConfig } from '../config/load-config.ts';
import { gitErrorText, removeWorktree } from '../projects/git.ts';
import {
  inspectProject,
  type ProjectReport,
  pruneVerdict,
  type WorktreeReport,
} from '../projects/worktree-inventory.ts';
import { readWorktreeUsers, type WorktreeUsers } from '../projects/worktree-users.ts';
import { CliError } from './cli-error.ts';
import { silentExit } from './silent-exit.ts';

export interface WorktreesOptions {
  config?: string;
  prune?: boolean;
}

export interface WorktreesIo {
  stdout: (line: string) => void;
}

const defaultIo: WorktreesIo = { stdout: (line) => process.stdout.write(`${line}\n`) };

/**
 * `tentacle worktrees [--prune]`: each configured project's worktrees with branch, path, clean or dirty,
 * ahead/behind the base and the topics bound to them. `--prune` removes the worktrees that are clean,
 * merged into their base and used by no topic, chat or run (`git worktree remove`, never forced), and
 * says what it kept and why. The bridge itself never removes a worktree.
 *
 * Exits 1 when a project could not be read or a removal failed.
 */
export async function worktreesCommand(
  options: WorktreesOptions,
  io: WorktreesIo = defaultIo,
): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config });
  const settings = loadConfig(configPath);
  const projects = Object.values(settings.projects);
  if (projects.length === 0) {
    io.stdout(`no projects in ${configPath}; run \`tentacle init\` in a repository to add one`);
    return;
  }
  const read = readWorktreeUsers(settings.state_path_resolved);
  if (!read.ok && options.prune) {
    throw new CliError(
      `cannot read topic bindings from ${settings.state_path_resolved} (${read.error}); nothing pruned`,
    );
  }
  if (!read.ok)
    io.stdout(`note: cannot read topic bindings from ${settings.state_path_resolved}: ${read.error}`);
  const users: WorktreeUsers = read.ok ? read.users : { bindings: new Map(), runs: new Map() };

  let failed = false;
  for (const project of projects) {
    const report = await inspectProject(project, users);
    if (report.error !== undefined) {
      io.stdout(`${report.alias}  ${report.path}  error: ${report.error}`);
      failed = true;
      continue;
    }
    if (options.prune) failed = (await prune(report, io)) || failed;
    else list(report, io);
  }
  if (failed) throw silentExit(1);
}

function list(report: ProjectReport, io: WorktreesIo): void {
  io.stdout(`${report.alias}  ${report.path}  (base ${report.base ?? 'unknown'})`);
  const rows = report.worktrees.map((w) => [
    w.branch ?? '(detached)',
    w.path,
    describeState(w),
    describeDistance(w, report.base),
    w.users.join(', '),
  ]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]!.length))) ?? [];
  for (const row of rows) {
    io.stdout(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd());
  }
}

/** Returns true when a removal failed. */
async function prune(report: ProjectReport, io: WorktreesIo): Promise<boolean> {
  let failed = false;
  for (const worktree of report.worktrees) {
    if (worktree.main) continue;
    const name = `${report.alias} ${worktree.branch ?? '(detached)'}  ${worktree.path}`;
    const verdict = pruneVerdict(worktree, report.base);
    if (!verdict.remove) {
      io.stdout(`kept ${name}: ${verdict.reason}`);
      continue;
    }
    try {
      await removeWorktree(report.path, worktree.path);
      io.stdout(`removed ${name} (branch ${worktree.branch} kept)`);
    } catch (error) {
      io.stdout(`kept ${name}: git refused: ${gitErrorText(error).replace(/\n+/g, ' ')}`);
      failed = true;
    }
  }
  return failed;
}

function describeState(worktree: WorktreeReport): string {
  if (worktree.main) return worktree.dirty ? 'main checkout, dirty' : 'main checkout';
  if (worktree.missing) return 'missing';
  if (worktree.error !== undefined) return `error: ${worktree.error.split('\n')[0]}`;
  const state = worktree.dirty ? 'dirty' : 'clean';
  return worktree.locked ? `${state}, locked` : state;
}

function describeDistance(worktree: WorktreeReport, base: string | undefined): string {
  if (worktree.ahead === undefined || worktree.behind === undefined || !base) return '';
  if (worktree.main && worktree.ahead === 0 && worktree.behind === 0) return '';
  return `${worktree.ahead} ahead, ${worktree.behind} behind ${base}`;
}
