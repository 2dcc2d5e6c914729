/**
 * The repeat-infringer rule (§512(i)(1)(A): a policy of terminating repeat infringers, here as
 * data): an account that collects `strikes` active strikes inside a rolling window of `windowDays`
 * reaches the threshold. Pure: strikes and the instant are passed in.
 *
 * A strike is one account on one notice taken down. Retracted, restored and expired strikes do
 * not count; nor does a strike dated after the instant asked about.
 */
import { z } from 'zod';
import { badInput } from '../../errors';

export const STRIKE_STATES = ['active', 'retracted', 'restored', 'expired'] as const;
export type StrikeState = (typeof STRIKE_STATES)[number];

export type Strike = { accountId: string; noticeId: number; at: Date; state: StrikeState };
export type StrikePolicy = { strikes: number; windowDays: number };

export const DEFAULT_STRIKE_POLICY: StrikePolicy = Object.freeze({ strikes: 3, windowDays: 365 });

export const ZStrikePolicy = z.strictObject({
  strikes: z.number().int('a whole number').min(1, 'at least 1').max(100, 'at most 100'),
  windowDays: z.number().int('a whole number').min(1, 'at least 1 day').max(3650, 'at most 3650 days (10 years)'),
});

const DAY_MS = 86_400_000;
const POLICY_EXAMPLE = '/trustops copyright policy strikes:3 window:365';

/** `strikes:<n> window:<days>` (either or both, any order) over the current policy. */
export function parseStrikePolicy(words: readonly string[], current: StrikePolicy = DEFAULT_STRIKE_POLICY): StrikePolicy {
  if (words.length === 0) throw badInput('Give strikes:<n>, window:<days> or both.', POLICY_EXAMPLE);
  const next: Record<string, unknown> = { ...current };
  for (const word of words) {
    const m = /^(strikes|window):(\S+)$/i.exec(word);
    if (!m) throw badInput(`Not a policy setting: ${JSON.stringify(word)}. Expected strikes:<n> or window:<days>.`, POLICY_EXAMPLE);
    const value = /^\d{1,6}$/.test(m[2]!) ? Number(m[2]) : m[2];
    next[m[1]!.toLowerCase() === 'strikes' ? 'strikes' : 'windowDays'] = value;
  }
  const parsed = ZStrikePolicy.safeParse(next);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path[0] === 'windowDays' ? 'window' : 'strikes'}: ${i.message}`);
  throw badInput(`Invalid repeat-infringer policy: ${problems.join('; ')}.`, POLICY_EXAMPLE);
}

export type AccountStrikes = {
  accountId: string;
  /** Counting strikes inside the window, oldest first (one per notice). */
  counted: Strike[];
  count: number;
  reached: boolean;
};

/** The strikes that count for each account at `at`: active, in (at − window, at], one per notice. */
export function strikeCounts(strikes: readonly Strike[], policy: StrikePolicy, at: Date): AccountStrikes[] {
  const from = at.getTime() - policy.windowDays * DAY_MS;
  const byAccount = new Map<string, Map<number, Strike>>();
  for (const s of strikes) {
    const t = s.at.getTime();
    if (s.state !== 'active' || t <= from || t > at.getTime()) continue;
    const notices = byAccount.get(s.accountId) ?? new Map<number, Strike>();
    const same = notices.get(s.noticeId);
    if (!same || s.at < same.at) notices.set(s.noticeId, s); // a notice counts once, from its first strike
    byAccount.set(s.accountId, notices);
  }
  return [...byAccount]
    .map(([accountId, notices]) => {
      const counted = [...notices.values()].sort((a, b) => a.at.getTime() - b.at.getTime() || a.noticeId - b.noticeId);
      return { accountId, counted, count: counted.length, reached: counted.length >= policy.strikes };
    })
    .sort((a, b) => b.count - a.count || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
}

/** The accounts at or over the threshold at `at`, most strikes first. */
export function repeatInfringers(strikes: readonly Strike[], policy: StrikePolicy, at: Date): AccountStrikes[] {
  return strikeCounts(strikes, policy, at).filter((a) => a.reached);
}

/**
 * Whether a new strike takes its account to the threshold: the count at its instant reaches the
 * policy and the count just before did not. What raises the termination escalation once per crossing
 * (a later strike while still over it does not; one after the count fell back below does).
 */
export function crossesThreshold(strikes: readonly Strike[], policy: StrikePolicy, strike: Strike): boolean {
  if (strike.state !== 'active') return false;
  const own = strikes.filter((s) => s.accountId === strike.accountId);
  const withNew = own.some((s) => s.noticeId === strike.noticeId && s.at.getTime() === strike.at.getTime()) ? own : [...own, strike];
  const after = strikeCounts(withNew, policy, strike.at)[0];
  const before = strikeCounts(
    withNew.filter((s) => s.noticeId !== strike.noticeId),
    policy,
    strike.at,
  )[0];
  return (after?.reached ?? false) && !(before?.reached ?? false);
}
