import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config';
import { localDate, localDateTime } from '../../src/domain/time';
import { digestsJob } from '../../src/jobs/digests';
import { SANDBOX_USERS } from '../../src/sandbox';
import { digestPorts } from '../../src/slack/digest-files';
import { type BrowserSandbox, describeInChromium, openChannel, startBrowserSandbox } from './harness';

const [{ id: ADMIN }] = SANDBOX_USERS;
jest.setTimeout(120_000);

// The morning's digests on the demo data, as a person sees them in the sandbox page: the vendor's digest in
// its channel, and its 30-day chart previewed in the thread. TRUSTOPS_DIGEST_PICTURE=1 also copies the
// screenshot to docs/digest.png (the README's picture).
describeInChromium('a vendor digest in the sandbox page', () => {
  let s: BrowserSandbox;
  beforeAll(async () => {
    // The picture on a fuller demo (slower to seed); the test itself on a small one.
    s = await startBrowserSandbox({ seedScale: process.env.TRUSTOPS_DIGEST_PICTURE === '1' ? 1 : 0.1 });
    // Acme's digest time (09:00 in New York) today, so it goes out on time.
    const now = s.sandbox.clock.now();
    const due = localDateTime(localDate(now, 'America/New_York'), '09:00', 'America/New_York');
    s.sandbox.clock.set(new Date(due.getTime() + (due <= now ? 30_000 : 30_000 - 86_400_000)));
    const config = { TRUSTOPS_DIGEST_TIME: '00:00' } as Config;
    const job = digestsJob(config, s.running.deps, { ...digestPorts(s.running.app.client), waitForPostsMs: 30_000, pollMs: 200 });
    await job.run({ db: s.db.prisma, log: s.running.deps.log, metrics: s.running.metrics, clock: s.running.deps.clock }, new Date());
    await s.page.setViewportSize({ width: 1500, height: 1150 });
    await s.open(ADMIN);
  }, 300_000);
  afterAll(async () => {
    await s?.stop();
  });

  it("shows Acme's digest in its channel and the chart, rendered with its text, in the thread", async () => {
    await openChannel(s.page, 'vendor-acme');
    const digest = s.page.locator('#messages article.message', { hasText: 'Daily digest' });
    await digest.getByText('First-action SLA').waitFor();
    await digest.getByRole('button', { name: '1 reply' }).click();
    const chart = s.page.locator('#thread-pane .file-image img');
    await chart.waitFor();
    await s.page.waitForFunction(
      "(() => { const i = document.querySelector('#thread-pane .file-image img'); return i && i.complete && i.naturalWidth > 600; })()",
    );
    await chart.scrollIntoViewIfNeeded();
    expect(await s.page.locator('#messages', { hasText: 'Late' }).count()).toBe(0);
    // Nothing about another vendor in a channel the vendor may share.
    expect(await s.page.locator('#messages', { hasText: 'Dublin' }).count()).toBe(0);
    const file = await s.screenshot('digest');
    if (process.env.TRUSTOPS_DIGEST_PICTURE === '1') copyFileSync(file, path.resolve(__dirname, '../../docs/digest.png'));
  });
});
