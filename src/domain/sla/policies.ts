import type { Tx } from '../../db/client';
import { AppError } from '../../errors';
import { addBusinessTime, type BusinessCalendar, parseCalendar } from './calendar';

export type SlaPolicy = {
  id: number;
  queueId: number;
  priority: string;
  version: number;
  firstActionMinutes: number;
  resolutionMinutes: number;
  atRiskPercent: number;
  calendar: BusinessCalendar;
};

export type DueTimes = { firstActionDueAt: Date; resolutionDueAt: Date };

/**
 * The policies in force for each queue and priority: the highest version whose effective_from
 * has passed. Loaded per intake batch, so a new version applies to the next case without a restart.
 */
export class PolicyBook {
  private constructor(private readonly byKey: Map<string, SlaPolicy>) {}

  static async load(db: Tx, at: Date): Promise<PolicyBook> {
    const rows = await db.slaPolicy.findMany({
      where: { effectiveFrom: { lte: at } },
      include: { calendar: { include: { holidays: true } } },
      orderBy: [{ queueId: 'asc' }, { priority: 'asc' }, { version: 'desc' }],
    });
    const calendars = new Map<number, BusinessCalendar>();
    const byKey = new Map<string, SlaPolicy>();
    for (const r of rows) {
      const key = `${r.queueId}:${r.priority}`;
      if (byKey.has(key)) continue; // a lower version of one already taken
      let calendar = calendars.get(r.calendarId);
      if (!calendar) {
        calendar = parseCalendar({
          timezone: r.calendar.timezone,
          alwaysOpen: r.calendar.alwaysOpen,
          hours: r.calendar.hours,
          holidays: r.calendar.holidays,
        });
        calendars.set(r.calendarId, calendar);
      }
      byKey.set(key, {
        id: r.id,
        queueId: r.queueId,
        priority: r.priority,
        version: r.version,
        firstActionMinutes: r.firstActionMinutes,
        resolutionMinutes: r.resolutionMinutes,
        atRiskPercent: r.atRiskPercent,
        calendar,
      });
    }
    return new PolicyBook(byKey);
  }

  /** The queue's policy for the priority, else its `normal` policy. */
  policyFor(queueId: number, priority: string): SlaPolicy {
    const policy = this.byKey.get(`${queueId}:${priority}`) ?? this.byKey.get(`${queueId}:normal`);
    if (!policy) throw new AppError('conflict', `queue ${queueId} has no SLA policy for priority ${priority} (nor a normal one)`);
    return policy;
  }

  hasPolicy(queueId: number): boolean {
    for (const p of this.byKey.values()) if (p.queueId === queueId) return true;
    return false;
  }
}

export function dueTimes(policy: SlaPolicy, openedAt: Date): DueTimes {
  return {
    firstActionDueAt: addBusinessTime(openedAt, policy.firstActionMinutes * 60_000, policy.calendar),
    resolutionDueAt: addBusinessTime(openedAt, policy.resolutionMinutes * 60_000, policy.calendar),
  };
}
