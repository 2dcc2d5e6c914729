/**
 * The repeat-infringer policy (§512(i)(1)(A)) as data: one row, `strikes` in `window_days`. A takedown
 * that takes an account to the threshold raises a sev2 escalation ("terminate account X: N strikes")
 * on the account's most recent copyright case, decided with the usual approval flow; its approval
 * records an `account_banned` decision with policy `ip_infringement` and a repeat-infringer reason.
 */
import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import type { CaseStatus } from '../../generated/prisma/client';
import { enqueueAlerts } from '../alerts/outbox';
import type { Actor, DomainDeps } from '../deps';
import { escalationAlert, escalationCardData, SEVERITY_RULES } from '../escalations/escalations';
import { requireRole } from '../roles/roles';
import { crossesThreshold, DEFAULT_STRIKE_POLICY, parseStrikePolicy, type Strike, type StrikePolicy } from './strikes';

export const TERMINATION_SEVERITY = 'sev2';
const DAY_MS = 86_400_000;

export async function strikePolicy(db: Tx): Promise<StrikePolicy> {
  const row = await db.copyrightPolicy.findUnique({ where: { id: 1 } });
  return row ? { strikes: row.strikes, windowDays: row.windowDays } : DEFAULT_STRIKE_POLICY;
}

/** `/trustops copyright policy strikes:<n> window:<days>` (admins). */
export async function setStrikePolicy(
  deps: DomainDeps,
  input: { actor: Actor; words: readonly string[] },
): Promise<{ before: StrikePolicy; after: StrikePolicy }> {
  await requireRole(deps, input.actor, 'admin', 'change the repeat-infringer policy');
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const before = await strikePolicy(tx);
    const after = parseStrikePolicy(input.words, before);
    await tx.copyrightPolicy.upsert({
      where: { id: 1 },
      create: { id: 1, strikes: after.strikes, windowDays: after.windowDays, updatedBy: input.actor.id, updatedAt: now },
      update: { strikes: after.strikes, windowDays: after.windowDays, updatedBy: input.actor.id, updatedAt: now },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'copyright_policy.set',
      entityType: 'copyright_policy',
      entityId: '1',
      before,
      after,
      at: now,
    });
    return { before, after };
  }, TX_OPTIONS);
}

/** The strikes of these accounts, in the shape strikes.ts counts (removed ones marked, not dropped). */
async function strikesOf(tx: Tx, accounts: readonly string[]): Promise<Strike[]> {
  const rows = await tx.copyrightStrike.findMany({ where: { accountId: { in: [...accounts] } } });
  return rows.map((r) => ({
    accountId: r.accountId,
    noticeId: r.noticeId,
    at: r.createdAt,
    state: r.removedReason === 'retracted' ? 'retracted' : r.removedReason === 'restored' ? 'restored' : 'active',
  }));
}

const ACCOUNT_LOCK_CLASS = 0x6372; // 'cr'

/**
 * Serializes everything that strikes an account and counts its strikes (takedowns of different notices
 * naming it), so each sees the other's strike and the threshold is crossed exactly once. Taken in one
 * order (ascending key) by every caller: no deadlocks. Call before inserting the strikes.
 */
export async function lockStrikeAccounts(tx: Tx, accounts: readonly string[]): Promise<void> {
  if (accounts.length === 0) return;
  await tx.$queryRawUnsafe(
    `SELECT count(pg_advisory_xact_lock(${ACCOUNT_LOCK_CLASS}, k))
       FROM (SELECT DISTINCT hashtext(a) AS k FROM unnest($1::text[]) AS a ORDER BY 1) keys`,
    accounts,
  );
}

export const terminationReason = (count: number, policy: StrikePolicy) =>
  `Repeat infringer: ${count} copyright strikes within ${policy.windowDays} days (policy: ${policy.strikes} in ${policy.windowDays} days)`;

/**
 * After a takedown struck these accounts (inside its transaction): each account the new strike takes
 * to the threshold gets a termination escalation on its most recent copyright case. Returns the
 * escalations raised.
 */
