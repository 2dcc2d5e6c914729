// Statements of reasons to the EU DSA Transparency Database (Art. 24(5) DSA), through an outbox like
// Slack messages: every restricting decision gets a dsa_submissions row in the transaction that writes it (a
// trigger; its puid, unique there and at the database, is set from puidOf at the first claim), a worker claims due rows (SKIP LOCKED, so two replicas never send the same row at once, and a
// lease, so a row a dead worker held is taken up again), sends them in batches of at most 100, and records
// what the database said. A row resent after a crash is answered "existing puid" and marked accepted, so
// each decision's statement is accepted exactly once.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { toDecisionRow } from '../domain/exports/dsa';
import { puidOf, RESTRICTIONS, type StatementOfReasons, statementOfReasons } from '../domain/exports/dsa-sor';
import { ensureSubmissionStart, oldestUnaccepted, reconcileStart, SUBMISSION_START_KEY } from '../domain/exports/dsa-tdb/submissions';
import { type FieldErrors, validateStatement } from '../domain/exports/dsa-tdb/validate';
import type { Logger } from '../logger';

export type DsaSubmissionOptions = {
  db: Db;
  log: Logger;
  clock: Clock;
  registry: Registry;
  /** The database's API root (TRUSTOPS_DSA_TDB_URL) and token (TRUSTOPS_DSA_TDB_TOKEN). */
  url: string;
  token: string;
  /** Dates in the statements (content and application date) are local to it. */
  timeZone: string;
  /** At most 100: the database's limit per call. */
  batchSize?: number;
  pollMs?: number;
  leaseMs?: number;
  maxBackoffMs?: number;
  fetch?: typeof fetch;
  /** Tests: no timer; they call runOnce. */
  manual?: boolean;
};

/** `enqueued` stays 0: statements are queued with their decisions (kept for callers' loops). */
export type SubmissionRun = { enqueued: number; claimed: number; accepted: number; refused: number; retried: number };

export type DsaSubmissionWorker = {
  kick(): void;
  stop(): Promise<void>;
  /** One scan and one claim, sent to the end. */
  runOnce(): Promise<SubmissionRun>;
};

/** The actions a statement of reasons is owed for: those with a restriction (see dsa-sor.ts). */
export const RESTRICTING_ACTIONS = Object.keys(RESTRICTIONS);
const MAX_BATCH = 100;
// Rows are written by a trigger on decisions (migration 20261202153645), in the decision's own transaction, so
// no restricting decision is missed however late it commits. Due: pending rows whose retry time has come, and
// sending rows whose lease ran out (their worker died). Never a decision decided before the submission start
// (none is claimed while it is unset).
const CLAIM_SQL = `
  UPDATE dsa_submissions SET status = 'sending', attempts = attempts + 1, next_attempt_at = $3::timestamptz
   WHERE id IN (SELECT id FROM dsa_submissions
                 WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1::timestamptz
                   AND decided_at >= (SELECT value::timestamptz FROM dsa_report_settings WHERE key = '${SUBMISSION_START_KEY}')
                 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
  RETURNING id, decision_id, puid, attempts`;

const ROWS_SQL = `
  SELECT d.id, d.external_id, d.case_id, d.action, d.policy, d.actor_type::text AS actor_type, d.automated, d.decided_at,
         c.opened_at, c.first_report_at, r.jurisdiction, r.language, s.key AS surface, rt.key AS report_type,
         CASE WHEN c.first_report_id IS NULL OR r.own_initiative THEN 'SOURCE_VOLUNTARY'
              WHEN r.trusted_flagger THEN 'SOURCE_TRUSTED_FLAGGER' ELSE 'SOURCE_ARTICLE_16' END AS source,
         m.category, m.decision_ground, m.ground_text, m.explanation
    FROM decisions d
    JOIN cases c ON c.id = d.case_id
    LEFT JOIN reports r ON r.id = c.first_report_id
    LEFT JOIN surfaces s ON s.id = c.surface_id
    LEFT JOIN report_types rt ON rt.id = c.report_type_id
    LEFT JOIN dsa_category_map m ON m.policy = d.policy
   WHERE d.id = ANY($1::int[])`;

type Claimed = { id: number; decision_id: number; puid: string | null; attempts: number };
type Pg = Record<string, unknown>;

type Item = Claimed & { puid: string; statement: StatementOfReasons };
/** What happened to each statement of a call. */
type Verdict = {
  accepted: Item[];
  existing: Item[];
  refused: { item: Item; reasons: unknown }[];
  retry: { items: Item[]; error: string } | null;
};

