import { fixedClock } from '../../src/clock';
import { startTestApp, type TestApp } from '../support/app';

const clock = fixedClock('2026-11-27T12:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.stop();
});
const rep = (o: Record<string, unknown> = {}) => ({
  external_id: `p-${Math.random()}`,
  surface: 'claude_ai',
  report_type: 'harmful_content',
  content_ref: `ref-${Math.random()}`.replace('.', ''),
  received_at: '2026-11-27T10:00:00Z',
  ...o,
});
it('probe', async () => {
  const out: unknown[] = [];
  const log = async (label: string, p: Promise<unknown>) => out.push([label, await p]);
  await log('nul', t.api('/api/v1/reports', rep({ description: 'a\u0000b' })));
  await log('lone surrogate', t.api('/api/v1/reports', rep({ description: 'a\ud800b' })));
  await log(
    'big case id',
    t.api('/api/v1/decisions', {
      external_id: 'd-big',
      case_id: 2147483648,
      action: 'no_violation',
      policy: 'p',
      decided_at: '2026-11-27T11:00:00Z',
    }),
  );
  await log(
    'big dec id',
    t.api('/api/v1/qa-reviews', { external_id: 'q-big', decision_id: 2147483648, outcome: 'agree', reviewed_at: '2026-11-27T11:00:00Z' }),
  );
  await log('mcp + type err', t.api('/api/v1/reports', rep({ report_type: 'mcp_server', jurisdiction: 5 })));
  await log('future + other', t.api('/api/v1/reports', rep({ received_at: '2026-11-27T13:00:00Z', jurisdiction: 'XX' })));
  await log('future', t.api('/api/v1/reports', rep({ received_at: '2026-11-27T12:05:01Z' })));
  await log('future ok', t.api('/api/v1/reports', rep({ received_at: '2026-11-27T12:05:00Z' })));
  await log('empty', t.api('/api/v1/reports', ''));
  await log('null', t.api('/api/v1/reports', 'null'));
  await log(
    'text',
    t.api('/api/v1/reports', rep(), { authorization: 'Bearer test-intake-token-0123456789', 'content-type': 'text/plain' }),
  );
  await log('none ct', t.api('/api/v1/reports', rep(), { authorization: 'Bearer test-intake-token-0123456789' }));
  await log('bad json', t.api('/api/v1/reports', '{"a":'));
  await log(
    'qa future',
    t.api('/api/v1/qa-reviews', { external_id: 'q-x', decision_id: 1, outcome: 'agree', reviewed_at: '2030-11-27T11:00:00Z' }),
  );
  await log('dec typeerr', t.api('/api/v1/decisions', { external_id: 5, action: 'x', policy: 'p', decided_at: '2026-11-27T11:00:00Z' }));
  await log('qa typeerr', t.api('/api/v1/qa-reviews', { external_id: 'q-x', outcome: 'disagree', reviewed_at: 5 }));
  await log('ap typeerr', t.api('/api/v1/appeals', { external_id: 'q-x', outcome: 'upheld', filed_at: 5 }));
  console.log(JSON.stringify(out, null, 1));
});