export async function raiseTerminations(
  tx: Tx,
  deps: DomainDeps,
  input: { noticeId: number; accounts: readonly string[]; at: Date; actor: Actor },
): Promise<{ accountId: string; escalationId: number; count: number }[]> {
  if (input.accounts.length === 0) return [];
  const policy = await strikePolicy(tx);
  const all = await strikesOf(tx, input.accounts);
  const raised: { accountId: string; escalationId: number; count: number }[] = [];
  for (const accountId of input.accounts) {
    const strike: Strike = { accountId, noticeId: input.noticeId, at: input.at, state: 'active' };
    const own = all.filter((s) => s.accountId === accountId);
    if (!crossesThreshold(own, policy, strike)) continue;
    // One termination in flight per account: a pending one already asks the question.
    const open = await tx.$queryRawUnsafe<{ id: number }[]>(
      `SELECT e.id FROM copyright_terminations t JOIN escalations e ON e.id = t.escalation_id
        WHERE t.account_id = $1 AND e.status = 'pending' LIMIT 1`,
      accountId,
    );
    if (open.length) continue;
    const from = new Date(input.at.getTime() - policy.windowDays * DAY_MS);
    const count = own.filter((s) => s.state === 'active' && s.at > from && s.at <= input.at).length;
    const [latest] = await tx.$queryRawUnsafe<{ case_id: number; status: CaseStatus }[]>(
      `SELECT c.id AS case_id, c.status::text AS status
         FROM copyright_notice_items i JOIN cases c ON c.id = i.case_id
        WHERE i.account_id = $1 ORDER BY i.taken_down_at DESC NULLS LAST, c.opened_at DESC, c.id DESC LIMIT 1 FOR UPDATE OF c`,
      accountId,
    );
    if (!latest) continue;
    const pending = await tx.escalation.findFirst({ where: { caseId: latest.case_id, status: 'pending' } });
    if (pending) continue;
    const rules = SEVERITY_RULES[TERMINATION_SEVERITY];
    const reason = `Terminate account ${accountId}: ${count} strikes in ${policy.windowDays} days (repeat-infringer policy ${policy.strikes} in ${policy.windowDays} days)`;
    const escalation = await tx.escalation.create({
      data: {
        caseId: latest.case_id,
        source: 'manual',
        severity: TERMINATION_SEVERITY,
        reason,
        requestedBy: 'system',
        requiredApprovals: rules.quorum,
        deadlineAt: new Date(input.at.getTime() + rules.deadlineHours * 3600_000),
        caseStatusBefore: latest.status === 'escalated' ? 'in_review' : latest.status,
        createdAt: input.at,
      },
    });
    await tx.copyrightTermination.create({
      data: { accountId, escalationId: escalation.id, caseId: latest.case_id, strikeCount: count, createdAt: input.at },
    });
    await tx.case.update({ where: { id: latest.case_id }, data: { status: 'escalated', updatedAt: input.at } });
    await enqueueAlerts(
      tx,
      [escalationAlert(escalation.id, 'card', 'escalation', deps.channels.escalation, await escalationCardData(tx, escalation.id))],
      input.at,
    );
    await recordAudit(tx, {
      actor: 'system',
      origin: 'system',
      action: 'escalation.raise',
      entityType: 'case',
      entityId: String(latest.case_id),
      before: { status: latest.status },
      after: {
        status: 'escalated',
        escalationId: escalation.id,
        severity: TERMINATION_SEVERITY,
        accountId,
        strikes: count,
        cause: input.actor.id,
      },
      at: input.at,
    });
    raised.push({ accountId, escalationId: escalation.id, count });
  }
  return raised;
}

/**
 * Called by the approval flow when an escalation is approved (inside its transaction): a
 * repeat-infringer termination records the account_banned decision on its case.
 */
export async function onTerminationApproved(tx: Tx, input: { escalationId: number; actor: Actor; at: Date }): Promise<number | undefined> {
  const t = await tx.copyrightTermination.findUnique({ where: { escalationId: input.escalationId } });
  if (!t || t.decisionId !== null) return undefined;
  const policy = await strikePolicy(tx);
  const decision = await tx.decision.create({
    data: {
      caseId: t.caseId,
      action: 'account_banned',
      policy: 'ip_infringement',
      actorType: 'internal_analyst',
      actorId: input.actor.id,
      reason: terminationReason(t.strikeCount, policy),
      decidedAt: input.at,
      createdAt: input.at,
    },
  });
  await tx.copyrightTermination.update({ where: { id: t.id }, data: { decisionId: decision.id } });
  await recordAudit(tx, {
    actor: input.actor.id,
    origin: input.actor.origin,
    action: 'decision.record',
    entityType: 'case',
    entityId: String(t.caseId),
    after: {
      decisionId: decision.id,
      action: 'account_banned',
      policy: 'ip_infringement',
      accountId: t.accountId,
      reason: decision.reason,
    },
    at: input.at,
  });
  return decision.id;
}
