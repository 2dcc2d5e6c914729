import { ALWAYS_OPEN, type BusinessCalendar, businessElapsed, parseCalendar } from '../../../src/domain/sla/calendar';
import type { SlaPolicy } from '../../../src/domain/sla/policies';
import { atRiskTimes, caseSlaState, nextState, type SlaState, stateAt, targetInstants, targetState } from '../../../src/domain/sla/state';

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string) => new Date(iso);

// Mon–Fri 09:00–17:00 Dublin (UTC+0 in winter), Christmas Day closed. 2026-11-27 is a Friday.
const DUBLIN_9_TO_5: BusinessCalendar = parseCalendar({
  timezone: 'Europe/Dublin',
  alwaysOpen: false,
  hours: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [['09:00', '17:00']]])),
  holidays: [{ date: '2026-12-25' }],
});

function policy(over: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id: 1,
    queueId: 1,
    priority: 'normal',
    version: 1,
    firstActionMinutes: 60,
    resolutionMinutes: 240,
    atRiskPercent: 75,
    calendar: ALWAYS_OPEN,
    ...over,
  };
}

describe('one target on a 24/7 calendar (60 min, at risk at 75 %)', () => {
  const openedAt = at('2026-11-27T10:00:00Z');
  const t = { openedAt, completedAt: null, ...targetInstants(openedAt, 60, 75, ALWAYS_OPEN) };

  it('is ok, then at risk from 45 min, then breached once the due instant has passed', () => {
    expect(t.atRiskAt.toISOString()).toBe('2026-11-27T10:45:00.000Z');
    expect(t.dueAt.toISOString()).toBe('2026-11-27T11:00:00.000Z');
    expect(targetState(t, ALWAYS_OPEN, at('2026-11-27T10:44:59.999Z')).state).toBe('ok');
    expect(targetState(t, ALWAYS_OPEN, at('2026-11-27T10:45:00Z'))).toMatchObject({ state: 'at_risk', elapsedMs: 45 * MIN });
    expect(targetState(t, ALWAYS_OPEN, at('2026-11-27T11:00:00Z')).state).toBe('at_risk');
    expect(targetState(t, ALWAYS_OPEN, at('2026-11-27T11:00:00.001Z')).state).toBe('breached');
    expect(targetState(t, ALWAYS_OPEN, at('2026-11-27T11:30:00Z'))).toMatchObject({ state: 'breached', overrunMinutes: 30 });
  });

  it('is met when completed by the due instant, and missed with the overrun after it', () => {
    const now = at('2026-11-28T00:00:00Z');
    expect(targetState({ ...t, completedAt: at('2026-11-27T11:00:00Z') }, ALWAYS_OPEN, now)).toMatchObject({
      state: 'met',
      overrunMinutes: 0,
      elapsedMs: HOUR,
    });
    expect(targetState({ ...t, completedAt: at('2026-11-27T11:12:00Z') }, ALWAYS_OPEN, now)).toMatchObject({
      state: 'missed',
      overrunMs: 12 * MIN,
      overrunMinutes: 12,
      overrunWallMinutes: 12,
    });
    // A few seconds late is late: minutes round up.
    expect(targetState({ ...t, completedAt: at('2026-11-27T11:00:20Z') }, ALWAYS_OPEN, now)).toMatchObject({
      state: 'missed',
      overrunMinutes: 1,
    });
  });

  it('reads a completion as met or missed whatever the clock says', () => {
    expect(stateAt({ ...t, completedAt: at('2026-11-27T10:30:00Z') }, at('2026-11-27T10:00:00Z'))).toBe('met');
  });
});

