import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness, type HarnessOptions } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { readZip } from '../transport/files/read-zip.ts';

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function filesToml(files: Record<string, unknown>): string {
  return [
    '[transports.telegram.files]',
    'enabled = true',
    ...Object.entries(files).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
  ].join('\n');
}

async function boot(files: Record<string, unknown> = {}, options: HarnessOptions = {}) {
  harness = await BridgeHarness.create(tempDir(), {
    ...options,
    extraToml: `${filesToml(files)}\n${options.extraToml ?? ''}`,
  });
  await harness.start();
  return harness;
}

function sendDocument(
  h: BridgeHarness,
  fileName: string,
  bytes: string,
  extra: { caption?: string; mediaGroupId?: string; chatId?: number; from?: typeof ALICE } = {},
) {
  return h.tg.sendUserMessage({
    chatId: extra.chatId ?? h.chatId,
    from: extra.from ?? ALICE,
    document: { fileName, bytes },
    ...(extra.caption === undefined ? {} : { caption: extra.caption }),
    ...(extra.mediaGroupId === undefined ? {} : { mediaGroupId: extra.mediaGroupId }),
  });
}

/** The bot's reply to a message, once it arrived. */
async function replyTo(h: BridgeHarness, messageId: number, chatId = h.chatId): Promise<string> {
  await h.tg.waitFor(() => h.tg.chatLog(chatId).some((m) => m.fromBot && m.replyTo === messageId), {
    timeoutMs: 15_000,
    label: `a reply to message ${messageId}`,
  });
  return String(h.tg.chatLog(chatId).find((m) => m.fromBot && m.replyTo === messageId)!.text);
}

/** The bytes and name of the document the bot sent in reply to a message. */
async function documentFor(h: BridgeHarness, messageId: number) {
  const call = await h.tg.waitForCall(
    'sendDocument',
    (c) => (c.params['reply_parameters'] as { message_id?: number } | undefined)?.message_id === messageId,
    { timeoutMs: 15_000 },
  );
  const result = (call.response as { result: { document: { file_id: string; file_name: string } } }).result;
  const file = h.tg.file(result.document.file_id)!;
  return { name: result.document.file_name, bytes: file.bytes };
}

describe('/file put', () => {
  it('saves the attached document at the path, in the bridge’s folder when no project applies', async () => {
    const h = await boot();
    const message = sendDocument(h, 'whatever.txt', 'spec bytes', { caption: '/file put docs/spec.txt' });
    expect(await replyTo(h, message.message_id)).toBe('saved docs/spec.txt (10 b)');
    expect(readFileSync(join(h.dir, 'docs', 'spec.txt'), 'utf8')).toBe('spec bytes');
  });

  it('needs --force to overwrite, and overwrites with it', async () => {
    const h = await boot();
    writeFileSync(join(h.dir, 'notes.md'), 'old');
    const first = sendDocument(h, 'notes.md', 'new notes', { caption: '/file put notes.md' });
    expect(await replyTo(h, first.message_id)).toBe('file already exists; use --force to overwrite.');
    expect(readFileSync(join(h.dir, 'notes.md'), 'utf8')).toBe('old');
    const forced = sendDocument(h, 'notes.md', 'new notes', { caption: '/file put --force notes.md' });
    expect(await replyTo(h, forced.message_id)).toBe('saved notes.md (9 b)');
    expect(readFileSync(join(h.dir, 'notes.md'), 'utf8')).toBe('new notes');
  });

  it.each([
    ['/file put ../escape.txt', 'invalid upload path.'],
    ['/file put .git/hooks/pre-commit', 'path denied by rule: .git/**'],
    ['/file put config/.env', 'path denied by rule: .env'],
    ['/file put --x a.txt', 'unknown flag: --x'],
  ])('answers %j with %j and writes nothing', async (caption, error) => {
    const h = await boot();
    const message = sendDocument(h, 'a.txt', 'bytes', { caption });
    expect(await replyTo(h, message.message_id)).toBe(error);
    expect(existsSync(join(h.dir, '..', 'escape.txt'))).toBe(false);
    expect(existsSync(join(h.dir, '.git'))).toBe(false);
    expect(existsSync(join(h.dir, 'config'))).toBe(false);
  });

  it('writes into the worktree that the project and branch directives name', async () => {
    const repo = join(tempDir(), 'app');
    mkdirSync(repo);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'readme.md'), '# app');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const h = await boot({}, { extraToml: `[projects.app]\npath = ${JSON.stringify(repo)}\n` });
    const message = sendDocument(h, 'x.txt', 'on a branch', { caption: '/file put /app @feat notes/x.txt' });
    expect(await replyTo(h, message.message_id)).toBe('saved notes/x.txt in app @feat (11 b)');
    expect(readFileSync(join(repo, '.worktrees', 'feat', 'notes', 'x.txt'), 'utf8')).toBe('on a branch');
    expect(existsSync(join(repo, 'notes'))).toBe(false);
  });

  it('is refused to a group member who is not an admin, and allowed to an admin', async () => {
    const h = await boot();
    const group = h.tg.addGroup({ title: 'team', members: [{ user: ALICE, status: 'member' }] });
    const project = tempDir();
    h.writeConfig({
      extraToml: `${filesToml({})}\n[projects.team]\npath = ${JSON.stringify(project)}\nchat_id = ${group}\n`,
    });
    await h.stop();
    await h.start();
    const refused = sendDocument(h, 'a.txt', 'a', { caption: '/file put a.txt', chatId: group });
    expect(await replyTo(h, refused.message_id, group)).toBe('file transfer is restricted to group admins.');
    expect(existsSync(join(project, 'a.txt'))).toBe(false);
    h.tg.setMember(group, ALICE, 'administrator');
    // The admin check is cached for a minute: a second user shows the fresh answer.
    const carol = { id: 3003, first_name: 'Carol', username: 'carol' };
    h.tg.setMember(group, carol, 'administrator');
    const allowed = sendDocument(h, 'a.txt', 'a', { caption: '/file put a.txt', chatId: group, from: carol });
    expect(await replyTo(h, allowed.message_id, group)).toBe('saved a.txt in team (1 b)');
    expect(readFileSync(join(project, 'a.txt'), 'utf8')).toBe('a');
  });

  it('says file transfer is disabled when it is', async () => {
    harness = await BridgeHarness.create(tempDir());
    await harness.start();
    const message = harness.send('/file get readme.md');
    expect(await replyTo(harness, message.message_id)).toBe(
      'file transfer disabled; enable [transports.telegram.files].',
    );
  });
});

