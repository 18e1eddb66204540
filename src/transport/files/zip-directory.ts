import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deniedBy } from './deny-globs.ts';
import { isGitSegment } from './relative-path.ts';
import { ZipWriter } from './zip-writer.ts';

export interface ZipDirectoryOptions {
  /** The folder's path in the project (POSIX; `''` for the root): deny rules judge project paths. */
  relative: string;
  /** Folder name the entries are stored under (`docs` → `docs/a.md`). */
  prefix: string;
  denyGlobs: readonly string[];
  maxBytes: number;
}

/**
 * Zips a directory (a real path inside the project root) into `output`, deflated. Symlinks are
 * skipped, never followed; so are `.git` folders, paths the deny rules name, and anything that is not
 * a regular file or a folder. Throws `ZipTooLargeError` once the archive passes `maxBytes`, having
 * removed the partial file.
 *
 * @example
 *   await zipDirectory('/src/app/docs', '/tmp/x/docs.zip', { relative: 'docs', prefix: 'docs', denyGlobs: ['*.pem'], maxBytes: 50 << 20 })
 *   // → { entries: 12, bytes: 40960 }
 */
export async function zipDirectory(
  directory: string,
  output: string,
  options: ZipDirectoryOptions,
): Promise<{ entries: number; bytes: number }> {
  const zip = await ZipWriter.create(output, { maxBytes: options.maxBytes });
  try {
    await addFolder(zip, directory, options.relative, options.prefix, options.denyGlobs);
    const bytes = await zip.finish();
    return { entries: zip.entries, bytes };
  } catch (error) {
    await zip.abort();
    await rm(output, { force: true });
    throw error;
  }
}

async function addFolder(
  zip: ZipWriter,
  directory: string,
  relative: string,
  prefix: string,
  denyGlobs: readonly string[],
): Promise<void> {
  const names = (await readdir(directory)).sort();
  for (const name of names) {
    if (isGitSegment(name)) continue;
    const rel = relative === '' ? name : `${relative}/${name}`;
    if (deniedBy(rel, denyGlobs) !== undefined) continue;
    const path = join(directory, name);
    const stats = await lstat(path).catch(() => undefined);
    if (!stats || stats.isSymbolicLink()) continue;
    const entry = prefix === '' ? name : `${prefix}/${name}`;
    if (stats.isDirectory()) await addFolder(zip, path, rel, entry, denyGlobs);
    else if (stats.isFile()) await zip.addFile(entry, path, { mtime: stats.mtime, mode: stats.mode });
  }
}
