import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { buildOverview, overviewCsv } from '../../../src/domain/digests/overview';
import { proportion } from '../../../src/domain/digests/wilson';
import { validateBlocks } from '../../../src/sandbox/emulator/block-kit';
import type { SlackMessage } from '../../../src/slack/views/blocks';
import {
  digestMessage,
  lateMarker,
  missedDaysText,
  overviewCsvFileName,
  overviewDigestMessage,
  proportionText,
  quietDigestMessage,
  vendorDigestMessage,
} from '../../../src/slack/views/digest';
import { card } from '../../domain/digests/cards';

/** Every mrkdwn text Slack parses (the message text and each mrkdwn object), and every plain_text. */
function texts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) texts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
    for (const v of Object.values(o)) texts(v, out);
  }
  return out;
}
const all = (m: SlackMessage) => [m.text, ...texts(m.blocks)].join('\n');

/** Our own markup is Slack dates only: any other `<` is someone's text left live. */
function expectValidAndInert(m: SlackMessage): void {
  expect(validateBlocks(m.blocks, 'message')).toEqual([]);
  expect(m.text.length).toBeGreaterThan(0);
  const mrkdwn = [m.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(m.blocks);
  for (const t of mrkdwn) {
    const live = t.replace(/<!date\^\d+\^[^|<>]*\|[^<>]*>/g, '');
    if (live.includes('<')) throw new Error(`live markup from someone's text: ${JSON.stringify(t.slice(0, 300))}`);
    if (/&(?!amp;|lt;|gt;)/.test(t)) throw new Error(`bare & in: ${JSON.stringify(t.slice(0, 300))}`);
  }
}

describe('figures as the digest writes them', () => {
  it('gives a sampled rate with its size and 95 % interval, or says there are too few', () => {
    expect(proportionText(proportion(111, 118))).toBe('94.1 % (n=118, 95 % CI 88.3–97.1)');
    expect(proportionText(proportion(11, 12))).toBe('too few to say (11 of 12)');
    // Enough reviews but an interval 33.7 points wide.
    expect(proportionText(proportion(15, 30))).toBe('too few to say (15 of 30)');
    expect(proportionText(proportion(0, 0))).toBe('— (none)');
  });
});

describe('the vendor digest', () => {
  const c = card({ key: 'acme', name: 'Acme Moderation', fa: [3, 1], qa: [111, 118] });

  it("shows the vendor's day: volume, SLA against target, QA with its interval, backlog by age, throughput and capacity", () => {
    const m = vendorDigestMessage(c);
    expectValidAndInert(m);
    const text = all(m);
    expect(text).toContain('Daily digest — Acme Moderation — 2026-11-01');
    expect(text).toContain('*Reports received*\n5');
    expect(text).toContain('*First-action SLA*\n75.0 % (3 of 4) :warning: below the 95 % target');
    expect(text).toContain('*Resolution SLA*\n90.0 % (90 of 100)');
    expect(text).toContain('*QA accuracy*\n94.1 % (n=118, 95 % CI 88.3–97.1) :warning: below the 95 % target');
    // 2 of 30: Wilson 1.8–21.3, 19.5 points wide, so enough to quote.
    expect(text).toContain('*False positives (QA)*\n6.7 % (n=30, 95 % CI 1.8–21.3)');
    expect(text).toContain('*False negatives (QA)*\ntoo few to say (2 of 10)');
    expect(text).toContain('misread_context (2), (no category) (1)');
    expect(text).toContain('*Appeals overturned*\n50.0 % (1 of 2)');
    expect(text).toContain('5 open: &lt; 4 h 1 · 4–24 h 1 · 1–3 d 2 · &gt; 3 d 1');
    expect(text).toContain('oldest #7, open 12 d 17 h');
    expect(text).toContain('3 cases decided · 7 days before: 2.0 a day');
    expect(text).toContain('2.5 days to clear · 2.2 reviewer-hours needed');
    expect(text).toContain('*growing*');
    expect(text).toContain('Local days in America/New_York');
  });

  it('says nothing about any other vendor: no rank, no overview', () => {
    const text = all(vendorDigestMessage(c)).toLowerCase();
    expect(text).not.toMatch(/rank|overview|other vendors|vendors/);
  });

  it('is a scorecard over a range when asked for one', () => {
    const text = all(vendorDigestMessage(card({ key: 'acme', name: 'Acme', days: 30 })));
    expect(text).toContain('Scorecard — Acme — 2026-10-03 to 2026-11-01');
    expect(text).toContain('3 cases decided (3.0 a day)');
  });

  it('is marked late, with the older missed days listed instead of sent', () => {
    const m = vendorDigestMessage(c, { lateSentAt: new Date('2026-11-03T16:00:00Z'), missedDays: ['2026-10-30', '2026-10-31'] });
    expectValidAndInert(m);
    const text = all(m);
    expect(text).toContain(':hourglass: *Late* — the digest for 2026-11-01, sent <!date^1793721600^');
    expect(text).toContain('The figures are as at the end of 2026-11-01.');
    expect(text).toContain(
      'Also not sent while the bot was down: 2026-10-30, 2026-10-31. For any of them: `/trustops digest preview acme YYYY-MM-DD`.',
    );
  });

  it('lists at most 14 missed days and counts the rest', () => {
    const days = Array.from({ length: 40 }, (_, i) => `2026-09-${String(i + 1).padStart(2, '0')}`);
    expect(missedDaysText('acme', days)!.text).toContain('2026-09-14 and 26 more.');
    expect(missedDaysText('acme', [])).toBeUndefined();
    expect(lateMarker('2026-11-01', new Date('2026-11-03T16:00:00Z')).text).toContain('*Late*');
  });
});

describe('a quiet day', () => {
  const quiet = card({ key: 'calm', name: 'Calm Co', quiet: true, backlog: 0 });

  it('is one line', () => {
    const m = quietDigestMessage(quiet);
    expectValidAndInert(m);
    expect(m.blocks).toHaveLength(1);
    expect(m.text).toBe('*Calm Co* — 2026-11-01: a quiet day, no reports, decisions or reviews. Backlog: nothing open.');
  });

  it('still names the backlog left open', () => {
    const m = quietDigestMessage(card({ key: 'calm', name: 'Calm Co', quiet: true, backlog: 3 }));
    expect(m.text).toContain('Backlog: 3 open, the oldest since <!date^1792497600^');
  });

  it('sends the one line, or nothing when the vendor asked for nothing, unless it must list missed days', () => {
    expect(digestMessage(quiet)!.blocks).toHaveLength(1);
    expect(digestMessage(quiet, { quietDays: 'none' })).toBeNull();
    const withMissed = digestMessage(quiet, {
      quietDays: 'none',
      missedDays: ['2026-10-31'],
      lateSentAt: new Date('2026-11-03T16:00:00Z'),
    })!;
    expect(withMissed.blocks).toHaveLength(2);
    expect(all(withMissed)).toContain('*Late*');
    expect(digestMessage(card({ key: 'busy' }), { quietDays: 'none' })!.blocks.length).toBeGreaterThan(3);
  });
});

describe('the overview digest', () => {
  it('ranks every vendor when there are few, marking noise and missed targets', () => {
    const o = buildOverview([
      card({ key: 'a', name: 'Alpha', fa: [99, 1], res: [99, 1], qa: [50, 100] }),
      card({ key: 'b', name: 'Bravo', fa: [97, 3], res: [97, 3], qa: [99, 100] }),
      card({ key: 'c', name: 'Charlie', fa: [40, 60], res: [40, 60], qa: [98, 100] }),
    ]);
    const m = overviewDigestMessage(o);
    expectValidAndInert(m);
    const text = all(m);
    expect(text).toContain('Vendor overview — 2026-11-01');
    expect(text).toContain('3 vendors · 2 missed a target');
    expect(text).toContain('1. *Alpha* — 99.0 % (n=200, 95 % CI 96.4–99.7) :warning: QA accuracy below target');
    expect(text).toContain('2. *Bravo* — 97.0 % (n=200, 95 % CI 93.6–98.6) ≈ _within the noise of the one above_');
    expect(text).toContain('3. *Charlie* — 40.0 % (n=200, 95 % CI 33.5–46.9) :warning: first action, resolution below target');
    expect(text).toContain('1. *Bravo* — 99.0 % (n=100, 95 % CI 94.6–99.8)');
    expect(text).not.toContain('CSV');
  });

  it('shows the top and bottom five of 200 vendors with hostile names within Block Kit limits, the rest in the CSV', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.constantFrom(
              '<!channel>',
              '<@UEVIL0001>',
              '<https://evil.example|x>',
              '&amp;',
              '*bold*',
              '\u202e',
              '👩‍👩‍👧'.repeat(200),
              'x'.repeat(5000),
            ),
          ),
          { minLength: 200, maxLength: 200 },
        ),
        (names) => {
          const cards = names.map((n, i) =>
            card({ key: `v${i}`, name: n, fa: [i % 100, 100 - (i % 100)], qa: [i % 50, 50], topErrors: [{ category: n, count: 1 }] }),
          );
          const o = buildOverview(cards);
          const m = overviewDigestMessage(o);
          expectValidAndInert(m);
          expect(m.blocks.length).toBeLessThanOrEqual(50);
          const ranked = all(m).match(/^\d+\. /gm) ?? [];
          expect(ranked.map((r) => Number(r.slice(0, -2)))).toEqual([
            1, 2, 3, 4, 5, 196, 197, 198, 199, 200, 1, 2, 3, 4, 5, 196, 197, 198, 199, 200,
          ]);
          expect(all(m)).toContain('…190 more in the CSV in the thread.');
          // Parsed, not split on CRLF: a name may itself hold a line break.
          const rows: string[][] = parse(overviewCsv(o), { bom: true });
          expect(rows).toHaveLength(201);
          expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(new Set(cards.map((c) => c.vendor.key)));
          for (const c of cards.slice(0, 5))
            expectValidAndInert(vendorDigestMessage(c, { lateSentAt: new Date(), missedDays: ['2026-10-31'] }));
          expectValidAndInert(quietDigestMessage({ ...cards[0]!, quiet: true }));
        },
      ),
      { numRuns: 15 },
    );
    expect(overviewCsvFileName(buildOverview([card({ key: 'x' })]))).toBe('vendor-overview-2026-11-01.csv');
  });
});
