/**
 * Copyright notices in (17 U.S.C. §512(c)(3)): recorded whether complete or not, idempotent on
 * external_id like every intake. A complete notice opens (or joins) a case per item on the copyright
 * queue and posts a notice card; an incomplete one posts a card saying what to ask the sender for.
 * ingestNotices writes a batch of notices set-based (the API's batch of one); the CSV import stages the
 * file and writes the same rows with a few statements over it (notices-import.ts, notices-stage.ts).
 */
import { TX_OPTIONS, type Tx } from '../../db/client';
import { storable } from '../../db/repositories/audit';
import { enqueueAlerts, type NewAlert } from '../alerts/outbox';
import type { Actor, DomainDeps } from '../deps';
import { cachedIntakeContext, type IntakeContext } from '../intake/context';
import { lockBucket, lockIntakeBuckets } from '../intake/locks';
import { type IntakeItem, ingestReports } from '../intake/reports';
import type { RouteCriteria, Router } from '../intake/routing';
import { bodyHash, type FieldError } from '../intake/schemas';
import type { CardItem, CardSender, IncompleteNoticeCardData, NoticeCardData } from './cards';
import {
  COPYRIGHT_QUEUE,
  COPYRIGHT_REPORT_TYPE,
  claimantOf,
  copyrightTarget,
  noticeLockKeys,
  reportExternalId,
  reportHash,
  surfaceErrors,
} from './notice-rows';
import { CARD_ITEM_LIMIT, noticeCardKey } from './notices-cards';
import { checkNotice, type NoticeCheck, type NoticeInput, validateNotice } from './schemas';

export const NOTICE_CARD_KIND = 'copyright_notice';
export const INCOMPLETE_NOTICE_CARD_KIND = 'copyright_notice_incomplete';
// Shared with the CSV import's worker (notice-rows.ts holds what it needs without the database).
export { COPYRIGHT_QUEUE, COPYRIGHT_REPORT_TYPE, claimantOf, surfaceErrors } from './notice-rows';

/** The API's answer for a notice; a replay answers the same. */
export type NoticeReceipt = {
  id: number;
  external_id: string;
  status: 'received' | 'incomplete';
  missing: string[];
  items: { content_ref: string; case_id: number | null }[];
};

export type NoticeOutcome =
  | { status: 'created' | 'replayed'; receipt: NoticeReceipt }
  | { status: 'conflict'; message: string }
  | { status: 'invalid'; errors: FieldError[] };

export type NoticeItemIn = { input: NoticeInput; hash: string; check: NoticeCheck };

/** Validates a body as the API takes it: every field error, or the input with its completeness check. */
export function checkNoticeBody(
  ctx: Pick<IntakeContext, 'surfaces'>,
  raw: unknown,
  now: Date,
): { item: NoticeItemIn } | { errors: FieldError[] } {
  const checked = validateNotice(raw, now);
  if ('errors' in checked) {
    // Surfaces are checked too when the rest fails, so one answer names every mistake.
    const body = raw && typeof raw === 'object' ? (raw as { items?: unknown }) : {};
    const extra = Array.isArray(body.items)
      ? body.items.flatMap((i, k) => {
          const s = i && typeof i === 'object' ? (i as { surface?: unknown }).surface : undefined;
          return typeof s === 'string' && s.trim() && !ctx.surfaces.has(s.trim())
            ? [{ path: `items.${k}.surface`, message: `unknown surface; known: ${[...ctx.surfaces.keys()].sort().join(', ')}` }]
            : [];
        })
      : [];
    return { errors: [...checked.errors, ...extra] };
  }
  const unknown = surfaceErrors(ctx, checked.data);
  if (unknown.length) return { errors: unknown };
  return { item: { input: checked.data, hash: bodyHash(raw), check: checkNotice(checked.data) } };
}

/** Intake context whose routing sends copyright reports that no rule claims to the copyright queue. */
export async function copyrightContext(tx: Tx, ctx: IntakeContext): Promise<IntakeContext> {
  const found = await tx.queue.findUnique({ where: { key: COPYRIGHT_QUEUE }, select: { id: true } });
  if (!found) return ctx;
  const queue = found.id;
  const router = {
    rules: ctx.router.rules,
    route: (r: RouteCriteria) => copyrightTarget((c) => ctx.router.route(c), queue, r),
  } as unknown as Router;
  return { ...ctx, router };
}

