import type { DisputeCardData } from '../../../src/domain/copyright/cards';
import type { DisputeThreadEvent } from '../../../src/domain/copyright/dispute-card';
import { renderAlert } from '../../../src/slack/views/alerts';
import {
  closedDayChangeText,
  closedDaysMessage,
  disputeDetailMessage,
  disputeOverdueMessage,
  disputeThreadMessage,
  homeDisputeBlocks,
} from '../../../src/slack/views/copyright-disputes';
import { toMrkdwn } from '../../../src/slack/views/text';

const HOSTILE = '<!channel> <@U0EVIL> <https://evil.example|click> & *bold*';
const EVENTS: DisputeThreadEvent[] = [
  'claimant_notified',
  'restored',
  'restored_late',
  'restored_false_positive',
  'held',
  'rejected',
  'info_requested',
  'window_moved',
  'notice_retracted',
  'superseded',
  'claimant_notify_due',
  'window_open',
];

const card: DisputeCardData = {
  counterNoticeId: 7,
  externalId: HOSTILE,
  notice: { externalId: HOSTILE, claimant: HOSTILE, senderKind: 'agent' },
  subscriberName: HOSTILE,
  accountId: HOSTILE,
  items: Array.from({ length: 10 }, (_, i) => `https://claude.ai/share/${i}`),
  itemCount: 1000,
  receivedAt: '2026-11-25T20:00:00.000Z',
  missing: [],
  window: { earliest: '2026-12-10', latest: '2026-12-16', timeZone: 'America/New_York' },
  clock: { phase: 'waiting', daysLeft: 11, daysUntilOpen: 7, asOf: '2026-12-01T15:00:00.000Z' },
  status: 'rejected',
  decided: { by: 'U0ANALYST', at: '2026-12-02T12:00:00.000Z', reason: HOSTILE },
  infoRequests: [{ by: 'U0ANALYST', at: '2026-12-01T12:00:00.000Z' }],
};

// plain_text (headers, buttons) is never parsed by Slack: only mrkdwn could act on markup.
const acted = (json: string) =>
  /<!channel>|<@U0EVIL>|<https:\/\/evil/.test(json.replace(/"type":"plain_text","text":"(?:[^"\\]|\\.)*"/g, ''));

describe('dispute messages', () => {
  it.each(EVENTS)('a %s thread reply shows what people typed as typed, never as markup', (event) => {
    const m = disputeThreadMessage({
      counterNoticeId: 7,
      externalId: HOSTILE,
      event,
      at: '2026-12-02T12:00:00.000Z',
      actor: 'U0ANALYST',
      reason: HOSTILE,
      window: { earliest: '2026-12-10', latest: '2026-12-16' },
      dueAt: '2026-11-27T20:00:00.000Z',
      suit: { court: HOSTILE, caseNumber: HOSTILE, filedOn: '2026-12-01' },
    });
    const json = JSON.stringify(m);
    expect(acted(json)).toBe(false);
    expect(m.blocks.length).toBeGreaterThan(0);
    if (event === 'window_open') expect(json).toContain('Wednesday 2026-12-16');
  });

  it('renders the overdue alert, the dispute view and the card through the outbox kinds, escaped and within Block Kit limits', () => {
    const overdue = disputeOverdueMessage({
      counterNoticeId: 7,
      externalId: HOSTILE,
      noticeExternalId: HOSTILE,
      claimant: HOSTILE,
      accountId: HOSTILE,
      itemCount: 3,
      latest: '2026-12-16',
      timeZone: 'America/New_York',
      at: '2026-12-17T05:00:00.000Z',
    });
    expect(acted(JSON.stringify(overdue))).toBe(false);
    expect(JSON.stringify(overdue)).toContain('Wednesday 2026-12-16');
    const timeline = Array.from({ length: 200 }, (_, i) => ({
      at: '2026-12-01T12:00:00.000Z',
      actor: i % 2 ? 'system' : 'U0ANALYST',
      action: 'counter_notice.request_info',
      details: { question: HOSTILE },
    }));
    const detail = disputeDetailMessage({ card, timeline, cardLink: { channel: 'C0COPYRIGHT', ts: '1.2' } });
    expect(detail.blocks.length).toBeLessThanOrEqual(50);
    expect(acted(JSON.stringify(detail))).toBe(false);
    expect(JSON.stringify(detail)).not.toContain('"type":"actions"');
    for (const kind of ['copyright_dispute', 'copyright_dispute_thread', 'copyright_dispute_overdue']) {
      const message =
        kind === 'copyright_dispute'
          ? card
          : kind === 'copyright_dispute_overdue'
            ? {
                counterNoticeId: 7,
                externalId: 'cn',
                noticeExternalId: 'n',
                claimant: 'c',
                accountId: 'a',
                itemCount: 1,
                latest: '2026-12-16',
                timeZone: 'UTC',
                at: '2026-12-17T05:00:00.000Z',
              }
            : { counterNoticeId: 7, externalId: 'cn', event: 'window_open', at: '2026-12-10T14:00:00.000Z' };
      const m = renderAlert(
        { id: 1, kind, channel: 'C0COPYRIGHT', slackChannel: null, slackTs: null, message },
        { reviewUrl: 'https://r/{case_id}' },
      );
      expect(m.blocks.length).toBeGreaterThan(0);
      expect(acted(JSON.stringify(m))).toBe(false);
    }
  });

  it('lists closed days and open disputes, and says what a holiday change did', () => {
    const list = closedDaysMessage({
      timeZone: 'America/New_York',
      closed: [{ date: '2026-12-24', name: HOSTILE }],
      federal: [{ date: '2026-12-25', name: 'Christmas Day' }],
    });
    expect(acted(JSON.stringify(list))).toBe(false);
    expect(JSON.stringify(list)).toContain('Thursday 2026-12-24');
    expect(
      toMrkdwn(
        closedDayChangeText({ date: '2026-12-26', name: 'x', changed: false, alreadyClosedBy: 'Saturday', disputesMoved: 0 }, 'add'),
      ),
    ).toBe('Saturday 2026-12-26 is already closed (Saturday); nothing changed.');
    const blocks = homeDisputeBlocks({
      disputes: [
        {
          counterNoticeId: 1,
          externalId: HOSTILE,
          noticeExternalId: 'n',
          claimant: HOSTILE,
          accountId: HOSTILE,
          itemCount: 2,
          earliest: '2026-12-10',
          latest: '2026-12-16',
          daysLeft: 3,
          phase: 'open',
          claimantNotified: false,
          missing: [],
        },
        {
          counterNoticeId: 2,
          externalId: 'cn-2',
          noticeExternalId: 'n',
          claimant: 'c',
          accountId: 'a',
          itemCount: 1,
          claimantNotified: false,
          missing: ['signature'],
        },
      ],
      more: 4,
    });
    const json = JSON.stringify(blocks);
    expect(acted(json)).toBe(false);
    expect(json).toContain('3 business days left');
    expect(json).toContain('claimant not yet notified');
    expect(json).toContain('incomplete (missing signature): no clock');
    expect(json).toContain('and 4 more');
  });
});
