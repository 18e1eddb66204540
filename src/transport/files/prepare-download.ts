import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { deniedBy } from './deny-globs.ts';
import { FILE_TEXT } from './file-texts.ts';
import { relativePath } from './relative-path.ts';
import { resolveInRoot } from './root-path.ts';
import { zipDirectory } from './zip-directory.ts';
import { ZipTooLargeError } from './zip-writer.ts';

export type PreparedDownload =
  | {
      ok: true;
      /** A private copy (or the zip) to send; removed by `cleanup`. */
      path: string;
      /** The document's name: the file's own, or `<folder>.zip`. */
      fileName: string;
      bytes: number;
      cleanup(): Promise<void>;
    }
  | { ok: false; error: string };

export interface DownloadOptions {
  denyGlobs: readonly string[];
  maxBytes: number;
  /** Where private copies go (default: the system's temporary folder). */
  tempDir?: string | undefined;
}

class CopyTooLargeError extends Error {}

/**
 * Gets `/file get <path>` ready to send: checks the path like an upload path, then copies the file
 * (never through a symlink) or zips the folder (skipping symlinks and denied files) into a private
 * temporary folder, within the size limit. The copy is what gets sent, so a file changed or swapped
 * for a link while it uploads cannot leak anything else.
 *
 * @example
 *   const ready = await prepareDownload('/src/app', 'docs', { denyGlobs: ['*.pem'], maxBytes: 50 << 20 });
 *   if (ready.ok) { await send(ready.path, ready.fileName); await ready.cleanup(); } // fileName: 'docs.zip'
 */
export async function prepareDownload(
  root: string,
  typedPath: string,
  options: DownloadOptions,
): Promise<PreparedDownload> {
  const typed = relativePath(typedPath);
  if (!typed.ok) {
    return fail(typed.reason === 'denied' ? FILE_TEXT.denied(typed.rule) : FILE_TEXT.invalidDownload);
  }
  const typedRule = deniedBy(typed.path, options.denyGlobs);
  if (typedRule !== undefined) return fail(FILE_TEXT.denied(typedRule));
  const target = await resolveInRoot(root, typed.segments, options.denyGlobs);
  if (!target.ok) {
    if (target.reason === 'denied') return fail(FILE_TEXT.denied(target.rule));
    if (target.reason === 'escapes') return fail(FILE_TEXT.downloadEscapes);
    if (target.reason === 'root-missing') return fail(FILE_TEXT.rootMissing(root));
    return fail(FILE_TEXT.missing);
  }
  if (target.kind === 'missing' || target.kind === 'symlink') return fail(FILE_TEXT.missing);
  if (target.kind === 'other') return fail(FILE_TEXT.invalidDownload);

  const folder = await mkdtemp(join(options.tempDir ?? tmpdir(), 'tentacle-file-'));
  const cleanup = () => rm(folder, { recursive: true, force: true });
  try {
    if (target.kind === 'directory') {
      const name = basename(target.absolute) || 'root';
      const output = join(folder, `${name}.zip`);
      const zipped = await zipDirectory(target.absolute, output, {
        relative: target.relative,
        prefix: name,
        denyGlobs: options.denyGlobs,
        maxBytes: options.maxBytes,
      });
      return { ok: true, path: output, fileName: `${name}.zip`, bytes: zipped.bytes, cleanup };
    }
    const name = basename(target.absolute);
    const stats = await lstat(target.absolute);
    if (stats.size > options.maxBytes) {
      await cleanup();
      return fail(FILE_TEXT.downloadTooLarge);
    }
    const copy = join(folder, name);
    const bytes = await copyWithin(target.absolute, copy, options.maxBytes);
    return { ok: true, path: copy, fileName: name, bytes, cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof ZipTooLargeError || error instanceof CopyTooLargeError) {
      return fail(FILE_TEXT.downloadTooLarge);
    }
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return fail(FILE_TEXT.missing);
    throw error;
  }
}

async function copyWithin(source: string, destination: string, maxBytes: number): Promise<number> {
  let copied = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      copied += chunk.length;
      done(copied > maxBytes ? new CopyTooLargeError() : null, chunk);
    },
  });
  const input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  await pipeline(
    input.createReadStream(),
    limit,
    createWriteStream(destination, { flags: 'wx', mode: 0o600 }),
  );
  return copied;
}

function fail(error: string): PreparedDownload {
  return { ok: false, error };
}
