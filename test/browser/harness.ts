import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { type RunningApp, startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { seedDemoData } from '../../src/db/seed';
import { createLogger } from '../../src/logger';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { wireSandbox } from '../../src/sandbox/wire';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Debian's chromium (apt), or CHROMIUM_PATH; playwright's own browser downloads are not reachable here. */
const DEBIAN_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? DEBIAN_CHROMIUM;
export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/**
 * Whether the browser tests can run: undefined when Chromium is there, else why they are skipped. With
 * TRUSTOPS_REQUIRE_BROWSER=1 (CI sets it) a missing Chromium throws instead: the suite fails, never skips.
 */
export function chromiumMissing(env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = existsSync): string | undefined {
  const chromium = env.CHROMIUM_PATH ?? DEBIAN_CHROMIUM;
  if (exists(chromium)) return undefined;
  const why = `no Chromium at ${chromium} (install Debian's chromium or set CHROMIUM_PATH)`;
  if (env.TRUSTOPS_REQUIRE_BROWSER === '1' || env.TRUSTOPS_REQUIRE_BROWSER === 'true')
    throw new Error(`browser tests cannot run: ${why}, and TRUSTOPS_REQUIRE_BROWSER is set`);
  return why;
}

/** `describe`; or `describe.skip` with the reason printed when there is no Chromium (a failure when it is required). */
export function describeInChromium(name: string, fn: () => void): void {
  const missing = chromiumMissing();
  if (!missing) {
    describe(name, fn);
    return;
  }
  process.stdout.write(`browser tests skipped: ${missing}\n`);
  describe.skip(name, fn);
}

export type BrowserSandbox = {
  db: TestDatabase;
  sandbox: Sandbox;
  running: RunningApp;
  browser: Browser;
  page: Page;
  logLines: string[];
  /** A Web API call as the bot makes it (with its token); resolves with Slack's answer. */
  // biome-ignore lint/suspicious/noExplicitAny: Slack answers of many shapes, read field by field in tests
  api(method: string, args: Record<string, unknown>): Promise<any>;
  /** Opens the page as a person would: the printed URL with its key. */
  open(user?: string): Promise<void>;
  screenshot(name: string): Promise<string>;
  stop(): Promise<void>;
};

/**
 * The sandbox as `npm start` wires it (emulator + page + the real Bolt app on a real Postgres, on the
 * sandbox's movable clock), with demo data at a small scale, and one headless Chromium.
 */
export async function startBrowserSandbox(opts: { seedScale?: number } = {}): Promise<BrowserSandbox> {
  const db = await createTestDatabase();
  if (opts.seedScale) await seedDemoData(db.prisma, { scale: opts.seedScale });
  const logLines: string[] = [];
  const signingSecret = randomBytes(16).toString('hex');
  const log = createLogger({ level: 'info', secrets: [signingSecret], write: (line) => logLines.push(line) });
  const sandbox = await startSandbox({ port: 0, log });
  // The bot's analytics copy in a directory of its own (removed at stop), with small limits: the machine is shared.
  const analyticsDir = mkdtempSync(path.join(tmpdir(), 'trustops-browser-analytics-'));
  const config = loadConfig({
    PORT: '0',
    TRUSTOPS_INTAKE_TOKEN: 'browser-intake-token-0123456789',
    TRUSTOPS_ANALYTICS_DIR: analyticsDir,
    TRUSTOPS_ANALYTICS_MEMORY: '512MB',
    TRUSTOPS_ANALYTICS_THREADS: '1',
  });
  const running = await startApp({
    config,
    db,
    log,
    host: '127.0.0.1',
    clock: sandbox.clock,
    slack: { botToken: sandbox.botToken, signingSecret, apiUrl: sandbox.apiUrl },
  });
  // The test's own database, made for this file alone: Reset may empty it.
  await wireSandbox(sandbox, {
    running,
    db,
    log,
    signingSecret,
    jobs: () => undefined,
    seedScale: opts.seedScale ?? 0.02,
    ownsDatabase: true,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    db,
    sandbox,
    running,
    browser,
    page,
    logLines,
    async api(method, args) {
      const res = await fetch(`${sandbox.apiUrl}${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sandbox.botToken}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(args),
      });
      return res.json();
    },
    async open(user) {
      await page.goto(sandbox.pageUrl + (user ? `#${user}` : ''));
      await page.waitForSelector('body[data-ready="true"]');
    },
    async screenshot(name) {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async stop() {
      await browser.close();
      await running.stop();
      await sandbox.stop();
      await db.drop();
      rmSync(analyticsDir, { recursive: true, force: true });
      if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
    },
  };
}

/** Picks a person in the page's user switcher. */
export async function actAs(page: Page, userId: string): Promise<void> {
  await page.selectOption('#user-switcher', userId);
  await page.waitForFunction(`location.hash === ${JSON.stringify(`#${userId}`)}`);
}

/** Types into the composer and sends, as a person presses Enter. */
export async function type(page: Page, text: string): Promise<void> {
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
}

export async function openChannel(page: Page, name: string): Promise<void> {
  await page.click(`nav button:has-text("# ${name}")`);
  await page.waitForFunction(`document.getElementById('pane-title')?.textContent === ${JSON.stringify(`# ${name}`)}`);
}

/** Waits until the locator matches exactly `n` elements (playwright-core has no expect of its own); fails with what it saw. */
export async function hasCount(locator: Locator, n: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = await locator.count();
  while (seen !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} matching elements, found ${seen}`);
    await new Promise((r) => setTimeout(r, 50));
    seen = await locator.count();
  }
}
