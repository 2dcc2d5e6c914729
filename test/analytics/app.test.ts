import { fixedClock } from '../../src/clock';
import { startTestApp, type TestApp } from '../support/app';

// Through the real app: a decision recorded by the API is in the very next look-up, and the copy's state,
// lag and rows show in /healthz?details=1 and /metrics.

const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t?.stop();
});

async function reportAndDecide(n: number): Promise<void> {
  const report = await t.api('/api/v1/reports', {
    external_id: `app-r-${n}`,
    surface: 'claude_ai',
    report_type: 'harmful_content',
    category: 'hate_speech',
    content_ref: `https://example.com/${n}`,
    received_at: '2026-11-27T09:00:00Z',
  });
  expect(report.status).toBe(201);
  const decision = await t.api('/api/v1/decisions', {
    external_id: `app-d-${n}`,
    case_id: report.json.case_id,
    action: 'content_removed',
    policy: 'hate_speech',
    decided_at: '2026-11-27T11:00:00Z',
  });
  expect(decision.status).toBe(201);
}

describe('the analytics copy in the app', () => {
  it('answers a look-up with the decision recorded just before it', async () => {
    await reportAndDecide(1);
    expect((await t.command('metrics today')).text).toContain('1 reports, 1 decisions');
    await reportAndDecide(2);
    expect((await t.command('metrics today')).text).toContain('2 reports, 2 decisions');
  });

  it('shows its state, lag and rows in /healthz?details=1', async () => {
    const res = await fetch(`${t.baseUrl}/healthz?details=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { analytics: Record<string, unknown> };
    expect(body.analytics).toEqual({
      state: 'ready',
      lag_seconds: expect.any(Number),
      rows: {
        cases: 2,
        reports: 2,
        decisions: 2,
        escalations: 0,
        appeals: 0,
        qa_reviews: 0,
        copyright_notices: 0,
        copyright_notice_items: 0,
        counter_notices: 0,
        copyright_strikes: 0,
      },
    });
    // Plain /healthz stays the liveness contract.
    expect(await (await fetch(`${t.baseUrl}/healthz`)).json()).toEqual({ status: 'ok', db: 'ok' });
  });

  it('exports its lag and rows on /metrics', async () => {
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^trustops_analytics_lag_seconds \d+(\.\d+)?(e[-+]?\d+)?$/m);
    expect(text).toMatch(/^trustops_analytics_rows\{table="decisions"\} 2$/m);
    expect(text).toMatch(/^trustops_analytics_building 0$/m);
  });
});