/** The metrics of the submission: attempts by outcome, and the oldest statement not accepted yet. */
function submissionMetrics(registry: Registry, db: Db, clock: Clock) {
  const existing = registry.getSingleMetric('trustops_dsa_submissions_total') as Counter<'outcome'> | undefined;
  const counter =
    existing ??
    new Counter({
      name: 'trustops_dsa_submissions_total',
      help: 'Statements of reasons sent to the DSA Transparency Database, by outcome (accepted, existing, refused, retry, invalid)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  if (!registry.getSingleMetric('trustops_dsa_oldest_unaccepted_seconds'))
    new Gauge({
      name: 'trustops_dsa_oldest_unaccepted_seconds',
      help: 'Seconds since the oldest restricting decision whose statement of reasons the Transparency Database has not accepted yet was taken (0 when none waits)',
      registers: [registry],
      async collect() {
        const oldest = await oldestUnaccepted(db).catch(() => null);
        this.set(oldest ? Math.max(0, (clock.now().getTime() - oldest.getTime()) / 1000) : 0);
      },
    });
  return counter;
}

export function startDsaSubmissions(opts: DsaSubmissionOptions): DsaSubmissionWorker {
  const { db, log, clock } = opts;
  const batchSize = Math.min(MAX_BATCH, opts.batchSize ?? MAX_BATCH);
  const pollMs = opts.pollMs ?? 5_000;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 10 * 60_000;
  const doFetch = opts.fetch ?? fetch;
  const base = opts.url.replace(/\/+$/, '');
  const counter = submissionMetrics(opts.registry, db, clock);

  async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> | null; text: string }> {
    const res = await doFetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {}
    return { status: res.status, json, text };
  }

  /** Sends items (one call; more when a refused batch is split) and says what became of each. */
  async function send(items: Item[], verdict: Verdict): Promise<void> {
    if (items.length === 0) return;
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res =
        items.length === 1
          ? await post('/api/v1/statement', items[0]!.statement)
          : await post('/api/v1/statements', { statements: items.map((i) => i.statement) });
    } catch (err) {
      verdict.retry = { items: [...(verdict.retry?.items ?? []), ...items], error: `network: ${(err as Error).message}` };
      return;
    }
    if (res.status >= 200 && res.status < 300) {
      verdict.accepted.push(...items);
      return;
    }
    if (res.status === 422 || res.status === 400) {
      const errors = (res.json?.errors ?? {}) as Record<string, unknown>;
      const existingOne = (res.json?.existing as { puid?: string } | undefined)?.puid;
      if (items.length === 1 && existingOne !== undefined) {
        verdict.existing.push(items[0]!);
        return;
      }
      const listed = Array.isArray(errors.existing_puids) ? new Set((errors.existing_puids as unknown[]).map(String)) : null;
      if (listed && listed.size > 0) {
        // The batch was refused whole because of these: they are there already. The rest goes again.
        verdict.existing.push(...items.filter((i) => listed.has(i.puid)));
        await send(
          items.filter((i) => !listed.has(i.puid)),
          verdict,
        );
        return;
      }
      if (items.length === 1) {
        verdict.refused.push({ item: items[0]!, reasons: res.json?.errors ?? res.json ?? res.text.slice(0, 2000) });
        return;
      }
      // Refused whole for an invalid statement: halve until it is found; the valid ones go through.
      const half = Math.ceil(items.length / 2);
      await send(items.slice(0, half), verdict);
      await send(items.slice(half), verdict);
      return;
    }
    const error = `HTTP ${res.status}: ${res.text.slice(0, 300)}`;
    verdict.retry = { items: [...(verdict.retry?.items ?? []), ...items], error };
  }

  const backoff = (attempts: number) => Math.min(maxBackoffMs, 2000 * 2 ** Math.max(0, attempts - 1));

  // The start is recorded by the first pass of the first worker ever (the moment submission was turned on).
  let started = false;

  async function runOnce(): Promise<SubmissionRun> {
    if (!started) {
      const s = await ensureSubmissionStart({ db, clock });
      if (s.created)
        log.info('DSA statement submission turned on: restricting decisions decided from now on are sent', {
          start: s.start.toISOString(),
        });
      started = true;
    }
    await reconcileStart(db);
    const now = clock.now();
    const enqueued = 0;
    const lease = new Date(now.getTime() + leaseMs);
    const claimed = await db.$queryRawUnsafe<Claimed[]>(CLAIM_SQL, now.toISOString(), batchSize, lease.toISOString());
    const run: SubmissionRun = { enqueued, claimed: claimed.length, accepted: 0, refused: 0, retried: 0 };
    if (claimed.length === 0) return run;
    claimed.sort((a, b) => a.id - b.id);

    // Our claim is (status sending, this lease): a worker that took a row over after our lease ran out changed it.
    const ours = `status = 'sending' AND next_attempt_at = '${lease.toISOString()}'::timestamptz`;
    // The rows as `export decisions` reads them from the analytics copy (dsa.ts), here from Postgres itself.
    const found = await db.$queryRawUnsafe<Pg[]>(
      ROWS_SQL,
      claimed.map((c) => c.decision_id),
    );
    const mappings = new Map(found.filter((r) => r.category !== null).map((r) => [String(r.policy), r]));
    const rows = new Map(found.map((r) => [Number(r.id), toDecisionRow(r, mappings)]));
    const items: Item[] = [];
    const invalid: { claim: Claimed; reasons: FieldErrors | string }[] = [];
    for (const c of claimed) {
      const row = rows.get(c.decision_id);
      const statement = row ? statementOfReasons(row, opts.timeZone) : null;
      if (!statement) {
        invalid.push({ claim: c, reasons: row ? `action ${row.action} restricts nothing: no statement is owed` : 'the decision is gone' });
        continue;
      }
      const errors = validateStatement(statement);
      if (Object.keys(errors).length) invalid.push({ claim: c, reasons: errors });
      else items.push({ ...c, puid: statement.puid, statement });
    }
    // The puid is fixed the first time a row is claimed (puidOf is deterministic: a resend after a crash
    // carries the same one).
    for (const c of claimed) {
      const row = rows.get(c.decision_id);
      if (c.puid === null && row)
        await db.$executeRawUnsafe(`UPDATE dsa_submissions SET puid = $2 WHERE id = $1 AND puid IS NULL`, c.id, puidOf(row));
    }
    const verdict: Verdict = { accepted: [], existing: [], refused: [], retry: null };
    await send(items, verdict);

    const done = clock.now();
    const ids = (xs: { id: number }[]) => xs.map((x) => x.id);
    if (verdict.accepted.length)
      await db.$executeRawUnsafe(
        `UPDATE dsa_submissions SET status = 'accepted', accepted_at = $2::timestamptz, last_error = NULL, reasons = NULL WHERE id = ANY($1::int[]) AND ${ours}`,
        ids(verdict.accepted),
        done.toISOString(),
      );
    if (verdict.existing.length)
      await db.$executeRawUnsafe(
        `UPDATE dsa_submissions SET status = 'accepted', accepted_at = coalesce(accepted_at, $2::timestamptz),
                last_error = 'already in the database (422, existing puid)', reasons = NULL
          WHERE id = ANY($1::int[]) AND ${ours}`,
        ids(verdict.existing),
        done.toISOString(),
      );
    const refuse = async (id: number, reasons: unknown, by: string) =>
      db.$executeRawUnsafe(
        `UPDATE dsa_submissions SET status = 'refused', reasons = $2::jsonb, last_error = $3 WHERE id = $1 AND ${ours}`,
        id,
        JSON.stringify(reasons),
        by,
      );
    for (const r of verdict.refused) await refuse(r.item.id, r.reasons, 'refused by the Transparency Database (422)');
    for (const r of invalid) await refuse(r.claim.id, r.reasons, 'refused before sending: breaks the database rules');
    if (verdict.retry) {
      for (const item of verdict.retry.items)
        await db.$executeRawUnsafe(
          `UPDATE dsa_submissions SET status = 'pending', next_attempt_at = $2::timestamptz, last_error = $3 WHERE id = $1 AND ${ours}`,
          item.id,
          new Date(done.getTime() + backoff(item.attempts)).toISOString(),
          verdict.retry.error,
        );
      log.warn('DSA statements not accepted yet, will retry', { count: verdict.retry.items.length, error: verdict.retry.error });
    }
    counter.inc({ outcome: 'accepted' }, verdict.accepted.length);
    counter.inc({ outcome: 'existing' }, verdict.existing.length);
    counter.inc({ outcome: 'refused' }, verdict.refused.length);
    counter.inc({ outcome: 'invalid' }, invalid.length);
    counter.inc({ outcome: 'retry' }, verdict.retry?.items.length ?? 0);
    run.accepted = verdict.accepted.length + verdict.existing.length;
    run.refused = verdict.refused.length + invalid.length;
    run.retried = verdict.retry?.items.length ?? 0;
    return run;
  }

  // One loop per process: runs while there is work, then waits for the poll or a kick.
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  const loop = async () => {
    try {
      for (;;) {
        if (stopped) return;
        const r = await runOnce();
        if (r.claimed === 0 && r.enqueued === 0) return;
      }
    } catch (err) {
      log.error('DSA submission failed', { err });
    }
  };
  const kick = () => {
    if (stopped || running) return;
    running = loop().finally(() => {
      running = null;
      schedule();
    });
  };
  const schedule = () => {
    if (stopped || opts.manual) return;
    clearTimeout(timer);
    timer = setTimeout(kick, pollMs);
    timer.unref?.();
  };
  if (!opts.manual) kick();
  return {
    kick,
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
