import fc from 'fast-check';
import {
  crossesThreshold,
  DEFAULT_STRIKE_POLICY,
  parseStrikePolicy,
  repeatInfringers,
  STRIKE_STATES,
  type Strike,
  strikeCounts,
} from '../../../src/domain/copyright/strikes';

const DAY = 86_400_000;
const T0 = new Date('2026-01-01T00:00:00Z').getTime();
const at = (day: number) => new Date(T0 + day * DAY);
const strike = (accountId: string, noticeId: number, day: number, state: Strike['state'] = 'active'): Strike => ({
  accountId,
  noticeId,
  at: at(day),
  state,
});

describe('the repeat-infringer rule', () => {
  it('flags an account with 3 active strikes within 365 days', () => {
    const strikes = [strike('a', 1, 0), strike('a', 2, 100), strike('a', 3, 200), strike('b', 4, 10), strike('b', 5, 20)];
    expect(repeatInfringers(strikes, DEFAULT_STRIKE_POLICY, at(200)).map((a) => [a.accountId, a.count])).toEqual([['a', 3]]);
    // The day before the third strike, nobody.
    expect(repeatInfringers(strikes, DEFAULT_STRIKE_POLICY, at(199))).toEqual([]);
  });

  it('rolls the window: the oldest strike stops counting 365 days after it', () => {
    const strikes = [strike('a', 1, 0), strike('a', 2, 100), strike('a', 3, 200)];
    expect(repeatInfringers(strikes, DEFAULT_STRIKE_POLICY, new Date(at(365).getTime() - 1))).toHaveLength(1);
    expect(repeatInfringers(strikes, DEFAULT_STRIKE_POLICY, at(365))).toEqual([]); // window is (at − 365 d, at]
  });

  it('does not count retracted, restored or expired strikes, nor one strike twice for a notice', () => {
    const strikes = [
      strike('a', 1, 0),
      strike('a', 1, 1), // the same notice again
      strike('a', 2, 2, 'retracted'),
      strike('a', 3, 3, 'restored'),
      strike('a', 4, 4, 'expired'),
      strike('a', 5, 5),
    ];
    const [a] = strikeCounts(strikes, DEFAULT_STRIKE_POLICY, at(10));
    expect(a).toMatchObject({ accountId: 'a', count: 2, reached: false });
    expect(a?.counted.map((s) => [s.noticeId, s.at])).toEqual([
      [1, at(0)],
      [5, at(5)],
    ]);
  });

  it('follows the policy given as data', () => {
    const strikes = [strike('a', 1, 0), strike('a', 2, 40)];
    expect(repeatInfringers(strikes, { strikes: 2, windowDays: 30 }, at(40))).toEqual([]);
    expect(repeatInfringers(strikes, { strikes: 2, windowDays: 41 }, at(40))).toHaveLength(1);
    expect(repeatInfringers(strikes, { strikes: 1, windowDays: 1 }, at(40)).map((a) => a.count)).toEqual([1]);
  });

  it('raises once per crossing: the strike that reaches the threshold, not the ones after it', () => {
    const policy = { strikes: 2, windowDays: 30 };
    const s1 = strike('a', 1, 0);
    const s2 = strike('a', 2, 10);
    const s3 = strike('a', 3, 20);
    const s4 = strike('a', 4, 100); // alone in its window again
    const s5 = strike('a', 5, 110);
    const all = [s1, s2, s3, s4, s5];
    expect(all.map((s) => crossesThreshold(all, policy, s))).toEqual([false, true, false, false, true]);
    expect(crossesThreshold(all, policy, { ...s2, state: 'restored' })).toBe(false);
    // A strike not yet stored is counted as if it were.
    expect(crossesThreshold([s1], policy, s2)).toBe(true);
  });

  it('agrees with a plain count over random strikes', () => {
    const arbStrike = fc.record({
      accountId: fc.constantFrom('a', 'b', 'c'),
      noticeId: fc.integer({ min: 1, max: 40 }),
      at: fc.integer({ min: 0, max: 800 }).map(at),
      state: fc.constantFrom(...STRIKE_STATES),
    });
    fc.assert(
      fc.property(
        fc.array(arbStrike, { maxLength: 60 }),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 5 }),
        (strikes, day, n) => {
          const policy = { strikes: n, windowDays: 200 };
          const now = at(day);
          const expected = new Map<string, Set<number>>();
          for (const s of strikes) {
            const age = now.getTime() - s.at.getTime();
            if (s.state === 'active' && age >= 0 && age < 200 * DAY)
              expected.set(s.accountId, (expected.get(s.accountId) ?? new Set()).add(s.noticeId));
          }
          const flagged = [...expected].filter(([, notices]) => notices.size >= n).map(([a]) => a);
          expect(
            repeatInfringers(strikes, policy, now)
              .map((a) => a.accountId)
              .sort(),
          ).toEqual(flagged.sort());
        },
      ),
    );
  });
});

describe('the policy command words', () => {
  it('set strikes, window or both over the current policy', () => {
    expect(parseStrikePolicy(['strikes:5', 'window:180'])).toEqual({ strikes: 5, windowDays: 180 });
    expect(parseStrikePolicy(['window:30'], { strikes: 2, windowDays: 365 })).toEqual({ strikes: 2, windowDays: 30 });
    expect(parseStrikePolicy(['STRIKES:4'])).toEqual({ strikes: 4, windowDays: 365 });
  });

  it('refuse words it does not know and values out of range, with an example', () => {
    expect(() => parseStrikePolicy([])).toThrow(/strikes:<n>/);
    expect(() => parseStrikePolicy(['strikes=3'])).toThrow(/Not a policy setting: "strikes=3"/);
    expect(() => parseStrikePolicy(['strikes:0', 'window:9999'])).toThrow(/strikes: at least 1; window: at most 3650 days/);
    expect(() => parseStrikePolicy(['window:a year'])).toThrow(/Not a policy setting/);
    expect(() => parseStrikePolicy(['window:1.5'])).toThrow(/window: /);
  });
});
