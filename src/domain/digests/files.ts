import type { DomainDeps } from '../deps';
import { type ChartPort, chartDays, type RenderedChart, trendChartSpec } from './chart';
import { buildOverview, overviewCsv } from './overview';
import { reviveScorecard } from './revive';
import type { Scorecard } from './scorecard';
import type { OverviewDigestData, VendorDigestData } from './send';

/**
 * The file each digest carries in its thread — the vendor's 30-day chart (PNG), the overview's full table
 * (CSV) — posted once the digest's message is, exactly once. files.completeUploadExternal posts its own
 * message and carries no metadata the outbox could look the post up by, so the file's id is stored
 * before that call, and a later attempt (after a crash, a lost answer, another replica taking the lease
 * over) first asks files.info about that file: shared in the thread ⇒ done; there but not shared yet (Slack
 * shares asynchronously, or the completion never reached it) ⇒ that same file is completed, never a second
 * one uploaded; unknown to Slack ⇒ the upload starts over. Attempts are leased (one process at a time per
 * digest, the lease longer than an attempt can take) and retried with backoff.
 */

/** Slack's files upload v2, and files.info, as the digests need them (src/slack/digest-files.ts). */
export type ThreadFilePort = {
  /** Reserves an upload and sends the bytes (getUploadURLExternal, then the upload): the file exists, shared nowhere. */
  upload(file: { filename: string; bytes: Buffer }): Promise<string>;
  /** Shares an uploaded file as a reply in a thread (completeUploadExternal with thread_ts). */
  share(fileId: string, to: { channel: string; threadTs: string; title: string }): Promise<void>;
  /**
   * Where an uploaded file stands (files.info): `shared` in that thread; `unshared` — Slack has it but it is
   * not shared there (not completed, or its share still on its way); `missing` — Slack does not know it.
   */
  shareState(fileId: string, at: { channel: string; threadTs: string }): Promise<FileShareState>;
};

export type FileShareState = 'shared' | 'unshared' | 'missing';

export type DigestFileDeps = Pick<DomainDeps, 'db' | 'clock' | 'log'> & {
  files: ThreadFilePort;
  charts: ChartPort;
  /** FILE_LEASE_MS unless set (TRUSTOPS_DIGEST_FILE_LEASE): tests shorten it so a crashed process's files are taken over in seconds. */
  fileLeaseMs?: number;
};

/**
 * One attempt is a render and at most four Slack calls of 20 s each (files.info, getUploadURLExternal, the
 * byte upload, completeUploadExternal). Storing the file id renews the lease, so it covers files.info, the
 * render and the upload (≤ 60 s + the render) before, and the completion (≤ 20 s) after: no other lane or
 * replica takes a file over while its completion may still be in flight. Not much longer, since a crashed
 * process's files wait for it to run out.
 */
export const FILE_LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 6;
const leaseMs = (deps: Pick<DigestFileDeps, 'fileLeaseMs'>) => deps.fileLeaseMs ?? FILE_LEASE_MS;

type Claimed = {
  id: number;
  file_kind: 'chart' | 'csv';
  file_id: string | null;
  file_attempts: number;
  lease: Date;
  alert_status: string;
  slack_channel: string | null;
  slack_ts: string | null;
  message: unknown;
};

export type FileRunResult = { shared: number; adopted: number; failed: number; waiting: number };

/**
 * Sends every pending thread file whose digest is posted; resolves when none is left to take now. `lanes`
 * files go at once (default 3), so one file's rendering overlaps another's upload.
 */
export async function deliverDigestFiles(deps: DigestFileDeps, opts: { lanes?: number } = {}): Promise<FileRunResult> {
  const result: FileRunResult = { shared: 0, adopted: 0, failed: 0, waiting: 0 };
  const lane = async () => {
    for (;;) {
      const row = await claimOne(deps);
      if (!row) return;
      const outcome = await deliverOne(deps, row);
      result[outcome]++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.lanes ?? 3) }, lane));
  result.waiting = await pendingFiles(deps);
  return result;
}