describe('on a business-hours calendar, paused time does not count', () => {
  // Opened Friday 16:00: 1 h that day, then Monday from 09:00. 8 h → due Monday 16:00; 75 % (6 h) → Monday 14:00.
  const openedAt = at('2026-11-27T16:00:00Z');
  const instants = targetInstants(openedAt, 8 * 60, 75, DUBLIN_9_TO_5);
  const open = { openedAt, completedAt: null, ...instants };

  it('puts the instants on working hours', () => {
    expect(instants.atRiskAt.toISOString()).toBe('2026-11-30T14:00:00.000Z');
    expect(instants.dueAt.toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });

  it('stays ok over the weekend, turns at risk at 75 % of business time, breaches after the due instant', () => {
    expect(targetState(open, DUBLIN_9_TO_5, at('2026-11-29T12:00:00Z'))).toMatchObject({ state: 'ok', elapsedMs: HOUR });
    expect(targetState(open, DUBLIN_9_TO_5, at('2026-11-30T13:59:00Z')).state).toBe('ok');
    expect(targetState(open, DUBLIN_9_TO_5, at('2026-11-30T14:00:00Z'))).toMatchObject({ state: 'at_risk', elapsedMs: 6 * HOUR });
    expect(targetState(open, DUBLIN_9_TO_5, at('2026-11-30T16:00:01Z')).state).toBe('breached');
    // Tuesday 10:00: Monday 16–17 and Tuesday 09–10 count, the night does not.
    expect(targetState(open, DUBLIN_9_TO_5, at('2026-12-01T10:00:00Z'))).toMatchObject({
      state: 'breached',
      overrunMinutes: 120,
      overrunWallMinutes: 18 * 60,
    });
  });

  it('counts the overrun of a late completion in business minutes, and in wall-clock minutes beside it', () => {
    const late = targetState({ ...open, completedAt: at('2026-11-30T17:30:00Z') }, DUBLIN_9_TO_5, at('2026-12-02T00:00:00Z'));
    expect(late).toMatchObject({ state: 'missed', overrunMinutes: 60, overrunWallMinutes: 90, elapsedMs: 8 * HOUR + HOUR });
  });

  it('is at risk exactly when at least 75 % of the target has elapsed in business time', () => {
    for (let t = openedAt.getTime(); t <= instants.dueAt.getTime(); t += 17 * MIN) {
      const now = new Date(t);
      const elapsed = businessElapsed(openedAt, now, DUBLIN_9_TO_5);
      expect([now.toISOString(), stateAt({ ...open }, now)]).toEqual([now.toISOString(), elapsed >= 6 * HOUR ? 'at_risk' : 'ok']);
    }
  });

  it('skips holidays', () => {
    // Thursday 24 Dec 16:00 + 2 h: 1 h on the 24th, Christmas closed, weekend closed → Monday 28 Dec 10:00.
    const xmas = targetInstants(at('2026-12-24T16:00:00Z'), 120, 50, DUBLIN_9_TO_5);
    expect(xmas.atRiskAt.toISOString()).toBe('2026-12-24T17:00:00.000Z');
    expect(xmas.dueAt.toISOString()).toBe('2026-12-28T10:00:00.000Z');
  });
});

describe('a case', () => {
  const v1 = policy({ id: 1, version: 1, firstActionMinutes: 60, resolutionMinutes: 240 });
  const v2 = policy({ id: 2, version: 2, firstActionMinutes: 15, resolutionMinutes: 30, atRiskPercent: 50 });
  const policies = new Map([v1, v2].map((p) => [p.id, p]));
  const openedAt = at('2026-11-27T10:00:00Z');

  it('keeps the policy version it was opened under', () => {
    const c = { slaPolicyId: 1, openedAt, firstActionAt: null, resolvedAt: null };
    const state = caseSlaState(c, policies, at('2026-11-27T10:40:00Z'));
    // Under v2 both targets would be breached by now; under v1 neither is even at risk.
    expect(state).toMatchObject({ policyId: 1, policyVersion: 1, first_action: { state: 'ok' }, resolution: { state: 'ok' } });
    expect(state.first_action.dueAt.toISOString()).toBe('2026-11-27T11:00:00.000Z');
    const underV2 = caseSlaState({ ...c, slaPolicyId: 2 }, policies, at('2026-11-27T10:40:00Z'));
    expect(underV2).toMatchObject({ policyVersion: 2, first_action: { state: 'breached' }, resolution: { state: 'breached' } });
  });

  it('tracks the two targets apart', () => {
    const c = { slaPolicyId: 1, openedAt, firstActionAt: at('2026-11-27T10:50:00Z'), resolvedAt: null };
    const state = caseSlaState(c, policies, at('2026-11-27T13:30:00Z'));
    expect(state.first_action.state).toBe('met');
    expect(state.resolution.state).toBe('at_risk');
  });

  it('uses the instants stored at creation over ones recomputed from the calendar', () => {
    const c = {
      slaPolicyId: 1,
      openedAt,
      firstActionAt: null,
      resolvedAt: null,
      firstActionAtRiskAt: at('2026-11-27T12:00:00Z'),
      firstActionDueAt: at('2026-11-27T13:00:00Z'),
    };
    expect(caseSlaState(c, policies, at('2026-11-27T11:30:00Z')).first_action.state).toBe('ok');
    expect(() => caseSlaState({ ...c, slaPolicyId: 9 }, policies, openedAt)).toThrow('SLA policy 9');
  });

  it('stores at-risk instants from the policy and the calendar', () => {
    const p = policy({ firstActionMinutes: 8 * 60, resolutionMinutes: 24 * 60, calendar: DUBLIN_9_TO_5 });
    expect(atRiskTimes(p, at('2026-11-27T16:00:00Z'))).toEqual({
      firstActionAtRiskAt: at('2026-11-30T14:00:00Z'),
      // 75 % of 24 open hours = 18 h: Fri 1 h, Mon 8 h, Tue 8 h, Wed 1 h.
      resolutionAtRiskAt: at('2026-12-02T10:00:00Z'),
    });
  });
});

describe('the recorded state', () => {
  it.each<[SlaState, SlaState, SlaState]>([
    ['ok', 'at_risk', 'at_risk'],
    ['ok', 'breached', 'breached'],
    ['at_risk', 'breached', 'breached'],
    ['breached', 'at_risk', 'breached'],
    ['at_risk', 'ok', 'at_risk'],
    ['breached', 'missed', 'missed'],
    ['ok', 'met', 'met'],
    ['met', 'breached', 'met'],
    ['missed', 'met', 'missed'],
  ])('moves from %s given %s to %s', (stored, computed, expected) => {
    expect(nextState(stored, computed)).toBe(expected);
  });
});