describe('/file put without a file', () => {
  it('waits for the sender’s next upload and saves it at the path', async () => {
    const h = await boot();
    const ask = h.send('/file put docs/later.txt');
    expect(await replyTo(h, ask.message_id)).toBe(
      'send the file now: your next upload here is saved as docs/later.txt (waiting 5 min).',
    );
    const upload = sendDocument(h, 'whatever.bin', 'late bytes');
    expect(await replyTo(h, upload.message_id)).toBe('saved docs/later.txt (10 b)');
    expect(readFileSync(join(h.dir, 'docs', 'later.txt'), 'utf8')).toBe('late bytes');
    // The wait is over: the next document is an ordinary upload.
    const next = sendDocument(h, 'next.txt', 'n');
    expect(await replyTo(h, next.message_id)).toBe('saved incoming/next.txt (1 b)');
  });

  it('keeps waiting across a crash of the bridge', async () => {
    const h = await boot();
    const ask = h.send('/file put docs/');
    expect(await replyTo(h, ask.message_id)).toBe(
      'send the file now: your next upload here is saved into docs/ (waiting 5 min).',
    );
    await h.kill();
    await h.start();
    const upload = sendDocument(h, 'report.pdf', 'pdf!');
    expect(await replyTo(h, upload.message_id)).toBe('saved docs/report.pdf (4 b)');
    expect(readFileSync(join(h.dir, 'docs', 'report.pdf'), 'utf8')).toBe('pdf!');
  });

  it('tells the user when no file came in time, and then uploads go where they usually go', async () => {
    const h = await boot({ await_timeout_s: 1 });
    const ask = h.send('/file put late.txt');
    await replyTo(h, ask.message_id);
    await h.tg.waitFor(
      () => h.tg.chatLog(h.chatId).some((m) => m.fromBot && String(m.text).startsWith('no file arrived')),
      { timeoutMs: 15_000, label: 'the wait expired' },
    );
    const expired = h.tg
      .chatLog(h.chatId)
      .find((m) => m.fromBot && String(m.text).startsWith('no file arrived'))!;
    expect(expired.replyTo).toBe(ask.message_id);
    const upload = sendDocument(h, 'late.txt', 'x');
    expect(await replyTo(h, upload.message_id)).toBe('saved incoming/late.txt (1 b)');
    expect(existsSync(join(h.dir, 'late.txt'))).toBe(false);
  });
});

