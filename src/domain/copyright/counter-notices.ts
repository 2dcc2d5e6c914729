/**
 * Counter-notices in (§512(g)): `POST /api/v1/copyright/counter-notices` and the CSV import kind
 * `counter-notices`. A counter-notice disputes items its notice took down; the §512(g)(3)(A)–(D)
 * elements are checked as notices' are: one missing is recorded and listed (201, `status:
 * "incomplete"`, `missing`), with a card but no restore clock. A complete one gets its window on the
 * copyright calendar and a dispute card in the copyright channel, queued in the same transaction.
 *
 * Refused with 409, naming them: a notice that took nothing down, items it did not take down (or that
 * are back up, or already disputed by a pending counter-notice), and a repeated external_id with a
 * different body. The same body again answers as the first time (200).
 */
import { TX_OPTIONS, type Tx } from '../../db/client';
import { recordAudit } from '../../db/repositories/audit';
import type { Actor, DomainDeps } from '../deps';
import type { ImportResult, RowError } from '../intake/import';
import { bodyHash, type FieldError } from '../intake/schemas';
import { type CopyrightCalendar, receiptDate, restoreWindow } from './calendar';
import { supersedeIncomplete } from './dispute-actions';
import { complaintKey, disputeRows, queueDisputeCard, storedWindow, windowColumns } from './dispute-card';
import { loadCopyrightCalendar } from './holidays';
import {
  type CopyrightCsvRecord,
  type CounterNoticeInput,
  checkCounterNotice,
  groupCopyrightRows,
  resolveCounterNoticeItems,
  validateCounterNotice,
} from './schemas';

export type CounterNoticeReceipt = {
  id: number;
  external_id: string;
  notice_external_id: string;
  status: 'pending' | 'incomplete';
  missing: string[];
  items: string[];
  restore_window: { earliest: string; latest: string; time_zone: string; opens_at: string; closes_at: string } | null;
};

export type CounterNoticeOutcome =
  | { status: 'invalid'; errors: FieldError[] }
  | { status: 'created' | 'replayed'; receipt: CounterNoticeReceipt }
  | { status: 'conflict'; message: string; items?: string[] }
  | { status: 'not_found'; path: string; message: string };

