/**
 * Reading disputes: one with its timeline (`/trustops copyright dispute <id>`) and the open ones for
 * App Home (soonest latest restore date first). Analysts and above: both name accounts and content
 * references.
 */
import { AppError, badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { parseId } from '../ids';
import { hasRole, type RoleName, requireRole } from '../roles/roles';
import { disputeClock } from './calendar';
import type { DisputeCardData } from './cards';
import { calendarOf, disputeCardData, disputeRows, storedWindow } from './dispute-card';
import { loadCopyrightCalendar } from './holidays';

export const DISPUTE_EXAMPLE = '/trustops copyright dispute 12';

export type TimelineEntry = { at: string; actor: string; action: string; details: Record<string, unknown> };

export type DisputeDetail = { card: DisputeCardData; timeline: TimelineEntry[]; cardLink?: { channel: string; ts: string } };

/** One dispute, as its card shows it now, with every recorded step (oldest first). */
export async function disputeDetail(deps: DomainDeps, input: { actor: Actor; id: string | undefined }): Promise<DisputeDetail> {
  await requireRole(deps, input.actor, 'analyst', 'see copyright disputes');
  const id = parseId(input.id);
  if (id === undefined) {
    throw badInput(
      input.id ? `\`${input.id}\` is not a counter-notice id.` : '`copyright dispute` needs a counter-notice id.',
      DISPUTE_EXAMPLE,
    );
  }
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const [row] = await disputeRows(tx, 'c.id = $1', [id]);
    if (!row) throw new AppError('not_found', `There is no counter-notice ${id}.`, DISPUTE_EXAMPLE);
    const cal = await loadCopyrightCalendar(deps, tx);
    const card = await disputeCardData(tx, cal, row, now);
    const events = await tx.auditEvent.findMany({
      where: { entityType: 'counter_notice', entityId: String(id) },
      orderBy: { id: 'asc' },
      take: 200,
    });
    const alert = await tx.alert.findUnique({
      where: { dedupeKey: `copyright:counter_notice:${id}:card` },
      select: { slackChannel: true, slackTs: true },
    });
    return {
      card,
      timeline: events.map((e) => ({
        at: e.createdAt.toISOString(),
        actor: e.actor,
        action: e.action,
        details: (e.after ?? {}) as Record<string, unknown>,
      })),
      ...(alert?.slackChannel && alert.slackTs ? { cardLink: { channel: alert.slackChannel, ts: alert.slackTs } } : {}),
    };
  });
}

export type OpenDispute = {
  counterNoticeId: number;
  externalId: string;
  noticeExternalId: string;
  claimant: string;
  accountId: string;
  itemCount: number;
  /** Absent while the counter-notice is incomplete (no clock). */
  earliest?: string;
  latest?: string;
  daysLeft?: number;
  phase?: 'waiting' | 'open' | 'overdue';
  claimantNotified: boolean;
  missing: string[];
};

export type HomeDisputes = { disputes: OpenDispute[]; more: number };

const HOME_DISPUTES = 10;

/** Open disputes for App Home (analysts and above; others get none): soonest latest date first, incomplete ones last. */
export async function homeDisputes(deps: DomainDeps, role: RoleName): Promise<HomeDisputes | undefined> {
  if (!hasRole(role, 'analyst')) return undefined;
  const now = deps.clock.now();
  const cal = await loadCopyrightCalendar(deps);
  const rows = await disputeRows(
    deps.db,
    `c.outcome IS NULL ORDER BY c.latest_restore_on ASC NULLS LAST, c.received_at ASC, c.id ASC LIMIT ${HOME_DISPUTES + 1}`,
    [],
  );
  const [{ n }] = (await deps.db.$queryRawUnsafe<{ n: number }[]>(
    'SELECT count(*)::int AS n FROM counter_notices WHERE outcome IS NULL',
  )) as [{ n: number }];
  const disputes = rows.slice(0, HOME_DISPUTES).map((r): OpenDispute => {
    const w = storedWindow(r);
    const clock = w ? disputeClock(calendarOf(cal, r), w, now) : undefined;
    return {
      counterNoticeId: r.id,
      externalId: r.external_id,
      noticeExternalId: r.notice_external_id,
      claimant: r.claimant,
      accountId: r.account_id,
      itemCount: r.items.length,
      ...(w ? { earliest: w.earliest, latest: w.latest } : {}),
      ...(clock ? { daysLeft: clock.daysLeft, phase: clock.phase } : {}),
      claimantNotified: r.claimant_notified_at !== null,
      missing: r.missing_elements,
    };
  });
  return { disputes, more: Math.max(0, n - disputes.length) };
}
