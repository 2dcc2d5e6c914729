import { addBusinessTime, type BusinessCalendar, businessElapsed } from './calendar';
import type { SlaPolicy } from './policies';

/**
 * SLA state of a case's two targets, first action and resolution, at a given instant:
 *
 *   ok → at_risk (business time elapsed ≥ at_risk_percent of the target) → breached (past the due time)
 *
 * and, once the target is completed, met (on or before the due time) or missed, with the overrun.
 * Pure: the instant is passed in, the calendar math does the rest.
 */

export const SLA_TARGETS = ['first_action', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

export type OpenSlaState = 'ok' | 'at_risk' | 'breached';
export type DoneSlaState = 'met' | 'missed';
export type SlaState = OpenSlaState | DoneSlaState;

const MINUTE = 60_000;

/** The two instants of one target: at risk after at_risk_percent of it in business time, due after all of it. */
export type TargetInstants = { atRiskAt: Date; dueAt: Date };

export function targetInstants(openedAt: Date, targetMinutes: number, atRiskPercent: number, calendar: BusinessCalendar): TargetInstants {
  return {
    atRiskAt: atRiskInstant(openedAt, targetMinutes, atRiskPercent, calendar),
    dueAt: addBusinessTime(openedAt, targetMinutes * MINUTE, calendar),
  };
}

function atRiskInstant(openedAt: Date, targetMinutes: number, atRiskPercent: number, calendar: BusinessCalendar): Date {
  // Whole minutes × whole percents: an integral number of milliseconds.
  return addBusinessTime(openedAt, (targetMinutes * MINUTE * atRiskPercent) / 100, calendar);
}

/** Both targets' at-risk instants under a policy, stored on the case when it is opened (beside its due times). */
export function atRiskTimes(policy: SlaPolicy, openedAt: Date): { firstActionAtRiskAt: Date; resolutionAtRiskAt: Date } {
  return {
    firstActionAtRiskAt: atRiskInstant(openedAt, policy.firstActionMinutes, policy.atRiskPercent, policy.calendar),
    resolutionAtRiskAt: atRiskInstant(openedAt, policy.resolutionMinutes, policy.atRiskPercent, policy.calendar),
  };
}

export type TargetClock = TargetInstants & { openedAt: Date; completedAt: Date | null };

export type TargetState = {
  state: SlaState;
  atRiskAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  /** Business time elapsed from opening to completion (or to now while open). */
  elapsedMs: number;
  /** Business time past the due time, at completion (missed) or now (breached); 0 otherwise. */
  overrunMs: number;
  /** The same in whole business minutes, rounded up: 20 s late counts as 1 min. */
  overrunMinutes: number;
  /** Wall-clock minutes past the due time (rounded up); differs from overrunMinutes when closed hours intervene. */
  overrunWallMinutes: number;
};

/**
 * One target's state at `now`, from its instants alone (no calendar needed): at risk from the at-risk
 * instant, breached once the due instant has passed, and, once completed, met if that was on or before
 * the due instant. The scan evaluates the same rule in SQL (scan.ts, recordedStateSql).
 */
export function stateAt(t: TargetInstants & { completedAt: Date | null }, now: Date): SlaState {
  if (t.completedAt) return t.completedAt.getTime() <= t.dueAt.getTime() ? 'met' : 'missed';
  if (now.getTime() > t.dueAt.getTime()) return 'breached';
  if (now.getTime() >= t.atRiskAt.getTime()) return 'at_risk';
  return 'ok';
}

export type Overrun = { overrunMs: number; overrunMinutes: number; overrunWallMinutes: number };

/** How far past the due instant `end` is: in business time (paused hours do not count) and on the wall clock. */
export function overrunAt(dueAt: Date, end: Date, calendar: BusinessCalendar): Overrun {
  const overrunMs = businessElapsed(dueAt, end, calendar);
  return {
    overrunMs,
    overrunMinutes: Math.ceil(overrunMs / MINUTE),
    overrunWallMinutes: Math.ceil(Math.max(0, end.getTime() - dueAt.getTime()) / MINUTE),
  };
}

const ON_TIME: Overrun = Object.freeze({ overrunMs: 0, overrunMinutes: 0, overrunWallMinutes: 0 });

/**
 * One target's state at `now`, with the business time elapsed and the overrun. The instants are
 * addBusinessTime(opened_at, share of the target), so "at risk" is exactly "business time elapsed ≥
 * at_risk_percent of the target"; "breached" starts once the due instant, where all of it has elapsed, is past.
 */
export function targetState(t: TargetClock, calendar: BusinessCalendar, now: Date): TargetState {
  const state = stateAt(t, now);
  const done = t.completedAt;
  const end = done && done.getTime() <= now.getTime() ? done : now;
  const late = state === 'missed' || state === 'breached';
  return {
    state,
    atRiskAt: t.atRiskAt,
    dueAt: t.dueAt,
    completedAt: done,
    elapsedMs: businessElapsed(t.openedAt, end, calendar),
    ...(late ? overrunAt(t.dueAt, done ?? now, calendar) : ON_TIME),
  };
}

/** What the SLA state of a case needs; the stored instants, when given, are the ones fixed at creation. */
export type SlaCase = {
  slaPolicyId: number;
  openedAt: Date;
  firstActionAt: Date | null;
  resolvedAt: Date | null;
  firstActionDueAt?: Date;
  resolutionDueAt?: Date;
  firstActionAtRiskAt?: Date;
  resolutionAtRiskAt?: Date;
};

export type CaseSlaState = { policyId: number; policyVersion: number; first_action: TargetState; resolution: TargetState };

/**
 * Both targets of a case at `now`, under the policy version the case was opened under (its
 * sla_policy_id), whatever versions came after. Instants stored on the case win over recomputed ones,
 * so a calendar edited later (a holiday added) does not move a deadline already announced.
 */
export function caseSlaState(c: SlaCase, policies: ReadonlyMap<number, SlaPolicy>, now: Date): CaseSlaState {
  const policy = policies.get(c.slaPolicyId);
  if (!policy) throw new Error(`SLA policy ${c.slaPolicyId} of the case is unknown`);
  const target = (minutes: number, completedAt: Date | null, dueAt?: Date, atRiskAt?: Date): TargetState => {
    const computed = dueAt && atRiskAt ? undefined : targetInstants(c.openedAt, minutes, policy.atRiskPercent, policy.calendar);
    return targetState(
      { openedAt: c.openedAt, completedAt, dueAt: dueAt ?? computed!.dueAt, atRiskAt: atRiskAt ?? computed!.atRiskAt },
      policy.calendar,
      now,
    );
  };
  return {
    policyId: policy.id,
    policyVersion: policy.version,
    first_action: target(policy.firstActionMinutes, c.firstActionAt, c.firstActionDueAt, c.firstActionAtRiskAt),
    resolution: target(policy.resolutionMinutes, c.resolvedAt, c.resolutionDueAt, c.resolutionAtRiskAt),
  };
}

const RANK: Record<OpenSlaState, number> = { ok: 0, at_risk: 1, breached: 2 };

export function isDone(state: SlaState): state is DoneSlaState {
  return state === 'met' || state === 'missed';
}

/**
 * The state to record after `stored`, given the state computed now: open states only move forward,
 * a completion is recorded once, and a recorded met/missed is final.
 */
export function nextState(stored: SlaState, computed: SlaState): SlaState {
  if (isDone(stored)) return stored;
  if (isDone(computed)) return computed;
  return RANK[computed] > RANK[stored] ? computed : stored;
}

/** A stored state column value; anything unexpected reads as "ok", so the scan re-derives it. */
export function parseSlaState(value: string): SlaState {
  return value === 'at_risk' || value === 'breached' || value === 'met' || value === 'missed' ? value : 'ok';
}