const senderOf = (s: NoticeInput['sender']): CardSender => ({
  name: s.name,
  kind: s.kind,
  ...(s.organization ? { organization: s.organization } : {}),
  ...(s.email ? { email: s.email } : {}),
  ...(s.address ? { address: s.address } : {}),
  ...(s.phone ? { phone: s.phone } : {}),
});

/**
 * Records a batch of validated notices. The caller holds the transaction and the intake locks of
 * their external ids and content references (see noticeLockBuckets).
 */
export async function ingestNotices(
  tx: Tx,
  ctx: IntakeContext,
  batch: readonly NoticeItemIn[],
  /** cards 'none': no card per notice (a CSV import posts one summary card instead). */
  opts: { actor: Actor; copyrightChannel: string; audit: 'each' | 'none'; cards?: 'each' | 'none' },
): Promise<NoticeOutcome[]> {
  const now = ctx.now;
  const outcomes: (NoticeOutcome | undefined)[] = new Array(batch.length);

  // 1. Replays and conflicts, against the database and within the batch.
  const existing = await tx.$queryRawUnsafe<{ external_id: string; body_hash: string | null; id: number }[]>(
    'SELECT external_id, body_hash, id FROM copyright_notices WHERE external_id = ANY($1::text[])',
    batch.map((b) => b.input.external_id),
  );
  const known = new Map(existing.map((r) => [r.external_id, r]));
  const firstInBatch = new Map<string, number>();
  const fresh: number[] = [];
  const replays: number[] = [];
  batch.forEach((b, idx) => {
    const prior = known.get(b.input.external_id);
    const earlier = firstInBatch.get(b.input.external_id);
    const priorHash = prior ? prior.body_hash : earlier !== undefined ? batch[earlier]!.hash : undefined;
    if (priorHash !== undefined && priorHash !== b.hash) {
      outcomes[idx] = {
        status: 'conflict',
        message: `external_id ${b.input.external_id} was already received with a different body`,
      };
    } else if (prior === undefined && earlier === undefined) {
      firstInBatch.set(b.input.external_id, idx);
      fresh.push(idx);
    } else replays.push(idx);
  });

  if (fresh.length) {
    const rows = fresh.map((idx) => batch[idx]!);
    // 2. The notices.
    const inserted = await tx.$queryRawUnsafe<{ id: number; external_id: string }[]>(
      `INSERT INTO copyright_notices (external_id, body_hash, claimant, claimant_contact, sender_name, sender_organization, sender_email,
                                      sender_address, sender_phone, sender_kind, work, item_count, signature, good_faith,
                                      accurate_and_authorized, elements_present, missing_elements, detection_source, account_id,
                                      status, received_at, created_at)
       SELECT ext, h, cl, cc, sn, so, se, sa, sp, sk::"SenderKind", w, ic, sig, gf, aa,
              string_to_array(ep, ','), string_to_array(me, ','), sk, acc, st::"NoticeStatus", ra, $21::timestamptz
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::int[], $13::text[], $14::bool[], $15::bool[], $16::text[], $17::text[],
                     $18::text[], $19::text[], $20::timestamptz[])
              AS t(ext, h, cl, cc, sn, so, se, sa, sp, sk, w, ic, sig, gf, aa, ep, me, acc, st, ra)
       RETURNING id, external_id`,
      rows.map((r) => r.input.external_id),
      rows.map((r) => r.hash),
      rows.map((r) => storable(claimantOf(r.input.sender))),
      rows.map((r) => storable(r.input.sender.email ?? r.input.sender.phone ?? r.input.sender.address ?? null)),
      rows.map((r) => storable(r.input.sender.name)),
      rows.map((r) => storable(r.input.sender.organization ?? null)),
      rows.map((r) => storable(r.input.sender.email ?? null)),
      rows.map((r) => storable(r.input.sender.address ?? null)),
      rows.map((r) => storable(r.input.sender.phone ?? null)),
      rows.map((r) => r.input.sender.kind),
      rows.map((r) => storable(r.input.work ?? null)),
      rows.map((r) => r.input.items?.length ?? 0),
      rows.map((r) => storable(r.input.signature ?? null)),
      rows.map((r) => r.input.good_faith === true),
      rows.map((r) => r.input.accurate_and_authorized === true),
      rows.map((r) => r.check.present.join(',')),
      rows.map((r) => r.check.missing.join(',')),
      // One account named on every item: the notice's account (the seed's column), else none.
      rows.map((r) => {
        const accounts = new Set((r.input.items ?? []).map((i) => i.account_id));
        return accounts.size === 1 ? ([...accounts][0] ?? null) : null;
      }),
      rows.map((r) => (r.check.complete ? 'received' : 'incomplete')),
      rows.map((r) => r.input.received_at.toISOString()),
      now.toISOString(),
    );
    const idOf = new Map(inserted.map((r) => [r.external_id, r.id]));

    // 3. Complete notices open (or join) a case per item, through a copyright report per item.
    const complete = rows.filter((r) => r.check.complete);
    const reportItems: IntakeItem[] = [];
    const reportOwner: { notice: string; position: number }[] = [];
    for (const r of complete) {
      (r.input.items ?? []).forEach((item, position) => {
        reportItems.push({
          input: {
            external_id: reportExternalId(r.input.external_id, position),
            surface: item.surface,
            report_type: COPYRIGHT_REPORT_TYPE,
            category: 'ip_infringement',
            content_ref: item.content_ref,
            received_at: r.input.received_at,
          },
          hash: reportHash(r.hash, position),
        });
        reportOwner.push({ notice: r.input.external_id, position });
      });
    }
    const caseOf = new Map<string, { caseId: number; dueAt: string }>();
    if (reportItems.length) {
      const reportOutcomes = await ingestReports(tx, await copyrightContext(tx, ctx), reportItems);
      reportOutcomes.forEach((o, k) => {
        if (o.status === 'conflict') return;
        const owner = reportOwner[k]!;
        caseOf.set(`${owner.notice}\u0001${owner.position}`, { caseId: o.receipt.case_id, dueAt: o.receipt.first_action_due_at });
      });
    }

    // 4. The items, with their cases.
    const items = rows.flatMap((r) =>
      (r.input.items ?? []).map((item, position) => ({
        noticeId: idOf.get(r.input.external_id)!,
        position,
        item,
        caseId: caseOf.get(`${r.input.external_id}\u0001${position}`)?.caseId ?? null,
      })),
    );
    if (items.length) {
      await tx.$executeRawUnsafe(
        `INSERT INTO copyright_notice_items (notice_id, position, content_ref, surface, account_id, case_id)
         SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[])`,
        items.map((i) => i.noticeId),
        items.map((i) => i.position),
        items.map((i) => i.item.content_ref),
        items.map((i) => i.item.surface),
        items.map((i) => storable(i.item.account_id ?? null)),
        items.map((i) => i.caseId),
      );
    }

    // 5. Cards, and the receipts.
    const alerts: NewAlert[] = [];
    const audits: { id: number; after: unknown }[] = [];
    for (const idx of fresh) {
      const r = batch[idx]!;
      const id = idOf.get(r.input.external_id)!;
      const list = r.input.items ?? [];
      const receiptItems = list.map((item, position) => ({
        content_ref: item.content_ref,
        case_id: caseOf.get(`${r.input.external_id}\u0001${position}`)?.caseId ?? null,
      }));
      const receipt: NoticeReceipt = {
        id,
        external_id: r.input.external_id,
        status: r.check.complete ? 'received' : 'incomplete',
        missing: [...r.check.missing],
        items: receiptItems,
      };
      outcomes[idx] = { status: 'created', receipt };
      audits.push({
        id,
        after: { external_id: r.input.external_id, status: receipt.status, missing: receipt.missing, items: list.length },
      });
      const sender = senderOf(r.input.sender);
      if (r.check.complete) {
        const dues = list.map((_, p) => caseOf.get(`${r.input.external_id}\u0001${p}`)?.dueAt).filter((d): d is string => !!d);
        const card: NoticeCardData = {
          noticeId: id,
          externalId: r.input.external_id,
          sender,
          work: r.input.work ?? '',
          items: list
            .slice(0, CARD_ITEM_LIMIT)
            .map(
              (i): CardItem => ({ contentRef: i.content_ref, surface: i.surface, ...(i.account_id ? { accountId: i.account_id } : {}) }),
            ),
          itemCount: list.length,
          accounts: [...new Set(list.map((i) => i.account_id).filter((a): a is string => !!a))].sort(),
          receivedAt: r.input.received_at.toISOString(),
          ...(dues.length ? { sla: { dueAt: dues.sort()[0]!, state: 'ok' as const } } : {}),
          status: 'open',
        };
        alerts.push(noticeAlert(id, NOTICE_CARD_KIND, opts.copyrightChannel, card));
      } else {
        const card: IncompleteNoticeCardData = {
          noticeId: id,
          externalId: r.input.external_id,
          sender,
          ...(r.input.work ? { work: r.input.work } : {}),
          itemCount: list.length,
          receivedAt: r.input.received_at.toISOString(),
          missing: r.check.missing,
          outreach: r.check.outreach as IncompleteNoticeCardData['outreach'],
          infoRequests: [],
        };
        alerts.push(noticeAlert(id, INCOMPLETE_NOTICE_CARD_KIND, opts.copyrightChannel, card));
      }
    }
    if (opts.cards !== 'none') await enqueueAlerts(tx, alerts, now);
    if (opts.audit === 'each' && audits.length) {
      await tx.$executeRawUnsafe(
        `INSERT INTO audit_events (actor, action, entity_type, entity_id, after, origin, created_at)
         SELECT $1, 'copyright_notice.receive', 'copyright_notice', e, a, $4, $5::timestamptz
           FROM unnest($2::text[], $3::jsonb[]) AS t(e, a)`,
        opts.actor.id,
        audits.map((a) => String(a.id)),
        audits.map((a) => JSON.stringify(storable(a.after))),
        opts.actor.origin === 'cli' ? 'cli' : 'api',
        now.toISOString(),
      );
    }
  }

  // 6. Replays answer what the first submission answered.
  if (replays.length) {
    const receipts = await noticeReceipts(
      tx,
      replays.map((idx) => batch[idx]!.input.external_id),
    );
    for (const idx of replays) {
      const receipt = receipts.get(batch[idx]!.input.external_id);
      outcomes[idx] = receipt
        ? { status: 'replayed', receipt }
        : { status: 'conflict', message: `external_id ${batch[idx]!.input.external_id} is being recorded; send it again` };
    }
  }
  return outcomes as NoticeOutcome[];
}