// Counter-notice intake runs one at a time: it is rare, and a notice's items must not be disputed twice at once.
const INTAKE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('trustops:counter-notice-intake'))`;

const originOf = (actor: Actor) => (actor.origin === 'cli' ? 'cli' : 'api');

/** The receipt of a stored counter-notice (the same for the first answer and every replay). */
async function receiptOf(tx: Tx, id: number): Promise<CounterNoticeReceipt> {
  const [r] = await disputeRows(tx, 'c.id = $1', [id]);
  if (!r) throw new Error(`no counter-notice ${id}`);
  const w = storedWindow(r);
  return {
    id: r.id,
    external_id: r.external_id,
    notice_external_id: r.notice_external_id,
    status: r.missing_elements.length ? 'incomplete' : 'pending',
    missing: r.missing_elements,
    items: r.items,
    restore_window: w
      ? {
          earliest: w.earliest,
          latest: w.latest,
          time_zone: w.timeZone,
          opens_at: w.opensAt.toISOString(),
          closes_at: w.closesAt.toISOString(),
        }
      : null,
  };
}

const list = (refs: readonly string[], max = 20) =>
  refs.length > max ? `${refs.slice(0, max).join(', ')} and ${refs.length - max} more` : refs.join(', ');

/**
 * Records one validated counter-notice inside the caller's transaction (which holds INTAKE_LOCK).
 * Idempotent on external_id; the hash is of the validated body, so the JSON and CSV forms of one
 * counter-notice are the same submission.
 */
async function recordCounterNotice(
  tx: Tx,
  deps: DomainDeps,
  cal: CopyrightCalendar,
  actor: Actor,
  input: CounterNoticeInput,
  now: Date,
): Promise<Exclude<CounterNoticeOutcome, { status: 'invalid' }>> {
  const hash = bodyHash(input);
  const prior = await tx.counterNotice.findUnique({ where: { externalId: input.external_id }, select: { id: true, bodyHash: true } });
  if (prior) {
    return prior.bodyHash === hash
      ? { status: 'replayed', receipt: await receiptOf(tx, prior.id) }
      : { status: 'conflict', message: `external_id ${input.external_id} was already received with a different body` };
  }
  // The notice row is locked: a takedown, retraction or restore of it waits for this counter-notice.
  const [notice] = await tx.$queryRawUnsafe<{ id: number; status: string; external_id: string }[]>(
    `SELECT id, status::text AS status, external_id FROM copyright_notices WHERE external_id = $1 FOR UPDATE`,
    input.notice_external_id,
  );
  if (!notice) return { status: 'not_found', path: 'notice_external_id', message: `no copyright notice ${input.notice_external_id}` };
  const items = await tx.copyrightNoticeItem.findMany({
    where: { noticeId: notice.id },
    select: { contentRef: true, takenDownAt: true, restoredAt: true },
    orderBy: { position: 'asc' },
  });
  const down = items.filter((i) => i.takenDownAt && !i.restoredAt).map((i) => i.contentRef);
  if (down.length === 0) {
    const why = notice.status === 'taken_down' ? 'everything it took down is back up' : `it is ${notice.status.replace('_', ' ')}`;
    return {
      status: 'conflict',
      message: `notice ${notice.external_id} took nothing down that a counter-notice could dispute (${why})`,
      items: input.items ?? [],
    };
  }
  const resolved = resolveCounterNoticeItems(input.items, down);
  if (resolved.notTakenDown.length) {
    return {
      status: 'conflict',
      message: `notice ${notice.external_id} did not take down ${list(resolved.notTakenDown)}`,
      items: resolved.notTakenDown,
    };
  }
  // An item already disputed by a pending counter-notice has its clock running there; an incomplete one
  // (no clock) is replaced by this one, the subscriber's corrected version.
  const blocking = await tx.$queryRawUnsafe<{ id: number; external_id: string; ref: string; complete: boolean }[]>(
    `SELECT c.id, c.external_id, r AS ref, cardinality(c.missing_elements) = 0 AS complete
       FROM counter_notices c, unnest(c.items) AS r
      WHERE c.notice_id = $1 AND c.outcome IS NULL AND r = ANY($2::text[])`,
    notice.id,
    resolved.items,
  );
  const open = blocking.filter((b) => b.complete);
  if (open.length === 0 && blocking.length) {
    await supersedeIncomplete(tx, deps, cal, [...new Set(blocking.map((b) => b.id))], input.external_id, actor, now);
  }
  if (open.length) {
    const refs = open.map((o) => o.ref);
    return {
      status: 'conflict',
      message: `${list(refs)} already disputed by pending counter-notice ${[...new Set(open.map((o) => o.external_id))].join(', ')}`,
      items: refs,
    };
  }

  const check = checkCounterNotice(input, resolved.items);
  const window = check.complete ? restoreWindow(cal, input.received_at) : undefined;
  const s = input.subscriber;
  const created = await tx.counterNotice.create({
    data: {
      externalId: input.external_id,
      bodyHash: hash,
      noticeId: notice.id,
      accountId: s.account_id,
      subscriberName: s.name ?? null,
      subscriberAddress: s.address ?? null,
      subscriberPhone: s.phone ?? null,
      subscriberEmail: s.email ?? null,
      items: resolved.items,
      signature: input.signature ?? null,
      mistakeStatement: input.mistake_statement === true,
      consentToJurisdiction: input.consent_to_jurisdiction === true,
      acceptsService: input.accepts_service === true,
      missingElements: check.missing,
      receivedAt: input.received_at,
      restoreTimeZone: cal.timeZone,
      ...(window ? windowColumns(window) : { receivedOn: new Date(`${receiptDate(cal, input.received_at)}T00:00:00Z`) }),
      status: 'pending',
      createdAt: now,
    },
  });
  await recordAudit(tx, {
    actor: actor.id,
    origin: originOf(actor),
    action: 'counter_notice.receive',
    entityType: 'counter_notice',
    entityId: String(created.id),
    after: {
      external_id: input.external_id,
      notice_external_id: notice.external_id,
      account_id: s.account_id,
      items: resolved.items.length,
      missing: check.missing,
      ...(window ? { earliest: window.earliest, latest: window.latest, time_zone: cal.timeZone } : {}),
    },
    at: now,
  });
  // A complaint in the DSA's sense once complete: an incomplete counter-notice is not yet one.
  if (check.complete) await fileComplaints(tx, created.id, notice.id, resolved.items, input.received_at);
  await queueDisputeCard(tx, deps, cal, created.id, now);
  return { status: 'created', receipt: await receiptOf(tx, created.id) };
}

/**
 * A counter-notice is the affected user's complaint against the takedown (the DSA counts it among the
 * complaints, Art. 20/24): one appeal per takedown decision it disputes, filed at its receipt, decided
 * when the dispute is (overturned on a restore, upheld on a hold or a rejection; see dispute-actions).
 */
async function fileComplaints(tx: Tx, counterNoticeId: number, noticeId: number, items: readonly string[], receivedAt: Date) {
  await tx.$executeRawUnsafe(
    `INSERT INTO appeals (external_id, decision_id, outcome, filed_at)
     SELECT $1 || d.decision_id, d.decision_id, 'pending', $2::timestamptz
       FROM (SELECT DISTINCT decision_id FROM copyright_notice_items
              WHERE notice_id = $3 AND content_ref = ANY($4::text[]) AND decision_id IS NOT NULL) d
     ON CONFLICT (external_id) DO NOTHING`,
    complaintKey(counterNoticeId),
    receivedAt.toISOString(),
    noticeId,
    items,
  );
}

/** `POST /api/v1/copyright/counter-notices`. */
export async function submitCounterNotice(deps: DomainDeps, actor: Actor, raw: unknown): Promise<CounterNoticeOutcome> {
  const now = deps.clock.now();
  const checked = validateCounterNotice(raw, now);
  if ('errors' in checked) return { status: 'invalid', errors: checked.errors };
  const outcome = await deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(INTAKE_LOCK);
    const cal = await loadCopyrightCalendar(deps, tx);
    return recordCounterNotice(tx, deps, cal, actor, checked.data, now);
  }, TX_OPTIONS);
  if (outcome.status === 'created') {
    deps.alertsQueued();
    deps.escalationsChanged();
  }
  return outcome;
}

const IMPORT_TX = { maxWait: 60_000, timeout: 10 * 60_000 };

/**
 * CSV import kind `counter-notices`: one row per disputed item, the counter-notice's columns repeated
 * (an empty content_ref on a counter-notice's one row disputes everything its notice took down). Every
 * row is checked as the API would; good counter-notices are recorded in one transaction, every bad one
 * is listed by line and column; re-importing a file changes nothing.
 */
export async function importCounterNotices(
  deps: DomainDeps,
  actor: Actor,
  records: AsyncIterable<CopyrightCsvRecord>,
): Promise<Omit<ImportResult, 'kind'> & { kind: 'counter-notices' }> {
  const now = deps.clock.now();
  const result = { kind: 'counter-notices' as const, rows: 0, imported: 0, replayed: 0, failed: 0, errors: [] as RowError[] };
  let created = 0;
  await deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(INTAKE_LOCK);
    const cal = await loadCopyrightCalendar(deps, tx);
    for await (const group of groupCopyrightRows('counter-notices', records, now)) {
      if (!group.ok) {
        result.failed++;
        result.rows += new Set(group.errors.map((e) => e.line)).size;
        result.errors.push(...group.errors);
        continue;
      }
      result.rows += group.rows.length;
      const first = group.rows[0]!;
      const outcome = await recordCounterNotice(tx, deps, cal, actor, group.data, now);
      if ('receipt' in outcome) {
        if (outcome.status === 'created') {
          result.imported++;
          created++;
        } else result.replayed++;
        continue;
      }
      result.failed++;
      const column =
        outcome.status === 'not_found' ? outcome.path : 'items' in outcome && outcome.items?.length ? 'content_ref' : 'external_id';
      result.errors.push({ row: first.record, line: first.line, column, message: outcome.message });
    }
    await recordAudit(tx, {
      actor: actor.id,
      origin: actor.origin,
      action: 'import.counter-notices',
      entityType: 'import',
      after: { rows: result.rows, imported: result.imported, replayed: result.replayed, failed: result.failed },
      at: now,
    });
  }, IMPORT_TX);
  if (created > 0) {
    deps.alertsQueued();
    deps.escalationsChanged();
  }
  return result;
}
