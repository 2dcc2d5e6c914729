import { AppError } from '../../src/errors';
import { validateBlocks } from '../../src/sandbox/emulator/block-kit';
import { escalationCard } from '../../src/slack/views/escalation';
import { errorMessage, failureMessage, okMessage } from '../../src/slack/views/feedback';
import { fitMrkdwn, fitPlain, md, mention, toMrkdwn } from '../../src/slack/views/text';
import { triageCard } from '../../src/slack/views/triage';

describe('Block Kit views', () => {
  it('escape mrkdwn control characters so user text never pings or links', () => {
    expect(toMrkdwn('<!channel> & <https://evil.test|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;');
  });

  it('keep the markup a view writes and escape what it interpolates', () => {
    const m = md`${mention('U0JANE01')} asked: ${'<!here> & <@U0BOSS>'} ${md`*${'<b>'}*`}`;
    expect(m.text).toBe('<@U0JANE01> asked: &lt;!here&gt; &amp; &lt;@U0BOSS&gt; *&lt;b&gt;*');
    // Only a user id pings; a name given by an API caller is shown as written.
    expect(mention('vendor:<!channel>').text).toBe('vendor:&lt;!channel&gt;');
  });

  it('refuse markup pasted into a plain string, which would otherwise be escaped as text', () => {
    expect(() => `${mention('U0JANE01')}`).toThrow(/md``/);
  });

  it('cut mrkdwn after escaping, never inside an entity, one of our <…> or a surrogate pair', () => {
    const amps = toMrkdwn('&'.repeat(100));
    for (let max = 2; max < 60; max++) {
      const cut = fitMrkdwn(amps, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).toMatch(/^(&amp;)*…$/);
    }
    const dated = md`${'x'.repeat(10)} <!date^1795860000^{date_short_pretty}|2026-11-28 10:00 UTC> after`.text;
    expect(fitMrkdwn(dated, 30)).toBe(`${'x'.repeat(10)} …`);
    expect(fitMrkdwn('ab😀cd', 4)).toBe('ab…');
    expect(fitPlain('&&&&', 11)).toBe('&&…');
    expect(fitPlain('<!channel>', 150)).toBe('<!channel>');
  });

  it('answer a failure with the words the user typed shown, and only the mentions the code meant live', () => {
    const m = failureMessage(
      new AppError('conflict', 'Already approved by <@U0JANE01>; `<!channel>` <@U0BOSS> is not a case id.', undefined, ['U0JANE01']),
    );
    const all = JSON.stringify(m);
    expect(m.text).toBe('Already approved by <@U0JANE01>; `&lt;!channel&gt;` &lt;@U0BOSS&gt; is not a case id.');
    expect(all).not.toMatch(/<!channel|<@U0BOSS/);
    expect(okMessage('Added surface `x` (<https://evil.example|click me>).').text).toBe(
      'Added surface `x` (&lt;https://evil.example|click me&gt;).',
    );
  });

  it('show an error with a correct example underneath', () => {
    const m = errorMessage('Bad thing.', '/trustops help');
    expect(validateBlocks(m.blocks, 'message')).toEqual([]);
    expect(m.text).toBe('Bad thing. Try: /trustops help');
    expect(JSON.stringify(m.blocks)).toContain('Try: `/trustops help`');
  });

  const data = {
    caseId: 42,
    reportType: 'mcp_server',
    reportTypeName: 'Third-party MCP server',
    surface: 'mcp_directory',
    queue: 'urgent',
    priority: 'high',
    firstActionDueAt: '2026-11-28T10:00:00.000Z',
    resolutionDueAt: '2026-11-30T10:00:00.000Z',
    contentRef: 'https://mcp.example.com/servers/42',
    jurisdiction: 'DE',
    mcpServer: { name: 'Sneaky <!here>', url: 'https://sneaky.example.com', issue: 'data_exfiltration' },
  };

  it('render the triage card with facts, a content warning and links to the review tool and the content', () => {
    const card = triageCard(data, { reviewUrl: 'https://review.example.com/cases/{case_id}' });
    const json = JSON.stringify(card.blocks);
    expect(card.blocks.length).toBeLessThanOrEqual(50);
    expect(json).toContain('#42');
    expect(json).toContain('Content warning');
    expect(json).toContain('https://review.example.com/cases/42');
    expect(json).toContain('https://mcp.example.com/servers/42');
    expect(json).toContain('Sneaky &lt;!here&gt;');
    expect(json).toContain('data exfiltration');
    expect(json).toContain('<!date^1795860000^');
  });

  it('post an escalation card with a 2,000-character reason of & cut to fit, and its notification text escaped', () => {
    const reason = `<!channel> ${'&'.repeat(2000)}`;
    const card = escalationCard(
      {
        escalationId: 7,
        caseId: 42,
        severity: 'sev1',
        reason,
        source: 'manual',
        requestedBy: 'U0ANALYST1',
        requiredApprovals: 2,
        queue: 'q',
        vendor: 'v',
        priority: 'high',
        surfaces: [],
        reportTypes: [],
        policies: [],
        firstActionDueAt: '2026-11-28T10:00:00.000Z',
        firstActionState: 'on_track',
        resolutionDueAt: '2026-11-30T10:00:00.000Z',
        resolutionState: 'on_track',
        deadlineAt: '2026-11-28T12:00:00.000Z',
        status: 'pending',
        votes: [],
      },
      { reviewUrl: 'https://review.example.com/{case_id}' },
    );
    expect(validateBlocks(card.blocks, 'message')).toEqual([]);
    expect(card.text).toMatch(/^Escalation sev1: case #42: &lt;!channel&gt; (&amp;)+…$/);
    const reasonBlock = JSON.stringify(card.blocks.find((b) => JSON.stringify(b).includes('*Reason*')));
    expect(reasonBlock).toContain('&lt;!channel&gt;');
    expect(reasonBlock).not.toContain('<!channel>');
  });

  it('offer no content button when the reference is an id rather than a link', () => {
    const card = triageCard({ ...data, contentRef: 'msg_123', mcpServer: null }, { reviewUrl: 'https://r.example.com/{case_id}' });
    const actions = card.blocks.find((b) => b.type === 'actions') as unknown as { elements: unknown[] };
    expect(actions.elements).toHaveLength(1);
  });
});
