import { lstat } from 'node:fs/promises';
import type { File } from 'grammy/types';
import type { TelegramClient } from '../telegram-client.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { deniedBy } from './deny-globs.ts';
import { FILE_TEXT } from './file-texts.ts';
import { type IncomingFile, uploadFileName } from './incoming-file.ts';
import { relativePath } from './relative-path.ts';
import { type RootTarget, resolveInRoot } from './root-path.ts';

export interface UploadPlan {
  /** The project checkout, worktree, or the bridge's working directory. */
  root: string;
  /** The path as typed; a trailing `/` (or `''`) means "in this folder, under the file's own name". */
  path: string;
  force: boolean;
  /** Auto-put: when the name is taken by other content, save as `name-1.ext`, `name-2.ext`, … instead. */
  renameIfTaken: boolean;
}

export interface UploadDeps {
  client: Pick<TelegramClient, 'getFile' | 'downloadFile'>;
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  denyGlobs: readonly string[];
  signal?: AbortSignal | undefined;
}

export type UploadResult =
  | {
      ok: true;
      /** Where it was saved, relative to the root (symlinks resolved). */
      relative: string;
      bytes: number;
    }
  | { ok: false; error: string };

const MAX_RENAMES = 50;

/**
 * Saves a Telegram attachment under a project root: checks the path (lexically, against the deny
 * rules, then on disk with symlinks resolved), asks Telegram for the file, downloads it within the
 * size limit (checked before and after), and writes it atomically. Every refusal comes back as the
 * reply text; nothing is written outside the root, into `.git`, or onto a denied path.
 *
 * @example
 *   await saveUpload({ kind: 'document', fileId: 'A', fileName: 'spec.pdf', size: 1200 },
 *     { root: '/src/app', path: 'docs/', force: false, renameIfTaken: false }, deps)
 *   // → { ok: true, relative: 'docs/spec.pdf', bytes: 1200 }
 */
export async function saveUpload(
  file: IncomingFile,
  plan: UploadPlan,
  deps: UploadDeps,
): Promise<UploadResult> {
  const typed = relativePath(plan.path.trim() === '' ? '.' : plan.path);
  if (!typed.ok) return pathRefusal(typed);
  const inFolder = typed.directory || typed.segments.length === 0;
  const folder = typed.segments;
  const typedRule = deniedBy(folder.join('/'), deps.denyGlobs);
  if (typedRule !== undefined) return fail(FILE_TEXT.denied(typedRule));
  if (file.size !== undefined && file.size > deps.maxBytes) return fail(FILE_TEXT.uploadTooLarge);

  let meta: File;
  try {
    meta = await deps.client.getFile(file.fileId, { signal: deps.signal });
  } catch (error) {
    deps.signal?.throwIfAborted();
    return fail(/file is too big/i.test(String(error)) ? FILE_TEXT.uploadTooLarge : FILE_TEXT.metadataFailed);
  }
  if (meta.file_size !== undefined && meta.file_size > deps.maxBytes) return fail(FILE_TEXT.uploadTooLarge);

  const segments = inFolder ? [...folder, uploadFileName(file.fileName, meta.file_path)] : folder;
  const full = relativePath(segments.join('/'));
  if (!full.ok) return pathRefusal(full);
  const rule = deniedBy(full.path, deps.denyGlobs);
  if (rule !== undefined) return fail(FILE_TEXT.denied(rule));
  let target = await resolveInRoot(plan.root, full.segments, deps.denyGlobs);
  if (!target.ok) return targetRefusal(target, plan.root);
  if (target.kind === 'directory') return fail(FILE_TEXT.isDirectory);
  // Taken by something else: refuse before downloading, unless it may be this same file sent again.
  if (target.kind !== 'missing' && !plan.force && !plan.renameIfTaken) {
    const size = (await lstat(target.absolute).catch(() => undefined))?.size;
    if (target.kind !== 'file' || size !== meta.file_size) return fail(FILE_TEXT.exists);
  }

  let bytes: Buffer;
  try {
    bytes = await deps.client.downloadFile(meta, { maxBytes: deps.maxBytes, signal: deps.signal });
  } catch (error) {
    deps.signal?.throwIfAborted();
    return fail(
      /file over \d+ bytes/.test(String(error)) ? FILE_TEXT.uploadTooLarge : FILE_TEXT.downloadFailed,
    );
  }
  if (bytes.length > deps.maxBytes) return fail(FILE_TEXT.uploadTooLarge);

  for (let attempt = 1; ; attempt++) {
    const outcome = await writeFileAtomic(target.root, target.absolute, bytes, { force: plan.force });
    if (outcome.ok) return { ok: true, relative: target.relative, bytes: bytes.length };
    if (outcome.reason !== 'exists' || !plan.renameIfTaken || attempt > MAX_RENAMES) {
      return fail(
        outcome.reason === 'exists'
          ? FILE_TEXT.exists
          : outcome.reason === 'is-directory'
            ? FILE_TEXT.isDirectory
            : outcome.reason === 'escapes'
              ? FILE_TEXT.uploadEscapes
              : FILE_TEXT.invalidUpload,
      );
    }
    const next = renamed(full.segments, attempt);
    target = await resolveInRoot(plan.root, next, deps.denyGlobs);
    if (!target.ok) return targetRefusal(target, plan.root);
  }
}

/** `report.pdf` → `report-2.pdf`; `archive.tar.gz` → `archive-2.tar.gz`; `.env.local` keeps its dot. */
function renamed(segments: readonly string[], n: number): string[] {
  const name = segments[segments.length - 1]!;
  const dot = name.indexOf('.', 1);
  const next = dot < 0 ? `${name}-${n}` : `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
  return [...segments.slice(0, -1), next];
}

function pathRefusal(path: Exclude<ReturnType<typeof relativePath>, { ok: true }>): UploadResult {
  return fail(path.reason === 'denied' ? FILE_TEXT.denied(path.rule) : FILE_TEXT.invalidUpload);
}

function targetRefusal(target: Exclude<RootTarget, { ok: true }>, root: string): UploadResult {
  if (target.reason === 'denied') return fail(FILE_TEXT.denied(target.rule));
  if (target.reason === 'escapes') return fail(FILE_TEXT.uploadEscapes);
  if (target.reason === 'root-missing') return fail(FILE_TEXT.rootMissing(root));
  return fail(FILE_TEXT.invalidUpload);
}

function fail(error: string): UploadResult {
  return { ok: false, error };
}
