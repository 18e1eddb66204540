import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DENY_GLOBS } from '../../../src/config/schema.ts';
import { incomingFile } from '../../../src/transport/files/incoming-file.ts';
import { prepareDownload } from '../../../src/transport/files/prepare-download.ts';
import { saveUpload } from '../../../src/transport/files/save-upload.ts';
import { TelegramClient } from '../../../src/transport/telegram-client.ts';
import { FakeTelegram } from '../../support/fake-telegram/fake-telegram.ts';
import { useTempDir } from '../../support/temp-dir.ts';

const ALICE = { id: 1001, first_name: 'Alice' };
const tempDir = useTempDir();
let tg: FakeTelegram;
let client: TelegramClient;
let chat: number;

beforeAll(async () => {
  tg = await FakeTelegram.start({ token: '123456:TEST-files' });
  client = new TelegramClient({ token: tg.token, apiRoot: tg.apiRoot });
  chat = tg.addPrivateChat(ALICE);
});
afterAll(async () => {
  await tg.stop();
});

/**
 * A project root next to a folder that must never be touched, with every trap a path can fall into:
 * links out of the root (a folder, a file, a dangling one), a link into `.git`, a link that stays
 * inside, a folder named like a target file, a file where a folder is expected, and denied files.
 */
function sandbox() {
  const base = tempDir();
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), 'outside secret');
  mkdirSync(join(root, '.git'), { recursive: true });
  writeFileSync(join(root, '.git', 'config'), '[core]');
  mkdirSync(join(root, 'docs', 'spec.pdf'), { recursive: true });
  writeFileSync(join(root, 'docs', 'readme.md'), '# docs');
  mkdirSync(join(root, 'keys'));
  writeFileSync(join(root, 'keys', 'server.pem'), 'PRIVATE');
  writeFileSync(join(root, 'notafolder.txt'), 'a file');
  symlinkSync('../outside', join(root, 'link-out'));
  symlinkSync('../outside/secret.txt', join(root, 'escape.txt'));
  symlinkSync('../outside/new.txt', join(root, 'dangling'));
  symlinkSync('.git', join(root, 'gitlink'));
  symlinkSync('docs', join(root, 'inner'));
  return { base, root, outside };
}

