import { validateBlocks } from '../../../src/sandbox/emulator/block-kit';
import { LIMIT } from '../../../src/slack/views/blocks';
import { dsaSubmissionsMessage } from '../../../src/slack/views/dsa-report';

describe('/trustops dsa submissions view', () => {
  it('twenty refusals with long reasons and puids: every refused statement is listed and every block is within Slack limits (review #13)', () => {
    const long = (c: string) => c.repeat(2000);
    const refused = Array.from({ length: 20 }, (_, k) => ({
      puid: `p${k}-${long('x').slice(0, 490)}`,
      decisionId: 1000 + k,
      attempts: 1,
      reasons: { decision_facts: [long('y')], category: [`bad & <wrong> ${long('z')}`] },
      lastError: 'refused by the Transparency Database (422)',
      decidedAt: new Date('2026-11-30T10:00:00Z'),
    }));
    const retrying = Array.from({ length: 5 }, (_, k) => ({
      puid: `r${k}`,
      attempts: 3,
      lastError: `HTTP 503: ${long('e')}`,
      nextAttemptAt: new Date('2026-11-30T12:00:00Z'),
    }));
    const m = dsaSubmissionsMessage({
      counts: { pending: 5, sending: 0, accepted: 7, refused: 20, skipped: 3 },
      start: { start: new Date('2026-07-01T00:00:00Z'), setBy: 'system', setAt: new Date('2026-07-01T00:00:00Z') },
      oldestUnaccepted: new Date('2026-11-30T10:00:00Z'),
      refused,
      retrying,
      now: new Date('2026-11-30T12:00:00Z'),
    });
    expect(validateBlocks(m.blocks, 'message')).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(LIMIT.messageBlocks);
    const sectionTexts = m.blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);
    for (const text of sectionTexts) expect(text.length).toBeLessThanOrEqual(LIMIT.sectionText);
    const all = sectionTexts.join('\n');
    for (const r of refused) expect(all).toContain(`(decision ${r.decisionId}, 1 attempt)`);
    for (const r of retrying) expect(all).toContain(`\`${r.puid}\`: HTTP 503`);
    expect(all).toContain(
      'Sent for restricting decisions decided from 2026-07-01T00:00:00.000Z (set by TrustOps when submission was turned on); 3 decided before it are not sent.',
    );
  });
});
