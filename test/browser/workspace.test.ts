import type { Locator } from 'playwright-core';
import { SANDBOX_USERS } from '../../src/sandbox';
import { actAs, type BrowserSandbox, describeInChromium, hasCount, openChannel, startBrowserSandbox, type } from './harness';

const [{ id: ADMIN }, { id: APPROVER }, { id: ANALYST }, , { id: NOBODY }] = SANDBOX_USERS;
jest.setTimeout(60_000);

// One browser and one sandbox for the file: each test acts in it as a person would, through the page only.
describeInChromium('the sandbox page in Chromium', () => {
  let s: BrowserSandbox;
  beforeAll(async () => {
    s = await startBrowserSandbox({ seedScale: 0.05 });
    await s.open(ADMIN);
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  /** A case with no pending escalation, from the demo data. */
  async function freeCase(skip = 0): Promise<number> {
    const cases = await s.db.prisma.case.findMany({
      where: { status: { in: ['queued', 'in_review'] }, escalations: { none: { status: 'pending' } } },
      orderBy: { id: 'desc' },
      take: skip + 1,
      select: { id: true },
    });
    return cases[skip]!.id;
  }

  /** As the analyst, raises an escalation from the composer; returns its card in #trustops-escalations. */
  async function escalationCard(reason: string): Promise<Locator> {
    const { page } = s;
    await actAs(page, ANALYST);
    await openChannel(page, 'general');
    const caseId = await freeCase();
    await type(page, `/trustops escalate ${caseId} sev2 ${reason}`);
    await page.getByText(`raised on case #${caseId}`).last().waitFor();
    await openChannel(page, 'trustops-escalations');
    const card = page.locator('article.message', { hasText: reason }).last();
    await card.waitFor();
    return card;
  }

  it('runs /trustops metrics last 7d by:vendor typed in the composer and shows the figures table', async () => {
    const { page } = s;
    await s.open(ADMIN);
    await type(page, '/trustops metrics last 7d by:vendor');
    const answer = page.locator('article.message.ephemeral', { hasText: 'by vendor' }).last();
    await answer.waitFor();
    const text = (await answer.textContent()) ?? '';
    // One row per demo vendor, each with its figures.
    for (const vendor of ['acme_review', 'dublin_moderation', 'manila_trust'])
      expect(text).toMatch(new RegExp(`${vendor} — \\d+ reports · \\d+ decisions`));
    expect(text).toContain('Only visible to you');
    // A slow look-up first shows "⏳ …", replaced (replace_original) by the answer: never both.
    await hasCount(page.locator('article.message', { hasText: '⏳' }), 0);
    // docs/sandbox.png (the README's picture) is a copy of this one.
    await s.screenshot('sandbox-metrics');
  });

  it('as an approver, Approve on an escalation card changes the card in place', async () => {
    const { page } = s;
    const card = await escalationCard('Approve me: vendor unsure whether this is satire');
    const ts = await card.getAttribute('data-ts');
    await actAs(page, APPROVER);
    await openChannel(page, 'trustops-escalations');
    const same = page.locator(`article.message[data-ts="${ts}"]`);
    await same.getByRole('button', { name: 'Approve' }).click();
    // Still one message with that ts: edited, not a new post.
    await same
      .getByText(/approved/i)
      .first()
      .waitFor();
    await hasCount(same.getByRole('button', { name: 'Approve' }), 0);
    expect(await same.locator('.edited').count()).toBe(1);
    await s.screenshot('sandbox-approved');
    // The requester hears of it in their DM with the app: an unread badge, then the message.
    await actAs(page, ANALYST);
    const dm = page.locator('#dm-list button');
    await dm.locator('.badge').waitFor();
    await dm.click();
    await page
      .locator('#messages article.message', { hasText: /approved/i })
      .last()
      .waitFor();
    expect(await page.locator('#pane-title').textContent()).toBe('TrustOps');
  });

  it('the Reject modal shows a field error for an empty reason, and the bot’s own error for a blank one', async () => {
    const { page } = s;
    const card = await escalationCard('Reject me: duplicate of an earlier case');
    const ts = await card.getAttribute('data-ts');
    await actAs(page, APPROVER);
    await openChannel(page, 'trustops-escalations');
    await page.locator(`article.message[data-ts="${ts}"]`).getByRole('button', { name: 'Reject' }).click();
    const modal = page.getByRole('dialog', { name: 'Reject escalation' });
    await modal.waitFor();
    await modal.getByRole('button', { name: 'Reject' }).click();
    await modal.locator('.field-error').getByText('Please complete this required field.').waitFor();
    // Only spaces: Slack's client lets it through, the bot answers response_action: errors on the field.
    await modal.getByLabel('Reason').fill('   ');
    await modal.getByRole('button', { name: 'Reject' }).click();
    await modal
      .locator('.field-error')
      .getByText(/reason/i)
      .waitFor();
    await s.screenshot('sandbox-reject-error');
    await modal.getByLabel('Reason').fill('Duplicate of case handled yesterday');
    await modal.getByRole('button', { name: 'Reject' }).click();
    await modal.waitFor({ state: 'detached' });
    await page
      .locator(`article.message[data-ts="${ts}"]`)
      .getByText(/rejected/i)
      .first()
      .waitFor();
  });

  it('the Reassign modal offers the workspace’s people in a users select; choosing one reassigns the escalation', async () => {
    const { page } = s;
    const card = await escalationCard('Reassign me to Dana');
    const ts = await card.getAttribute('data-ts');
    await actAs(page, APPROVER);
    await openChannel(page, 'trustops-escalations');
    await page.locator(`article.message[data-ts="${ts}"]`).getByRole('button', { name: 'Reassign' }).click();
    const modal = page.getByRole('dialog', { name: 'Reassign escalation' });
    await modal.getByLabel('Person').selectOption(ADMIN);
    await modal.getByRole('button', { name: 'Reassign' }).click();
    await modal.waitFor({ state: 'detached' });
    await page
      .locator(`article.message[data-ts="${ts}"]`)
      .getByText(/reassigned/i)
      .first()
      .waitFor();
  });

  it('someone with no role who clicks Approve is refused, and the card stays as it was', async () => {
    const { page } = s;
    const card = await escalationCard('Nobody may approve this one');
    const ts = await card.getAttribute('data-ts');
    await actAs(page, NOBODY);
    await openChannel(page, 'trustops-escalations');
    const same = page.locator(`article.message[data-ts="${ts}"]`);
    await same.getByRole('button', { name: 'Approve' }).click();
    const refusal = page.locator('article.message.ephemeral', { hasText: /approvers/i }).last();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Only visible to you/);
    await hasCount(same.getByRole('button', { name: 'Approve' }), 1);
    await s.screenshot('sandbox-refused');
  });

  it('renders message text holding <script> and <img onerror> as text: nothing runs, no element is made', async () => {
    const { page } = s;
    await s.open(ADMIN);
    const hostile = 'Look: <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> *bold <b>tag</b>*';
    // As the bot posts it (through the Web API) and as a person types it.
    const posted = await fetch(`${s.sandbox.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.sandbox.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'general', text: hostile, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: hostile } }] }),
    });
    expect(((await posted.json()) as { ok: boolean }).ok).toBe(true);
    await openChannel(page, 'general');
    await type(page, hostile);
    const shown = page.locator('article.message', { hasText: 'window.__pwned = 2' });
    await hasCount(shown, 2);
    for (const text of await shown.allInnerTexts()) {
      expect(text).toContain('<script>window.__pwned = 1</script>');
      expect(text).toContain('<img src=x onerror="window.__pwned = 2">');
    }
    expect(await page.locator('#messages script, #messages img, #messages b').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    // The mrkdwn around it still works: *…* is bold, with the tag inside shown as text.
    expect(await page.locator('#messages strong', { hasText: '<b>tag</b>' }).count()).toBe(2);
  });
});