/** Every path under `dir` (links not followed) with the bytes of each file. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const rel = relative(dir, full);
      const stats = statSync(full, { throwIfNoEntry: false });
      const isLink = readdirSync(path, { withFileTypes: true })
        .find((e) => e.name === name)
        ?.isSymbolicLink();
      if (isLink) out[rel] = '<link>';
      else if (stats?.isDirectory()) {
        out[`${rel}/`] = '<dir>';
        walk(full);
      } else out[rel] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function upload(fileName = 'x.txt', bytes = 'uploaded bytes') {
  const message = tg.sendUserMessage({ chatId: chat, from: ALICE, document: { fileName, bytes } });
  return incomingFile(message)!;
}

let box: ReturnType<typeof sandbox>;
beforeEach(() => {
  box = sandbox();
});

describe('hostile upload paths', () => {
  it.each([
    ['../outside/x.txt', false, 'invalid upload path.'],
    ['a/../../outside/x.txt', false, 'invalid upload path.'],
    ['~/x.txt', false, 'invalid upload path.'],
    ['ABSOLUTE', false, 'invalid upload path.'],
    ['.git/config', true, 'path denied by rule: .git/**'],
    ['docs/.git/hooks/post-checkout', true, 'path denied by rule: .git/**'],
    ['gitlink/config', true, 'path denied by rule: .git/**'],
    ['.env', true, 'path denied by rule: .env'],
    ['config/prod.pem', true, 'path denied by rule: *.pem'],
    ['.ssh/authorized_keys', true, 'path denied by rule: .ssh/**'],
    ['link-out/x.txt', true, 'upload path escapes the repo root.'],
    ['link-out/dir/', true, 'upload path escapes the repo root.'],
    ['escape.txt', true, 'upload path escapes the repo root.'],
    ['escape.txt', false, 'upload path escapes the repo root.'],
    ['dangling', true, 'upload path escapes the repo root.'],
    ['docs/spec.pdf', true, 'upload target is a directory.'],
    ['notafolder.txt/x.txt', true, 'invalid upload path.'],
    ['docs/readme.md', false, 'file already exists; use --force to overwrite.'],
  ])('refuses %s (force %s) with "%s" and writes nothing anywhere', async (path, force, error) => {
    const typed = path === 'ABSOLUTE' ? join(box.outside, 'x.txt') : path;
    const before = tree(box.base);
    const result = await saveUpload(
      upload(),
      { root: box.root, path: typed, force, renameIfTaken: false },
      {
        client,
        maxBytes: 1024 * 1024,
        denyGlobs: DEFAULT_DENY_GLOBS,
      },
    );
    expect(result).toEqual({ ok: false, error });
    expect(tree(box.base)).toEqual(before);
  });

  it('refuses a sender file name that names a denied file, in an allowed folder', async () => {
    const before = tree(box.base);
    const result = await saveUpload(
      upload('.env'),
      { root: box.root, path: 'incoming/', force: true, renameIfTaken: false },
      { client, maxBytes: 1024, denyGlobs: DEFAULT_DENY_GLOBS },
    );
    expect(result).toEqual({ ok: false, error: 'path denied by rule: .env' });
    expect(tree(box.base)).toEqual(before);
  });

  it('follows a link that stays inside the root and reports the real path', async () => {
    const result = await saveUpload(
      upload('new.txt', 'via link'),
      { root: box.root, path: 'inner/', force: false, renameIfTaken: false },
      { client, maxBytes: 1024, denyGlobs: DEFAULT_DENY_GLOBS },
    );
    expect(result).toEqual({ ok: true, relative: 'docs/new.txt', bytes: 8 });
    expect(readFileSync(join(box.root, 'docs', 'new.txt'), 'utf8')).toBe('via link');
    expect(tree(box.outside)).toEqual({ 'dir/': '<dir>', 'secret.txt': 'outside secret' });
  });

  it('keeps the original name of a crafted sender name, never its folders', async () => {
    const result = await saveUpload(
      upload('../../outside/evil.txt', 'evil'),
      { root: box.root, path: 'incoming/', force: false, renameIfTaken: false },
      { client, maxBytes: 1024, denyGlobs: DEFAULT_DENY_GLOBS },
    );
    expect(result).toMatchObject({ ok: true, relative: 'incoming/evil.txt' });
    expect(tree(box.outside)).toEqual({ 'dir/': '<dir>', 'secret.txt': 'outside secret' });
  });
});

describe('hostile download paths', () => {
  it.each([
    ['../outside/secret.txt', 'invalid download path.'],
    ['ABSOLUTE', 'invalid download path.'],
    ['~/.bashrc', 'invalid download path.'],
    ['.git/config', 'path denied by rule: .git/**'],
    ['.git', 'path denied by rule: .git/**'],
    ['gitlink/config', 'path denied by rule: .git/**'],
    ['gitlink', 'path denied by rule: .git/**'],
    ['keys/server.pem', 'path denied by rule: *.pem'],
    ['escape.txt', 'download path escapes the repo root.'],
    ['link-out', 'download path escapes the repo root.'],
    ['link-out/secret.txt', 'download path escapes the repo root.'],
    ['dangling', 'download path escapes the repo root.'],
    ['missing.txt', 'file does not exist.'],
    ['notafolder.txt/x', 'file does not exist.'],
  ])('refuses %s with "%s" and stages no copy', async (path, error) => {
    const staging = tempDir();
    const typed = path === 'ABSOLUTE' ? join(box.outside, 'secret.txt') : path;
    const result = await prepareDownload(box.root, typed, {
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1024 * 1024,
      tempDir: staging,
    });
    expect(result).toEqual({ ok: false, error });
    expect(readdirSync(staging)).toEqual([]);
  });
});