describe('uploads without /file', () => {
  it('saves a document without a caption to the uploads folder', async () => {
    const h = await boot();
    const message = sendDocument(h, 'notes.txt', 'hello');
    expect(await replyTo(h, message.message_id)).toBe('saved incoming/notes.txt (5 b)');
    expect(readFileSync(join(h.dir, 'incoming', 'notes.txt'), 'utf8')).toBe('hello');
    expect(h.spawns()).toEqual([]);
  });

  it('answers a captioned document with the usage in upload mode, and runs nothing', async () => {
    const h = await boot();
    const message = sendDocument(h, 'a.txt', 'a', { caption: 'what is this?' });
    expect(await replyTo(h, message.message_id)).toBe('usage: /file put <path>');
    expect(h.spawns()).toEqual([]);
  });

  it('in prompt mode saves the file, then runs the caption with the path appended (directives work)', async () => {
    const h = await boot({ auto_put_mode: 'prompt' });
    const message = sendDocument(h, 'report.txt', 'numbers', { caption: '/claude summarize this' });
    await h.tg.waitFor(() => h.finalsFor(message.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    const spawns = h.spawns();
    expect(spawns.map((s) => s.engine)).toEqual(['claude']);
    // claude takes its prompt as the last argument.
    expect(spawns[0]!.argv.at(-1)).toBe('summarize this\n\n[uploaded file: incoming/report.txt]');
    expect(readFileSync(join(h.dir, 'incoming', 'report.txt'), 'utf8')).toBe('numbers');
  });
});

describe('albums', () => {
  it('collects an album that spans two getUpdates batches into one reply', async () => {
    const h = await boot({}, { telegram: { media_group_debounce_s: 1.5 } });
    const first = sendDocument(h, 'a.txt', 'aa', { mediaGroupId: 'album-1' });
    sendDocument(h, 'b.txt', 'bb', { mediaGroupId: 'album-1' });
    // The bridge has taken the first two before the third exists.
    await h.tg.waitFor(() => h.tg.pendingUpdates().length === 0, {
      timeoutMs: 10_000,
      label: 'first batch taken',
    });
    sendDocument(h, 'c.txt', 'cc', { mediaGroupId: 'album-1' });
    expect(await replyTo(h, first.message_id)).toBe('saved a.txt, b.txt, c.txt to incoming/ (6 b)');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(
      h.tg.chatLog(h.chatId).filter((m) => m.fromBot && String(m.text).startsWith('saved')),
    ).toHaveLength(1);
    for (const name of ['a', 'b', 'c']) {
      expect(readFileSync(join(h.dir, 'incoming', `${name}.txt`), 'utf8')).toBe(name.repeat(2));
    }
  });

  it('saves an album captioned /file put <dir> into that folder, reporting each failure', async () => {
    const h = await boot({}, { telegram: { media_group_debounce_s: 0.5 } });
    mkdirSync(join(h.dir, 'shots'));
    writeFileSync(join(h.dir, 'shots', 'two.txt'), 'taken');
    const lead = sendDocument(h, 'one.txt', '1', { mediaGroupId: 'g', caption: '/file put shots' });
    sendDocument(h, 'two.txt', '2', { mediaGroupId: 'g' });
    sendDocument(h, 'key.pem', '3', { mediaGroupId: 'g' });
    expect(await replyTo(h, lead.message_id)).toBe(
      [
        'saved one.txt to shots/ (1 b)',
        'failed: two.txt (file already exists; use --force to overwrite)',
        'failed: key.pem (path denied by rule: *.pem)',
      ].join('\n'),
    );
    expect(readFileSync(join(h.dir, 'shots', 'two.txt'), 'utf8')).toBe('taken');
    expect(existsSync(join(h.dir, 'shots', 'key.pem'))).toBe(false);
  });

  it('in prompt mode runs the caption once with every saved file listed', async () => {
    const h = await boot({ auto_put_mode: 'prompt' }, { telegram: { media_group_debounce_s: 0.5 } });
    const lead = sendDocument(h, 'a.csv', '1', { mediaGroupId: 'g', caption: 'compare these' });
    sendDocument(h, 'b.csv', '2', { mediaGroupId: 'g' });
    await h.tg.waitFor(() => h.finalsFor(lead.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.spawns().map((s) => s.stdin)).toEqual([
      'compare these\n\n[uploaded files]\n- incoming/a.csv\n- incoming/b.csv',
    ]);
  });
});

describe('/file get', () => {
  it('sends a file back as a document replying to the request', async () => {
    const h = await boot();
    mkdirSync(join(h.dir, 'docs'));
    writeFileSync(join(h.dir, 'docs', 'spec.md'), '# spec');
    const ask = h.send('/file get docs/spec.md');
    expect(await documentFor(h, ask.message_id)).toEqual({ name: 'spec.md', bytes: Buffer.from('# spec') });
  });

  it('sends a folder as <name>.zip without denied files or symlinks', async () => {
    const h = await boot();
    const outside = join(tempDir(), 'secret.txt');
    writeFileSync(outside, 'outside');
    mkdirSync(join(h.dir, 'docs', 'sub'), { recursive: true });
    writeFileSync(join(h.dir, 'docs', 'a.md'), 'a');
    writeFileSync(join(h.dir, 'docs', 'sub', 'b.md'), 'b');
    writeFileSync(join(h.dir, 'docs', '.env'), 'TOKEN=1');
    writeFileSync(join(h.dir, 'docs', 'key.pem'), 'PRIVATE');
    symlinkSync(outside, join(h.dir, 'docs', 'link.txt'));
    const ask = h.send('/file get docs/');
    const sent = await documentFor(h, ask.message_id);
    expect(sent.name).toBe('docs.zip');
    expect(readZip(sent.bytes)).toEqual({ 'docs/a.md': 'a', 'docs/sub/b.md': 'b' });
  });

  it.each([
    ['/file get missing.txt', 'file does not exist.'],
    ['/file get ../secret', 'invalid download path.'],
    ['/file get .env', 'path denied by rule: .env'],
    ['/file get', 'usage: /file get <path>'],
  ])('answers %j with %j and sends nothing', async (text, error) => {
    const h = await boot();
    writeFileSync(join(h.dir, '.env'), 'TOKEN=1');
    const ask = h.send(text);
    expect(await replyTo(h, ask.message_id)).toBe(error);
    expect(h.tg.callsOf('sendDocument')).toEqual([]);
  });
});
