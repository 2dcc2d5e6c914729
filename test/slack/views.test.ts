import { errorMessage } from '../../src/slack/views/feedback';
import { escapeMrkdwn } from '../../src/slack/views/text';
import { triageCard } from '../../src/slack/views/triage';

describe('Block Kit views', () => {
  it('escape mrkdwn control characters so user text never pings or links', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil.test|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;');
  });

  it('show an error with a correct example underneath', () => {
    const m = errorMessage('Bad thing.', '/trustops help');
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

  it('offer no content button when the reference is an id rather than a link', () => {
    const card = triageCard({ ...data, contentRef: 'msg_123', mcpServer: null }, { reviewUrl: 'https://r.example.com/{case_id}' });
    const actions = card.blocks.find((b) => b.type === 'actions') as unknown as { elements: unknown[] };
    expect(actions.elements).toHaveLength(1);
  });
});