/** Thread files still to send (their digest not posted yet, or waiting for a retry). */
export async function pendingFiles(deps: Pick<DomainDeps, 'db'>): Promise<number> {
  const [row] = await deps.db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM digest_ledger WHERE file_status = 'pending'`,
  );
  return row?.n ?? 0;
}

async function claimOne(deps: DigestFileDeps): Promise<Claimed | undefined> {
  const now = deps.clock.now();
  const rows = await deps.db.$queryRawUnsafe<Claimed[]>(
    `WITH next AS (
       SELECT d.id FROM digest_ledger d JOIN alerts a ON a.id = d.alert_id
        WHERE d.file_status = 'pending' AND (d.file_lease_until IS NULL OR d.file_lease_until <= $1::timestamptz)
          AND (a.slack_ts IS NOT NULL OR a.status = 'failed')
        ORDER BY d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE digest_ledger d SET file_lease_until = $2::timestamptz, file_attempts = d.file_attempts + 1
       FROM next, alerts a
      WHERE d.id = next.id AND a.id = d.alert_id
     RETURNING d.id, d.file_kind, d.file_id, d.file_attempts, d.file_lease_until AS lease, a.status::text AS alert_status,
               a.slack_channel, a.slack_ts, a.message`,
    now.toISOString(),
    new Date(now.getTime() + leaseMs(deps)).toISOString(),
  );
  return rows[0];
}

/** Updates the row only while the lease is still ours; false when another process took it over. */
async function update(deps: DigestFileDeps, row: Claimed, set: string, ...values: unknown[]): Promise<boolean> {
  const n = await deps.db.$executeRawUnsafe(
    `UPDATE digest_ledger SET ${set} WHERE id = $1 AND file_status = 'pending' AND file_lease_until = $2::timestamptz`,
    row.id,
    row.lease.toISOString(),
    ...values,
  );
  return n === 1;
}

async function deliverOne(deps: DigestFileDeps, row: Claimed): Promise<'shared' | 'adopted' | 'failed' | 'waiting'> {
  if (!row.slack_ts || !row.slack_channel) {
    await update(deps, row, `file_status = 'failed', file_error = 'the digest itself was not posted'`);
    return 'failed';
  }
  const at = { channel: row.slack_channel, threadTs: row.slack_ts };
  try {
    const state = row.file_id ? await deps.files.shareState(row.file_id, at) : 'missing';
    if (row.file_id && state === 'shared') {
      await update(deps, row, `file_status = 'done', file_error = NULL`);
      deps.log.info('digest file found already shared; adopted', { ledgerId: row.id, fileId: row.file_id });
      return 'adopted';
    }
    const file = await buildFile(deps, row);
    if (row.file_id && state === 'unshared') {
      // Slack has the file, not shared yet: complete that same file. Uploading another one would post a
      // second file once the first one's share lands.
      deps.log.info('digest file uploaded but not shared yet; completing the same file', { ledgerId: row.id, fileId: row.file_id });
      await deps.files.share(row.file_id, { ...at, title: file.title });
      await update(deps, row, `file_status = 'done', file_error = NULL`);
      return 'shared';
    }
    const fileId = await deps.files.upload({ filename: file.filename, bytes: file.bytes });
    // Kept before sharing (the share posts a message we could not find again without it), and the lease
    // renewed with it, so the completion below runs well inside it.
    const lease = new Date(deps.clock.now().getTime() + leaseMs(deps));
    if (!(await update(deps, row, 'file_id = $3, file_lease_until = $4::timestamptz', fileId, lease.toISOString()))) return 'waiting';
    row.lease = lease;
    row.file_id = fileId;
    await deps.files.share(fileId, { ...at, title: file.title });
    await update(deps, row, `file_status = 'done', file_error = NULL`);
    return 'shared';
  } catch (err) {
    const message = (err as Error).message.slice(0, 1000);
    if (row.file_attempts >= MAX_ATTEMPTS) {
      await update(deps, row, `file_status = 'failed', file_error = $3`, message).catch(() => {});
      deps.log.warn('digest file failed', { ledgerId: row.id, attempts: row.file_attempts, error: message });
      return 'failed';
    }
    const retryAt = new Date(deps.clock.now().getTime() + Math.min(2 ** row.file_attempts * 5000, 10 * 60_000));
    await update(deps, row, 'file_lease_until = $3::timestamptz, file_error = $4', retryAt.toISOString(), message).catch(() => {});
    deps.log.warn('digest file not sent; will retry', { ledgerId: row.id, attempts: row.file_attempts, error: message });
    return 'waiting';
  }
}

async function buildFile(deps: DigestFileDeps, row: Claimed): Promise<{ filename: string; title: string; bytes: Buffer }> {
  if (row.file_kind === 'csv') {
    const data = row.message as OverviewDigestData;
    const overview = buildOverview(data.cards.map((c) => reviveScorecard(c)));
    return {
      filename: `vendor-overview-${overview.date}.csv`,
      title: `Vendor overview ${overview.date} (every vendor)`,
      bytes: Buffer.from(overviewCsv(overview), 'utf8'),
    };
  }
  const card = reviveScorecard((row.message as VendorDigestData).card);
  const chart = await digestChart(deps.charts, card);
  return { filename: chartFileName(card), title: chartTitle(card), bytes: chart };
}

export const chartTitle = (card: Scorecard) => `${card.vendor.name}: the 30 days to ${card.period.to}`;
export const chartFileName = (card: Scorecard) => `digest-${card.vendor.key}-${card.period.to}.png`;

/** The trend chart of a scorecard: its 30-day series, its targets as reference lines, as PNG. */
export async function digestChart(charts: ChartPort, card: Scorecard): Promise<Buffer> {
  const rendered = await charts.render(digestChartSpec(card));
  return rendered.png;
}

function digestChartSpec(card: Scorecard): Record<string, unknown> {
  const targets = { firstAction: card.sla.firstAction.target, resolution: card.sla.resolution.target, qaAccuracy: card.qa.target };
  return trendChartSpec(chartDays(card.series), { title: chartTitle(card), targets });
}

/** A ChartPort that can be asked to start drawing a digest's chart before its thread file is sent. */
export type ChartsAhead = ChartPort & { drawAhead(card: Scorecard): void };

/**
 * Charts drawn ahead, for one run of the digests job: each vendor's chart starts as soon as its digest is
 * queued, while the other figures are still being read and the digests posted, and the file pass takes it
 * from here when it asks for the same spec (its card comes back from the outbox with the same figures). A
 * chart nobody asks for is dropped with the run; one that failed is drawn again when asked for. At most
 * `max` wait to be taken (a PNG and its SVG, ~200 KB each): past that, the file pass draws its own.
 */
export function chartsAhead(charts: ChartPort, o: { max?: number } = {}): ChartsAhead {
  const drawn = new Map<string, Promise<RenderedChart>>();
  const max = o.max ?? 200;
  return {
    drawAhead(card) {
      if (card.quiet || drawn.size >= max) return;
      const spec = digestChartSpec(card);
      const key = JSON.stringify(spec);
      if (drawn.has(key)) return;
      const chart = charts.render(spec);
      drawn.set(key, chart);
      chart.catch(() => {
        if (drawn.get(key) === chart) drawn.delete(key);
      });
    },
    render(spec) {
      const key = JSON.stringify(spec);
      const chart = drawn.get(key);
      drawn.delete(key);
      return chart ?? charts.render(spec);
    },
  };
}