function noticeAlert(noticeId: number, kind: string, channel: string, card: object): NewAlert {
  return {
    kind,
    dedupeKey: noticeCardKey(noticeId),
    channel,
    message: card as Record<string, unknown>,
    entityType: 'copyright_notice',
    entityId: String(noticeId),
  };
}

/** The receipts of recorded notices, as first answered (status complete or incomplete, items with their cases). */
async function noticeReceipts(tx: Tx, externalIds: readonly string[]): Promise<Map<string, NoticeReceipt>> {
  const rows = await tx.$queryRawUnsafe<
    { id: number; external_id: string; missing: string[]; items: { content_ref: string; case_id: number | null }[] | null }[]
  >(
    `SELECT n.id, n.external_id, n.missing_elements AS missing,
            (SELECT json_agg(json_build_object('content_ref', i.content_ref, 'case_id', i.case_id) ORDER BY i.position)
               FROM copyright_notice_items i WHERE i.notice_id = n.id) AS items
       FROM copyright_notices n WHERE n.external_id = ANY($1::text[])`,
    externalIds,
  );
  return new Map(
    rows.map((r) => [
      r.external_id,
      {
        id: r.id,
        external_id: r.external_id,
        status: r.missing.length ? 'incomplete' : 'received',
        missing: r.missing,
        items: r.items ?? [],
      },
    ]),
  );
}

/** The intake locks a batch of notices takes: their external ids and every item's content reference. */
export function noticeLockBuckets(batch: readonly NoticeItemIn[]): number[] {
  return batch.flatMap((b) => noticeLockKeys(b.input, b.check).map(lockBucket));
}

/** POST /api/v1/copyright/notices: one notice, recorded complete or incomplete. */
export async function submitNotice(deps: DomainDeps, actor: Actor, raw: unknown): Promise<NoticeOutcome> {
  const now = deps.clock.now();
  const ctx = await cachedIntakeContext(deps.db, now, deps.channels.triage);
  const checked = checkNoticeBody(ctx, raw, now);
  if ('errors' in checked) return { status: 'invalid', errors: checked.errors };
  const outcome = await deps.db.$transaction(async (tx) => {
    await lockIntakeBuckets(tx, noticeLockBuckets([checked.item]));
    const [result] = await ingestNotices(tx, { ...ctx, now }, [checked.item], {
      actor,
      copyrightChannel: deps.channels.copyright,
      audit: 'each',
    });
    return result!;
  }, TX_OPTIONS);
  if (outcome.status === 'created') deps.alertsQueued();
  return outcome;
}
