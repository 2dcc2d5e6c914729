/**
 * The copyright calendar as stored: its zone (TRUSTOPS_COPYRIGHT_TIMEZONE) and the days admins closed
 * (`/trustops copyright holiday add|list|remove`, table copyright_holidays). Federal holidays come from
 * the calendar module (date-holidays), never from rows here.
 *
 * A closed day added or removed moves the window of every pending dispute whose window it falls in:
 * those windows are recomputed and their cards edited, in the same transaction.
 */
import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { addDays } from '../time';
import {
  type ClosedDay,
  type CopyrightCalendar,
  closureOf,
  copyrightCalendar,
  DEFAULT_COPYRIGHT_TIMEZONE,
  parseClosedDay,
} from './calendar';
import { rewindowPendingDisputes } from './dispute-card';

export const HOLIDAY_ADD_EXAMPLE = '/trustops copyright holiday add 2026-12-24 "Office closed"';
export const HOLIDAY_REMOVE_EXAMPLE = '/trustops copyright holiday remove 2026-12-24';

type CalendarDeps = Pick<DomainDeps, 'copyrightTimeZone'>;

const dateOf = (d: Date) => d.toISOString().slice(0, 10);
const dbDate = (date: string) => new Date(`${date}T00:00:00.000Z`);

export const copyrightZone = (deps: CalendarDeps): string => deps.copyrightTimeZone ?? DEFAULT_COPYRIGHT_TIMEZONE;

/** The days admins closed, oldest first. */
export async function closedDays(db: Pick<Tx, 'copyrightHoliday'>): Promise<ClosedDay[]> {
  const rows = await db.copyrightHoliday.findMany({ orderBy: { date: 'asc' } });
  return rows.map((r) => ({ date: dateOf(r.date), name: r.name }));
}

/** The copyright calendar with the closed days as the database has them now (inside `tx` when given). */
export async function loadCopyrightCalendar(
  deps: CalendarDeps & { db: Pick<Tx, 'copyrightHoliday'> },
  tx?: Tx,
): Promise<CopyrightCalendar> {
  return copyrightCalendar({ timeZone: copyrightZone(deps), closedDays: await closedDays(tx ?? deps.db) });
}

export type ClosedDayChange = { date: string; name: string; changed: boolean; alreadyClosedBy?: string; disputesMoved: number };

const LOCK_CALENDAR = `SELECT pg_advisory_xact_lock(hashtext('trustops:copyright-calendar'))`;

/** Closes a day on the copyright calendar (admins). A day closed already (weekend, federal holiday, admin) changes nothing. */
export async function addClosedDay(deps: DomainDeps, input: { actor: Actor; words: readonly string[] }): Promise<ClosedDayChange> {
  await requireRole(deps, input.actor, 'admin', 'change the copyright calendar');
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    // One calendar change at a time: two admins adding days recompute windows one after the other.
    await tx.$executeRawUnsafe(LOCK_CALENDAR);
    const cal = await loadCopyrightCalendar(deps, tx);
    const day = parseClosedDay(cal, input.words);
    if (day.alreadyClosedBy !== undefined) {
      return { date: day.date, name: day.name, changed: false, alreadyClosedBy: day.alreadyClosedBy, disputesMoved: 0 };
    }
    await tx.copyrightHoliday.create({ data: { date: dbDate(day.date), name: day.name, addedBy: input.actor.id, createdAt: now } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright.holiday.add',
      entityType: 'copyright_holiday',
      entityId: day.date,
      after: { date: day.date, name: day.name },
      at: now,
    });
    const moved = await rewindowPendingDisputes(tx, deps, await loadCopyrightCalendar(deps, tx), day.date, now);
    return { date: day.date, name: day.name, changed: true, disputesMoved: moved };
  }, TX_OPTIONS);
  if (result.disputesMoved > 0) {
    deps.alertsQueued();
    deps.escalationsChanged();
  }
  return result;
}

/** Opens again a day an admin closed. Weekends and federal holidays cannot be removed. */
export async function removeClosedDay(deps: DomainDeps, input: { actor: Actor; date: string | undefined }): Promise<ClosedDayChange> {
  await requireRole(deps, input.actor, 'admin', 'change the copyright calendar');
  const date = input.date ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw badInput('Give the closed day to remove as YYYY-MM-DD.', HOLIDAY_REMOVE_EXAMPLE);
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(LOCK_CALENDAR);
    const cal = await loadCopyrightCalendar(deps, tx);
    const name = cal.closedDays.get(date);
    if (name === undefined) {
      const closure = closureOf(cal, date);
      throw new AppError(
        'not_found',
        closure
          ? `${date} is closed as ${closure}, which no admin added; only days added with \`holiday add\` can be removed.`
          : `${date} is not a closed day on the copyright calendar.`,
        '/trustops copyright holiday list',
      );
    }
    await tx.copyrightHoliday.delete({ where: { date: dbDate(date) } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright.holiday.remove',
      entityType: 'copyright_holiday',
      entityId: date,
      before: { date, name },
      at: now,
    });
    const moved = await rewindowPendingDisputes(tx, deps, await loadCopyrightCalendar(deps, tx), date, now);
    return { date, name, changed: true, disputesMoved: moved };
  }, TX_OPTIONS);
  if (result.disputesMoved > 0) {
    deps.alertsQueued();
    deps.escalationsChanged();
  }
  return result;
}

export type CalendarListing = {
  timeZone: string;
  /** Admin-closed days from a year ago on. */
  closed: ClosedDay[];
  /** Federal holidays (as observed) in the coming year, for reference. */
  federal: ClosedDay[];
};

/** What `holiday list` shows: the admin days and the federal holidays of the next twelve months. */
export async function listClosedDays(deps: DomainDeps): Promise<CalendarListing> {
  const cal = await loadCopyrightCalendar(deps);
  const today = dateOf(deps.clock.now());
  const since = addDays(today, -366);
  const until = addDays(today, 366);
  const federal: ClosedDay[] = [];
  for (let d = today; d <= until; d = addDays(d, 1)) {
    const why = closureOf(cal, d);
    if (why && !['Saturday', 'Sunday'].includes(why) && !cal.closedDays.has(d)) federal.push({ date: d, name: why });
  }
  return {
    timeZone: cal.timeZone,
    closed: [...cal.closedDays].filter(([d]) => d >= since).map(([date, name]) => ({ date, name })),
    federal,
  };
}
