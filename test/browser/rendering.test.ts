import { SANDBOX_USERS } from '../../src/sandbox';
import { actAs, type BrowserSandbox, describeInChromium, hasCount, openChannel, startBrowserSandbox, type } from './harness';

const [{ id: ADMIN }, { id: APPROVER }] = SANDBOX_USERS;
jest.setTimeout(60_000);

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

// What Slack shows for what the bot posts, and how it changes live: messages are posted through the
// emulator's Web API with the bot's token, and the page (one Chromium for the file) must follow.
describeInChromium('the sandbox page renders Block Kit and follows the workspace live', () => {
  let s: BrowserSandbox;
  beforeAll(async () => {
    s = await startBrowserSandbox();
    await s.open(ADMIN);
    // Set once: a reload would lose it, so it shows that every update below came without one.
    await s.page.evaluate('window.__sameDocument = true');
  }, 120_000);
  afterAll(async () => {
    expect(await s?.page.evaluate('window.__sameDocument')).toBe(true);
    await s?.stop();
  });

  const message = (ts: string) => s.page.locator(`#messages article.message[data-ts="${ts}"]`);

  it('renders header, section fields and accessory, context, divider, buttons, selects, images and rich text', async () => {
    await openChannel(s.page, 'general');
    const posted = await s.api('chat.postMessage', {
      channel: 'general',
      text: 'fallback',
      blocks: [
        { type: 'header', text: plain('Escalation sev2: case #12') },
        {
          type: 'section',
          text: mrkdwn('*Bold* _italic_ ~struck~ `code` for <@U0DEMOAPPROVER> in <#C0SLA> at <!date^1767225600^{date_num}|1 Jan>'),
          fields: [mrkdwn('*Case*\n#12'), mrkdwn('*Severity*\nsev2')],
          accessory: { type: 'button', action_id: 'noop_accessory', text: plain('Open') },
        },
        { type: 'context', elements: [mrkdwn('Links: <https://example.com/a|safe link> and <javascript:alert(1)|not a link>')] },
        { type: 'divider' },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'noop_ok', style: 'primary', text: plain('Approve') },
            { type: 'button', action_id: 'noop_no', style: 'danger', text: plain('Reject') },
            {
              type: 'static_select',
              action_id: 'noop_pick',
              placeholder: plain('Pick a queue'),
              options: [{ text: plain('Level 2'), value: 'l2' }],
            },
          ],
        },
        { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'a chart', title: plain('Weekly chart') },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'rich ', style: { bold: true } },
                { type: 'user', user_id: ADMIN },
              ],
            },
            {
              type: 'rich_text_list',
              style: 'bullet',
              elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'first item' }] }],
            },
          ],
        },
      ],
    });
    expect(posted.ok).toBe(true);
    const m = message(posted.ts);
    await m.waitFor();
    await m.locator('.block-header', { hasText: 'Escalation sev2: case #12' }).waitFor();
    expect(await m.locator('strong', { hasText: 'Bold' }).count()).toBe(1);
    expect(await m.locator('em', { hasText: 'italic' }).count()).toBe(1);
    expect(await m.locator('s', { hasText: 'struck' }).count()).toBe(1);
    expect(await m.locator('code', { hasText: 'code' }).count()).toBe(1);
    expect(await m.locator('.mention', { hasText: '@Avery Approver' }).count()).toBe(1);
    expect(await m.locator('.mention', { hasText: '#trustops-sla' }).count()).toBe(1);
    expect(await m.locator('time').first().textContent()).toBe('2026-01-01');
    expect(await m.locator('.fields').textContent()).toContain('Severity');
    expect(await m.locator('.section button', { hasText: 'Open' }).count()).toBe(1);
    expect(await m.locator('hr.divider').count()).toBe(1);
    expect(await m.locator('button.btn.primary', { hasText: 'Approve' }).count()).toBe(1);
    expect(await m.locator('button.btn.danger', { hasText: 'Reject' }).count()).toBe(1);
    expect(await m.locator('select option', { hasText: 'Level 2' }).count()).toBe(1);
    expect(await m.locator('img[alt="a chart"]').count()).toBe(1);
    expect(await m.locator('li', { hasText: 'first item' }).count()).toBe(1);
    expect(await m.locator('strong', { hasText: 'rich' }).count()).toBe(1);
    // An http(s) link is a link; a javascript: one stays text.
    expect(await m.locator('a[href="https://example.com/a"]', { hasText: 'safe link' }).count()).toBe(1);
    expect(await m.locator('a', { hasText: 'not a link' }).count()).toBe(0);
    expect(await m.textContent()).toContain('<javascript:alert(1)|not a link>');
    await s.screenshot('sandbox-blocks');
  });

  it('shows edits and deletions as they happen, without reloading', async () => {
    await openChannel(s.page, 'general');
    const posted = await s.api('chat.postMessage', { channel: 'general', text: 'first version' });
    const m = message(posted.ts);
    await m.getByText('first version').waitFor();
    expect((await s.api('chat.update', { channel: posted.channel, ts: posted.ts, text: 'second version' })).ok).toBe(true);
    await m.getByText('second version').waitFor();
    expect(await m.locator('.edited').textContent()).toBe('(edited)');
    expect((await s.api('chat.delete', { channel: posted.channel, ts: posted.ts })).ok).toBe(true);
    await hasCount(m, 0);
  });

  it('shows a thread’s reply count and its replies in the thread pane, where a person can reply', async () => {
    await openChannel(s.page, 'general');
    const parent = await s.api('chat.postMessage', { channel: 'general', text: 'card with a thread' });
    for (const text of ['first reply', 'second reply']) await s.api('chat.postMessage', { channel: 'general', text, thread_ts: parent.ts });
    await message(parent.ts).getByRole('button', { name: '2 replies' }).click();
    const pane = s.page.locator('#thread-pane');
    await pane.getByText('second reply').waitFor();
    expect(await pane.getByText('first reply').count()).toBe(1);
    // Replies stay out of the channel's own list.
    expect(await s.page.locator('#messages', { hasText: 'first reply' }).count()).toBe(0);
    await s.page.fill('#thread-input', 'a person’s reply');
    await s.page.press('#thread-input', 'Enter');
    await pane.getByText('a person’s reply').waitFor();
    await message(parent.ts).getByRole('button', { name: '3 replies' }).waitFor();
    await s.page.click('#thread-close');
  });

  it('counts unread messages per channel until the channel is opened', async () => {
    await openChannel(s.page, 'general');
    for (const text of ['one', 'two']) await s.api('chat.postMessage', { channel: 'vendor-ops', text });
    const entry = s.page.locator('nav button[data-channel="C0VENDOROPS"]');
    await entry.locator('.badge', { hasText: '2' }).waitFor();
    await openChannel(s.page, 'vendor-ops');
    await hasCount(entry.locator('.badge'), 0);
  });

  it('shows an ephemeral message only to its recipient, marked so, until dismissed', async () => {
    await openChannel(s.page, 'general');
    const sent = await s.api('chat.postEphemeral', { channel: 'general', user: ADMIN, text: 'just for Dana' });
    const m = message(sent.message_ts);
    await m.getByText('Only visible to you').waitFor();
    await actAs(s.page, APPROVER);
    await openChannel(s.page, 'general');
    await hasCount(m, 0);
    await actAs(s.page, ADMIN);
    await m.waitFor();
    await m.getByRole('button', { name: 'Dismiss' }).click();
    await hasCount(m, 0);
  });

  it('lists a file the bot uploaded, with a download link that serves its bytes', async () => {
    await openChannel(s.page, 'general');
    const bytes = 'vendor,decisions\nacme_review,26\n';
    const upload = await s.api('files.getUploadURLExternal', { filename: 'figures.csv', length: bytes.length });
    expect((await fetch(upload.upload_url, { method: 'POST', body: bytes })).status).toBe(200);
    const done = await s.api('files.completeUploadExternal', {
      files: [{ id: upload.file_id, title: 'Figures' }],
      channel_id: 'C0GENERAL',
    });
    expect(done.ok).toBe(true);
    const link = s.page.locator('#messages .file', { hasText: 'Figures' }).getByRole('link', { name: 'Download' });
    await link.waitFor();
    const href = await link.getAttribute('href');
    // Fetched by the page itself, with its cookie: the download is guarded like the rest.
    expect(await s.page.evaluate(`fetch(${JSON.stringify(href)}).then((r) => r.text())`)).toBe(bytes);
    expect((await fetch(href!)).status).toBe(401);
  });

  it('asks a button’s confirm question first, and sends the click only when confirmed', async () => {
    await openChannel(s.page, 'general');
    const confirm = {
      title: plain('Post to channel?'),
      text: mrkdwn('Everyone in *#general* sees it.'),
      confirm: plain('Post'),
      deny: plain('Not now'),
    };
    const posted = await s.api('chat.postMessage', {
      channel: 'general',
      text: 'confirm me',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'noop_confirm', text: plain('Post it'), confirm }] }],
    });
    const clicks: string[] = [];
    s.page.on('request', (r) => {
      if (r.url().endsWith('/sandbox/action')) clicks.push(r.postData() ?? '');
    });
    await message(posted.ts).getByRole('button', { name: 'Post it' }).click();
    const dialog = s.page.getByRole('alertdialog', { name: 'Post to channel?' });
    await dialog.getByText('Everyone in').waitFor();
    await dialog.getByRole('button', { name: 'Not now' }).click();
    await hasCount(dialog, 0);
    expect(clicks).toHaveLength(0);
    await message(posted.ts).getByRole('button', { name: 'Post it' }).click();
    const sent = s.page.waitForRequest((r) => r.url().endsWith('/sandbox/action'));
    await dialog.getByRole('button', { name: 'Post' }).click();
    await sent;
    expect(clicks.map((c) => JSON.parse(c).action_id)).toEqual(['noop_confirm']);
  });

  it('renders a modal’s inputs (text, static, users and conversations selects, date picker); views.push stacks, views.update redraws', async () => {
    const input = (block_id: string, label: string, element: Record<string, unknown>, optional = false) => ({
      type: 'input',
      block_id,
      label: plain(label),
      optional,
      element: { action_id: 'v', ...element },
    });
    const view = {
      type: 'modal',
      callback_id: 'noop_form',
      title: plain('Every input'),
      submit: plain('Save'),
      blocks: [
        input('note', 'Note', { type: 'plain_text_input', multiline: true, initial_value: 'typed before' }),
        input('queue', 'Queue', { type: 'static_select', options: [{ text: plain('Level 2'), value: 'l2' }] }),
        input('who', 'Person', { type: 'users_select' }, true),
        input('where', 'Channel', { type: 'conversations_select' }, true),
        input('when', 'Filed on', { type: 'datepicker', initial_date: '2026-11-30' }, true),
      ],
    };
    const opened = await s.api('views.open', { trigger_id: s.sandbox.emulator.issueTriggerId(ADMIN), view });
    expect(opened.ok).toBe(true);
    const modal = s.page.getByRole('dialog', { name: 'Every input' });
    await modal.waitFor();
    expect(await modal.getByLabel('Note').inputValue()).toBe('typed before');
    expect(await modal.getByLabel('Queue').locator('option', { hasText: 'Level 2' }).count()).toBe(1);
    expect(await modal.getByLabel('Person').locator('option', { hasText: 'Avery Approver' }).count()).toBe(1);
    expect(await modal.getByLabel('Channel').locator('option', { hasText: '#trustops-escalations' }).count()).toBe(1);
    expect(await modal.getByLabel('Filed on').inputValue()).toBe('2026-11-30');
    expect(await modal.locator('.optional').count()).toBe(3);
    await modal.getByLabel('Note').fill('typed in the first view');
    const pushed = await s.api('views.push', {
      trigger_id: s.sandbox.emulator.issueTriggerId(ADMIN),
      view: { type: 'modal', title: plain('Pushed on top'), blocks: [{ type: 'section', text: mrkdwn('second') }] },
    });
    expect(pushed.ok).toBe(true);
    await s.page.getByRole('dialog', { name: 'Pushed on top' }).waitFor();
    await s.api('views.update', {
      view_id: pushed.view.id,
      view: { type: 'modal', title: plain('Updated'), blocks: [{ type: 'section', text: mrkdwn('third') }] },
    });
    await s.page.getByRole('dialog', { name: 'Updated' }).getByText('third').waitFor();
    await s.screenshot('sandbox-modal');
    // Cancel on a pushed view goes back to the one beneath; × closes them all.
    await s.page.getByRole('dialog', { name: 'Updated' }).getByRole('button', { name: 'Cancel' }).click();
    await modal.waitFor();
    expect(await modal.getByLabel('Note').inputValue()).toBe('typed in the first view');
    await modal.getByRole('button', { name: 'Close' }).click();
    await hasCount(s.page.locator('#modal-layer .dialog'), 0);
    expect(s.sandbox.emulator.openModals(ADMIN)).toEqual([]);
  });

  it('opens the App Home tab: the bot publishes it on app_home_opened', async () => {
    await s.page.click('nav button[data-channel="home"]');
    await s.page.locator('#messages .home .block').first().waitFor();
    expect(await s.page.locator('#pane-title').textContent()).toBe('TrustOps');
  });

  it('moves the sandbox clock forward from the page, and refuses a duration it cannot read', async () => {
    const before = s.sandbox.clock.now().getTime();
    await s.page.click('button[data-advance="1h"]');
    await s.page.locator('#clock', { hasText: '(+1.0h)' }).waitFor();
    expect(s.sandbox.clock.now().getTime() - before).toBeGreaterThanOrEqual(3_600_000);
    await s.page.fill('#advance-by', 'soon');
    await s.page.click('#advance');
    await s.page.locator('#composer-status.error', { hasText: 'expected a duration' }).waitFor();
  });

  it('starts the demo over: the workspace empties, the clock returns to now, the data is written again', async () => {
    await openChannel(s.page, 'general');
    await type(s.page, 'a message before the reset');
    await s.page.locator('#messages', { hasText: 'a message before the reset' }).waitFor();
    await s.page.click('#reset');
    await s.page.getByRole('alertdialog', { name: 'Reset the demo?' }).getByRole('button', { name: 'Reset' }).click();
    await s.page.locator('#composer-status', { hasText: 'The demo started over.' }).waitFor({ timeout: 40_000 });
    await hasCount(s.page.locator('#messages', { hasText: 'a message before the reset' }), 0);
    // Message times start again from now (before the reset the clock had moved an hour ahead).
    const welcomeTs = Number(await s.page.locator('#messages article.message').first().getAttribute('data-ts'));
    expect(Math.abs(welcomeTs * 1000 - Date.now())).toBeLessThan(60_000);
    // And the newcomer's welcome is there again, first thing in #general.
    expect(await s.page.locator('#messages article.message').first().textContent()).toContain('Welcome to the TrustOps sandbox.');
    expect(Math.abs(s.sandbox.clock.now().getTime() - Date.now())).toBeLessThan(60_000);
    expect(await s.db.prisma.vendor.count({ where: { key: 'acme_review' } })).toBe(1);
    // The bot's figures still answer after the reset (its analytics copy follows the emptied tables).
    await type(s.page, '/trustops metrics last 7d');
    const answer = s.page.locator('article.message.ephemeral', { hasText: 'Reports received' }).last();
    await answer.waitFor({ timeout: 30_000 });
    expect(await answer.textContent()).toMatch(/Reports received\s*\d+/);
  }, 90_000);
});
