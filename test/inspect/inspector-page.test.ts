import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness, TOKEN } from '../support/bridge-harness.ts';
import { REPO_ROOT } from '../support/run-cli.ts';
import { useTempDir } from '../support/temp-dir.ts';

/** Debian's chromium, driven over CDP by playwright-core (no browser download). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
let browser: BrowserContext | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await harness?.close();
  harness = undefined;
});

/** The URL tentacle printed at start; the page lives under its token. */
async function inspectorUrl(h: BridgeHarness): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const match = /tentacle inspector: (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{20,}\/)/.exec(h.stderr);
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no inspector URL printed\n--- tentacle stderr ---\n${h.stderr.slice(-2000)}`);
}

// CI installs chromium (.ci/run), so there a missing browser fails the test instead of skipping it.
describe.skipIf(!existsSync(CHROMIUM) && !process.env['CI'])('the inspector page in a browser', () => {
  it('shows a topic running, then idle after the final, with the statechart highlighting its state', async () => {
    const dir = tempDir();
    harness = await BridgeHarness.create(dir);
    const { tg } = harness;
    const logFile = join(dir, 'inspect.jsonl');
    await harness.start(['--inspect', '--inspect-log', logFile]);
    const url = await inspectorUrl(harness);
    browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1600, height: 1100 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.locator('#connection[data-status="live"]').waitFor({ timeout: 10_000 });

    // The fake engine holds the run open until the file exists: `running` lasts exactly as long as needed.
    const release = join(dir, 'release-the-run');
    tg.sendUserMessage({
      chatId: harness.chatId,
      from: ALICE,
      text: `refactor the parser, key ${TOKEN} [[fake:block=${release}]] [[fake:delay=50]]`,
    });
    // A private chat in the default (stateless) mode opens a lane per new message: tg:<chat>:m<id>.
    const row = page.locator(`#actors tr.topic[data-key^="tg:${harness.chatId}:"]`);
    await row.and(page.locator('[data-state="running"]')).waitFor({ timeout: 15_000 });
    await expect(row.locator('td.run .elapsed').textContent()).resolves.toMatch(/^\d+s$/);
    await expect(row.locator('td.run').textContent()).resolves.toContain('codex');
    await row.click();
    const chart = page.locator('#chart');
    await chart.locator('.sc-state.active[data-state-id$=".engine"]').waitFor({ timeout: 10_000 });
    await expect(chart.locator('.sc-state.active[data-state-id$=".running"]').count()).resolves.toBe(1);
    await expect(chart.locator('.sc-state.active[data-state-id$=".idle"]').count()).resolves.toBe(0);
    // Arrows are drawn between the boxes once they are laid out.
    await chart.locator('svg path.sc-edge').first().waitFor({ state: 'attached', timeout: 5_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    const running = join(ARTIFACTS, 'inspector-page-running.png');
    await page.screenshot({ path: running, fullPage: true });
    console.log(`inspector page screenshot (running): ${running}`);

    writeFileSync(release, '');
    await tg.waitForCall('sendMessage', (c) => String(c.params['text']).startsWith('done · codex'), {
      timeoutMs: 20_000,
      label: 'final answer',
    });
    await row.and(page.locator('[data-state="idle"]')).waitFor({ timeout: 10_000 });
    await chart.locator('.sc-state.active[data-state-id$=".idle"]').waitFor({ timeout: 10_000 });
    await expect(chart.locator('.sc-state.active[data-state-id$=".running"]').count()).resolves.toBe(0);
    await page
      .locator('#history tbody tr', { hasText: 'ENGINE.COMPLETED' })
      .first()
      .waitFor({ timeout: 10_000 });
    await expect(page.locator('#events tbody').textContent()).resolves.toContain('ENGINE.COMPLETED');

    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(TOKEN);
    // The same events, as JSON lines in Stately's format, with the token redacted there too.
    const log = readFileSync(logFile, 'utf8');
    expect(log).not.toContain(TOKEN);
    const types = log
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; event?: { type?: string } })
      .filter((line) => line.type === '@xstate.event')
      .map((line) => line.event?.type);
    expect(types).toEqual(expect.arrayContaining(['TOPIC.PROMPT', 'ENGINE.STARTED', 'ENGINE.COMPLETED']));
    const idle = join(ARTIFACTS, 'inspector-page-idle.png');
    await page.screenshot({ path: idle, fullPage: true });
    console.log(`inspector page screenshot (idle): ${idle}`);
  }, 90_000);
});
