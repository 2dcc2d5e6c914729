import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Client } from 'pg';
import type { Logger } from '../logger';
import { literal, readerOn } from './duck';
import { changedSince, copyToFile, databaseIdentity, type PgSnapshot, PgSource, snapshotXmin, wireSelect } from './postgres';
import {
  aliasOf,
  type Column,
  type CopiedTable,
  duckDdl,
  FACT_TABLES,
  joinsOf,
  rowsWithDerived,
  SCHEMA_VERSION,
  SOURCE_COLUMNS,
  SOURCES,
  type Sources,
  selfReads,
  TABLES,
  tableNamed,
} from './schema';
import { openSlot, type Slot } from './slots';
import type { Analytics, AnalyticsReader, AnalyticsStatus } from './types';

export type AnalyticsOptions = {
  databaseUrl: string;
  /** Where the file lives (TRUSTOPS_ANALYTICS_DIR, else the data directory). */
  dir: string;
  /** DuckDB's memory_limit, e.g. "4GB". */
  memory: string;
  threads: number;
  log: Logger;
  /** Catch up in the background this often, so lag stays small between look-ups (0: only when read). */
  syncIntervalMs?: number;
  /** How long change rows are kept; a copy whose snapshot is older than the pruned horizon rebuilds. */
  retentionMs?: number;
  /** How often this process prunes the change log (0: never). */
  pruneEveryMs?: number;
  /**
   * How often an idle copy (nothing copied changed) still writes its snapshot to the file (default 15 min;
   * and at close): xids keep advancing elsewhere, and a file left on an old snapshot would be older than the
   * pruning horizon at the next start, so rebuilt for nothing.
   */
  persistEveryMs?: number;
  /**
   * Postgres connections a build copies on, in one snapshot (default 3; more is taken as 3). 1 for the embedded
   * database: PGlite is one session, where a second transaction would wait for the first.
   */
  copyStreams?: number;
};

/** A per-day count that differs between Postgres and the copy. */
export type VerifyDifference = { table: string; day: string; postgres: number; analytics: number };

export type AnalyticsEngine = Analytics & {
  readonly file: string;
  /** Catches up now (coalesced with concurrent callers); builds first when the copy needs it. */
  catchUp(): Promise<void>;
  /** Throws the copy away and loads it again from Postgres. */
  rebuild(): Promise<void>;
  /** Per-day counts of every fact table, in Postgres and in the copy, at one snapshot: the days that differ. */
  verify(): Promise<{ tables: string[]; days: number; differences: VerifyDifference[] }>;
  /** Deletes change rows older than the retention (exactly: below a recorded snapshot xmin) and raises the horizon. */
  prune(retentionMs?: number): Promise<{ deleted: number; horizon: string | null }>;
};

const DAY_MS = 86_400_000;
/** How long close() waits for an aborted task to unwind. */
const CLOSE_WAIT_MS = 10_000;
/** Tables other tables read derived columns from. */
const PARENTS = ['cases', 'decisions'] as const;

/** The derived columns of a parent table. */
function derivedOf(parent: (typeof PARENTS)[number]): string[] {
  return tableNamed(parent)?.derived?.columns.map((c) => c.name) ?? [];
}

/**
 * The rows a catch-up inserts for `t` from `source`. A table whose derived columns come from its children
 * (a case's first decision) keeps them across a change of its own row: the children did not change with it,
 * and those that did are recomputed next (so the decisions are not scanned for every case status change).
 */
function insertedRows(t: CopiedTable, source: string, sources: Sources = {}): string {
  if (t.derived?.via !== 'id') return rowsWithDerived(t, source, sources);
  const kept = t.derived.columns.map((c) => `p.${c.name}`);
  return `SELECT ${[...t.columns.map((c) => `x.${c.name}`), ...kept].join(', ')} FROM ${source} x LEFT JOIN _old_${t.name} p ON p.id = x.id`;
}

/** The columns of `parent` its children read (each derived expression names one parent column, e.g. `c.queue_id`). */
function readByChildren(parent: (typeof PARENTS)[number]): string[] {
  const cols = TABLES.flatMap((t) =>
    t.derived?.parent === parent && t.derived.via !== 'id' ? t.derived.columns.map((c) => c.expr.split('.')[1] as string) : [],
  );
  return [...new Set(cols)];
}
/**
 * The columns of cases a catch-up reads (what children and derived columns read, and the derived columns):
 * `_case_rows` holds only these, so a catch-up never loads the others from the file.
 */
const CASE_ROW_COLUMNS = [
  ...new Set(['id', ...readByChildren('cases'), ...derivedOf('cases'), ...selfReads((tableNamed('cases') as CopiedTable).derived!)]),
].join(', ');
const CSV = "header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false";
const SCHEMA_HASH = createHash('sha256').update(SCHEMA_VERSION).digest('hex').slice(0, 16);

type Meta = { snapshot?: string; identity?: string; schema?: string; generation?: string };
type Head = { snapshot: PgSnapshot; horizon: string | null; generation: number };
type Changed = { tbl: string; whole: boolean };
type Probe<A, B> = { pg(client: Client): Promise<A>; duck(conn: DuckDBConnection): Promise<B> };

/** Opens (or creates) this process's file and starts keeping it in step; a needed build runs in the background. */
export async function openAnalyticsEngine(opts: AnalyticsOptions): Promise<AnalyticsEngine> {
  const slot = await openSlot(opts.dir, { threads: opts.threads, memory: opts.memory });
  try {
    const writer = await slot.instance.connect();
    // Sessions in UTC, whatever the host's zone: figures name their zone explicitly (AT TIME ZONE).
    await writer.run("SET GLOBAL TimeZone = 'UTC'");
    await writer.run('CREATE TABLE IF NOT EXISTS _analytics_meta (key VARCHAR, value VARCHAR)');
    const rows = (await writer.runAndReadAll('SELECT key, value FROM _analytics_meta')).getRowObjectsJS();
    const meta = Object.fromEntries(rows.map((r) => [String(r.key), String(r.value)])) as Meta;
    const engine = new Engine(opts, slot, writer, meta);
    engine.start();
    return engine.api();
  } catch (err) {
    slot.instance.closeSync();
    slot.release();
    throw err;
  }
}

class Engine {
  private readonly pg: PgSource;
  private readonly readers: DuckDBConnection[] = [];
  /** Look-ups running now; past the cap (2 per DuckDB thread) the next ones wait in `waiting`, in order. */
  private reading = 0;
  private readonly waiting: (() => void)[] = [];
  private snapshot: PgSnapshot | undefined;
  /** The snapshot the file holds, and since when. */
  private persisted: { snapshot: PgSnapshot | undefined; at: number };
  private generation: number | undefined;
  private identity: string | undefined;
  private identityChecked = false;
  private needsBuild: boolean;
  private state: AnalyticsStatus['state'];
  private progress: AnalyticsStatus['progress'];
  private error: string | undefined;
  private rows: Record<string, number> = {};
  private syncedAt: number | undefined;
  private lastPrune = Date.now();
  private chain: Promise<unknown> = Promise.resolve();
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly opts: AnalyticsOptions,
    private readonly slot: Slot,
    private readonly writer: DuckDBConnection,
    meta: Meta,
  ) {
    this.pg = new PgSource(opts.databaseUrl, opts.log);
    this.snapshot = meta.snapshot;
    this.persisted = { snapshot: meta.snapshot, at: Date.now() };
    this.identity = meta.identity;
    this.generation = meta.generation === undefined ? undefined : Number(meta.generation);
    // A file made by another version of the table list, or never finished, is rebuilt; whether it copies
    // this database, and is newer than the pruning horizon, is checked against Postgres on the first catch-up.
    this.needsBuild = !meta.snapshot || meta.schema !== SCHEMA_HASH;
    this.state = this.needsBuild ? 'building' : 'ready';
  }

  start(): void {
    this.catchUp().catch(() => {});
    const every = this.opts.syncIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => {
        if (!this.pending) this.catchUp().catch(() => {});
      }, every);
      this.timer.unref();
    }
  }

  api(): AnalyticsEngine {
    return {
      file: this.slot.file,
      read: (fn) => this.read(fn),
      status: () => this.status(),
      close: () => this.close(),
      catchUp: () => this.catchUp(),
      rebuild: () =>
        this.exclusive(async () => {
          this.needsBuild = true;
          await this.build();
        }),
      verify: () => this.exclusive(() => this.verify()),
      prune: (retentionMs) => this.exclusive(() => this.prune(retentionMs ?? this.opts.retentionMs ?? 7 * DAY_MS)),
    };
  }

  status(): AnalyticsStatus {
    return {
      state: this.state,
      ...(this.state === 'building' && this.progress ? { progress: this.progress } : {}),
      lagMs: this.syncedAt === undefined ? null : Math.max(0, Date.now() - this.syncedAt),
      rows: { ...this.rows },
      file: this.slot.file,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  async read<T>(fn: (reader: AnalyticsReader) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('analytics: the copy is closed');
    await this.catchUp();
    await this.acquireReader();
    let conn: DuckDBConnection | undefined;
    try {
      this.assertOpen();
      conn = this.readers.pop() ?? (await this.slot.instance.connect());
      await conn.run('BEGIN TRANSACTION');
      try {
        const out = await fn(readerOn(conn));
        await conn.run('COMMIT');
        return out;
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => {});
        throw err;
      }
    } finally {
      if (conn) {
        if (this.closed) conn.closeSync();
        else this.readers.push(conn);
      }
      this.releaseReader();
    }
  }

  /**
   * At most 2 × threads look-ups hold a DuckDB connection at once (each has its own caches; more would only
   * queue inside DuckDB), so the pool never grows past that, whatever the burst.
   */
  private async acquireReader(): Promise<void> {
    if (this.reading < 2 * this.opts.threads) {
      this.reading++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the place to the next waiting look-up (it does not count itself again), else frees it. */
  private releaseReader(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.reading--;
  }

  /**
   * Every caller waits for a catch-up that starts after its call: while one runs, later callers share the
   * next one (queued behind it), so a burst of look-ups costs one extra catch-up, not one each.
   */
  catchUp(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('analytics: the copy is closed'));
    if (this.pending) return this.pending;
    const next: Promise<void> = this.exclusive(async () => {
      if (this.pending === next) this.pending = undefined;
      await this.step();
    });
    this.pending = next;
    return next;
  }

  /** One sync task at a time (catch-up, build, verify, prune), in call order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // Tasks queued behind the one running when close() began do not start.
    const task = async () => {
      this.assertOpen();
      return fn();
    };
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => {});
    return run;
  }

  private async step<A, B>(probe?: Probe<A, B>): Promise<{ pg?: A; duck?: B }> {
    if (this.needsBuild) await this.build();
    const startedAt = Date.now();
    const work = this.workDir();
    try {
      const fetched = await this.pg.inSnapshot(async (client) => {
        const head = await readHead(client);
        if (!this.identityChecked) {
          const identity = await databaseIdentity(client);
          this.identityChecked = true;
          if (identity !== this.identity) return { stale: `it copies another database (${this.identity ?? 'none'})` };
        }
        const stale = this.staleness(head);
        if (stale) return { stale };
        const since = changedSince(this.snapshot as PgSnapshot);
        const res = await client.query<Changed>(
          `SELECT tbl, bool_or(row_id IS NULL) AS whole FROM analytics_changes WHERE ${since} GROUP BY tbl`,
        );
        const changed = TABLES.map((t) => res.rows.find((r) => r.tbl === t.name)).filter((c): c is Changed => c !== undefined);
        const files = new Map<string, string>();
        if (changed.length) {
          mkdirSync(work, { recursive: true });
          files.set('', path.join(work, 'changes.csv'));
          await copyToFile(
            client,
            `SELECT DISTINCT tbl, row_id FROM analytics_changes WHERE ${since} AND row_id IS NOT NULL`,
            files.get('') as string,
          );
          for (const c of changed) {
            const t = tableNamed(c.tbl) as CopiedTable;
            const file = path.join(work, `${t.name}.csv`);
            files.set(t.name, file);
            const which = c.whole ? '' : ` WHERE id IN (SELECT row_id FROM analytics_changes WHERE tbl = '${t.name}' AND ${since})`;
            await copyToFile(client, `${wireSelect(t)}${which}`, file);
          }
        }
        const pgProbe = probe ? await probe.pg(client) : undefined;
        return { head, changed, files, pgProbe };
      });
      if ('stale' in fetched) {
        this.opts.log.info('analytics: the copy is rebuilt', { file: this.slot.file, why: fetched.stale });
        this.needsBuild = true;
        return await this.step(probe);
      }
      let duckProbe: B | undefined;
      if (fetched.changed.length) {
        duckProbe = await this.inWriteTransaction(async () => {
          await this.apply(fetched.changed, fetched.files);
          await this.writeMeta({ snapshot: fetched.head.snapshot });
          return probe ? await probe.duck(this.writer) : undefined;
        });
        // Updates leave counts as they were: only the tables rows went into or out of are counted again.
        await this.countRows(fetched.changed.map((c) => c.tbl));
        this.persisted = { snapshot: fetched.head.snapshot, at: Date.now() };
      } else if (probe) {
        duckProbe = await probe.duck(this.writer);
      }
      this.snapshot = fetched.head.snapshot;
      if (Date.now() - this.persisted.at >= (this.opts.persistEveryMs ?? 15 * 60_000)) await this.persistSnapshot();
      this.syncedAt = startedAt;
      // A reused file that had nothing to catch up has not been counted yet.
      if (!Object.keys(this.rows).length) await this.countRows();
      this.error = undefined;
      await this.maybePrune();
      return { pg: fetched.pgProbe, duck: duckProbe };
    } catch (err) {
      if (this.closed) throw err;
      this.error = (err as Error).message;
      this.opts.log.warn('analytics: catch-up failed', { err: { message: (err as Error).message } });
      throw err;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Why the copy cannot be caught up and must be rebuilt, if it cannot. */
  private staleness(head: Head): string | undefined {
    if (!this.snapshot) return 'it was never built';
    if (head.horizon !== null && snapshotXmin(this.snapshot) < BigInt(head.horizon))
      return 'it is older than the change-log horizon (pruned changes)';
    if (this.generation !== head.generation) return 'a rebuild was asked for (analytics:rebuild)';
    return undefined;
  }

  /**
   * Applies the changed rows, then brings derived columns up to date level by level, touching a table only
   * when something its rows read has really moved: a case's first decision (for cases whose decisions
   * changed), then what reads cases (for cases whose read columns changed), then what reads decisions.
   *
   * The cases a catch-up touches (changed ones, and those of changed reports and decisions) are read from the
   * 10 M-row cases table once, into `_case_rows`, kept in step with what the catch-up writes, and every later
   * step reads them there: DuckDB has no index, so each read of `cases` is a scan (~150 ms at 10 M).
   */
  private async apply(changed: Changed[], files: Map<string, string>): Promise<void> {
    const w = this.writer;
    // Statements with no decision between them go to DuckDB as one script: one round trip instead of one each
    // (a catch-up is some thirty statements, most of them on a few hundred rows, where the trip is the cost).
    const run = async (statements: string[]) => {
      if (statements.length) await w.run(statements.join(';\n'));
    };
    /** Runs `statements`, then the count query `count`, as one script: its row. */
    const counted = async (statements: string[], count: string) => {
      const [row] = (await w.runAndReadAll([...statements, count].join(';\n'))).getRowObjectsJS();
      return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v ?? 0)])) as Record<string, number>;
    };
    const ids = (table: string) => `(SELECT row_id FROM _changed WHERE tbl = '${table}')`;
    const has = (name: string) => changed.some((c) => c.tbl === name);
    const whole = (t: CopiedTable) => changed.some((c) => c.tbl === t.name && c.whole);
    // A changed table's rows, parsed from their file once into a temporary table (the steps below read them up to
    // four times); a table reloaded whole is read from its file where it is used instead of held twice.
    const csv = (t: CopiedTable) => (whole(t) ? readCsv(t, files.get(t.name) as string) : `_in_${t.name}`);
    const cases = tableNamed('cases') as CopiedTable;
    const prepare = [
      `CREATE OR REPLACE TEMP TABLE _changed AS SELECT * FROM read_csv(${literal(files.get('') as string)}, ${CSV}, columns = {'tbl': 'VARCHAR', 'row_id': 'BIGINT'})`,
      ...changed.flatMap((c) => {
        const t = tableNamed(c.tbl) as CopiedTable;
        return c.whole ? [] : [`CREATE OR REPLACE TEMP TABLE _in_${t.name} AS SELECT * FROM ${readCsv(t, files.get(t.name) as string)}`];
      }),
    ];
    // A fact reloaded whole (TRUNCATE) that derived columns read, or that carries them: every derived column again.
    const everything = changed.some((c) => {
      const t = tableNamed(c.tbl) as CopiedTable;
      return c.whole && t.kind === 'fact' && (t.derived !== undefined || t.marks !== undefined || PARENTS.includes(t.name as never));
    });
    // Cases whose first decision or first report may change: those of changed decisions and reports, before
    // (in the copy) and after (in the fetched rows) the change.
    const marks = (only?: string) =>
      changed.flatMap((c) => {
        const t = tableNamed(c.tbl) as CopiedTable;
        return t.marks && (!only || t.name === only)
          ? [`SELECT ${t.marks.via} AS id FROM ${t.name} WHERE id IN ${ids(t.name)}`, `SELECT ${t.marks.via} FROM ${csv(t)}`]
          : [];
      });
    const union = (parts: string[]) =>
      `SELECT DISTINCT id FROM (${['SELECT NULL::BIGINT AS id', ...parts].join(' UNION ALL ')}) WHERE id IS NOT NULL`;
    prepare.push(
      `CREATE OR REPLACE TEMP TABLE _scope AS ${union([...(has('cases') ? [`SELECT row_id FROM _changed WHERE tbl = 'cases'`] : []), ...marks()])}`,
      // The one read of cases: every case the steps below read, as it is before the change (the columns they read).
      `CREATE OR REPLACE TEMP TABLE _case_rows AS SELECT ${CASE_ROW_COLUMNS} FROM cases WHERE id IN (SELECT id FROM _scope)`,
    );
    // ...and changed cases whose own columns the derived ones read moved (a first report set by hand, a merge):
    // compared with the row as it was, new cases included.
    const moved: string[] = [];
    for (const c of changed) {
      const t = tableNamed(c.tbl) as CopiedTable;
      if (t.derived?.via !== 'id' || c.whole) continue;
      const cols = selfReads(t.derived).map((col) => `x.${col} IS DISTINCT FROM o.${col}`);
      moved.push(`SELECT x.id FROM ${csv(t)} x LEFT JOIN _case_rows o ON o.id = x.id WHERE o.id IS NULL OR ${cols.join(' OR ')}`);
    }
    prepare.push(
      // (the same set as _scope when no case changed)
      `CREATE OR REPLACE TEMP TABLE _cases AS ${has('cases') ? union([...marks(), ...moved]) : 'SELECT id FROM _scope'}`,
      // The cases whose first report may change: the others keep what they say of it (no scan of reports).
      `CREATE OR REPLACE TEMP TABLE _cases_r AS ${union([...marks('reports'), ...moved])}`,
    );
    // Parents as their children read them, before the change: changed rows, and cases whose firsts may change.
    for (const parent of PARENTS) {
      const cols = new Set([...readByChildren(parent), ...derivedOf(parent)]);
      const [from, scope] =
        parent === 'cases'
          ? ['_case_rows', `(SELECT row_id FROM _changed WHERE tbl = 'cases' UNION SELECT id FROM _cases)`]
          : [parent, ids(parent)];
      prepare.push(`CREATE OR REPLACE TEMP TABLE _old_${parent} AS SELECT id, ${[...cols].join(', ')} FROM ${from} WHERE id IN ${scope}`);
    }
    for (const c of changed) {
      const t = tableNamed(c.tbl) as CopiedTable;
      prepare.push(c.whole ? `DELETE FROM ${t.name}` : `DELETE FROM ${t.name} WHERE id IN ${ids(t.name)}`);
      // Rows of a table that marks cases point only at cases in _case_rows (updated just above when cases changed).
      prepare.push(`INSERT INTO ${t.name} ${insertedRows(t, csv(t), !everything && t.marks ? { cases: '_case_rows' } : {})}`);
      if (t === cases && !everything)
        prepare.push(
          `DELETE FROM _case_rows WHERE id IN ${ids('cases')}`,
          `INSERT INTO _case_rows SELECT ${CASE_ROW_COLUMNS} FROM (${insertedRows(t, csv(t))})`,
        );
    }
    if (everything) {
      await run([...prepare, ...TABLES.flatMap((t) => (t.derived ? refreshSql(t, undefined) : []))]);
      return;
    }
    for (const parent of PARENTS) prepare.push(`CREATE OR REPLACE TEMP TABLE _fixed_${parent} (id INTEGER)`);
    const n = await counted(prepare, 'SELECT (SELECT count(*) FROM _cases) AS cases, (SELECT count(*) FROM _cases_r) AS reports');
    const pending =
      (n.cases ?? 0) > 0
        ? refreshSql(cases, '_cases', '_fixed_cases', { rowsFrom: '_case_rows', ...(n.reports ? {} : { without: 'reports' }) })
        : [];
    for (const parent of PARENTS) {
      const { n: touched = 0 } = await counted(
        pending.splice(0),
        `SELECT (SELECT count(*) FROM _old_${parent}) + (SELECT count(*) FROM _fixed_${parent}) AS n`,
      );
      if (!touched) continue;
      // The same rows as _old_<parent>, now (after the level above rewrote what it had to).
      pending.push(
        `CREATE OR REPLACE TEMP TABLE _new AS SELECT id, ${[...new Set([...readByChildren(parent), ...derivedOf(parent)])].join(', ')}
           FROM ${parent === 'cases' ? '_case_rows' : parent} WHERE id IN (SELECT id FROM _old_${parent})`,
      );
      for (const t of TABLES) {
        if (t.derived?.parent !== parent || t.derived.via === 'id') continue;
        // This child's rows are stale where their parent changed in a column they read: rows that were
        // there before and now differ, and rows whose derived columns the previous level rewrote.
        const reads = t.derived.columns.map((c) => c.expr.split('.')[1] as string);
        const differs = reads.map((c) => `n.${c} IS DISTINCT FROM o.${c}`).join(' OR ');
        // Rewritten rows not snapshotted before (new cases; decisions rewritten by the level above) count as moved
        // for a child reading derived columns; snapshotted ones are compared column by column.
        const rewritten = reads.some((c) => derivedOf(parent).includes(c))
          ? ` UNION SELECT id FROM _fixed_${parent} WHERE id NOT IN (SELECT id FROM _old_${parent})`
          : '';
        pending.push(
          `CREATE OR REPLACE TEMP TABLE _moved AS SELECT n.id FROM _new n JOIN _old_${parent} o ON o.id = n.id WHERE ${differs}${rewritten}`,
        );
        const { n: movedRows = 0 } = await counted(pending.splice(0), 'SELECT count(*) AS n FROM _moved');
        // The moved cases are all in _case_rows (they are among _old_cases or _fixed_cases).
        if (movedRows > 0)
          pending.push(
            ...refreshSql(t, '_moved', PARENTS.includes(t.name as never) ? `_fixed_${t.name}` : undefined, { cases: '_case_rows' }),
          );
      }
    }
    await run(pending);
  }

  private async build(): Promise<void> {
    const log = this.opts.log;
    this.state = 'building';
    this.progress = { table: TABLES[0]?.name ?? '', rowsLoaded: 0, rowsExpected: 0, fraction: 0 };
    const started = Date.now();
    const work = this.workDir();
    log.info('analytics: building the copy from Postgres', { file: this.slot.file });
    try {
      mkdirSync(work, { recursive: true });
      const loadedRows = new Map<string, number>();
      let lastLog = 0;
      const report = (table: string, rows: number, expected: number) => {
        loadedRows.set(table, rows);
        const loaded = [...loadedRows.values()].reduce((a, b) => a + b, 0);
        const total = Math.max(expected, loaded);
        this.progress = { table, rowsLoaded: loaded, rowsExpected: total, fraction: total ? loaded / total : 0 };
        if (Date.now() - lastLog >= 5000) {
          lastLog = Date.now();
          log.info('analytics: building', { table, rows: loaded, of: total, percent: Math.floor((100 * loaded) / (total || 1)) });
        }
      };
      // Postgres streams on three connections sharing one snapshot (an exported one): each table a case reads
      // (reports, decisions) on one of its own, so DuckDB can stage both early, and the rest on the third (two
      // streams: the tables a case reads on one; one stream: everything in turn). DuckDB fills each table,
      // derived columns included, as soon as the files it reads are there.
      const isSource = (t: CopiedTable) => (SOURCES as readonly string[]).includes(t.name);
      const streams = this.opts.copyStreams ?? 3;
      const sources = TABLES.filter(isSource);
      const rest = TABLES.filter((t) => !isSource(t));
      const queues = streams <= 1 ? [[...sources, ...rest]] : streams === 2 ? [sources, rest] : [...sources.map((t) => [t]), rest];
      const file = (t: CopiedTable) => path.join(work, `${t.name}.csv`);
      const copied = new Map(TABLES.map((t) => [t.name, deferred()]));
      // The tables a case reads are staged in memory as soon as their files are there (while Postgres still
      // streams the rest), for the case's first decision and first report.
      const staged = Object.fromEntries(SOURCES.map((name) => [name, `_src_${name}`]));
      const lastReader = [...TABLES].reverse().find((t) => SOURCES.some((name) => t.derived?.joins.includes(`{${name}}`)));
      await this.writer.run('BEGIN TRANSACTION');
      const duck = (async () => {
        for (const t of TABLES.filter(isSource)) {
          await copied.get(t.name)?.promise;
          this.assertOpen();
          const cols = SOURCE_COLUMNS[t.name as (typeof SOURCES)[number]].join(', ');
          await this.writer.run(`CREATE OR REPLACE TEMP TABLE _src_${t.name} AS SELECT ${cols} FROM ${readCsv(t, file(t))}`);
          log.debug('analytics: staged in DuckDB', { table: t.name, ms: Date.now() - started });
        }
        for (const t of TABLES) {
          await copied.get(t.name)?.promise;
          this.assertOpen();
          await this.writer.run(`DROP TABLE IF EXISTS ${t.name}`);
          await this.writer.run(duckDdl(t));
          await this.writer.run(`INSERT INTO ${t.name} ${rowsWithDerived(t, readCsv(t, file(t)), staged)}`);
          log.debug('analytics: loaded into DuckDB', { table: t.name, ms: Date.now() - started });
          // Once the last table reading the staged rows (cases) is in, their memory goes back before the big
          // tables load (which parse their files again: faster than reading a staged table that spilled).
          if (t === lastReader) for (const name of SOURCES) await this.writer.run(`DROP TABLE IF EXISTS _src_${name}`);
        }
      })();
      // A DuckDB failure (a value it cannot take, the disk full) ends the build at once: the copies still
      // streaming from Postgres (minutes at 10 M rows) are cut off, and the DuckDB error is the one reported.
      let duckFailed: Error | undefined;
      duck.catch((err: Error) => {
        if (this.closed) return;
        duckFailed = err;
        this.pg.cancel().catch(() => {});
      });
      try {
        const head = await this.pg.inSnapshot(async (client) => {
          const head = await readHead(client);
          this.identity = await databaseIdentity(client);
          const expected = await expectedRows(client);
          const copyAll = async (c: Client, tables: CopiedTable[]) => {
            for (const t of tables) {
              this.assertOpen();
              const rows = await copyToFile(c, wireSelect(t), file(t), (n) => report(t.name, n, expected));
              log.debug('analytics: copied from Postgres', { table: t.name, rows, ms: Date.now() - started });
              copied.get(t.name)?.resolve();
            }
          };
          const [first, ...others] = queues;
          if (!others.length) {
            await copyAll(client, first ?? []);
            return head;
          }
          const exported = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id as string;
          await Promise.all([
            copyAll(client, first ?? []),
            ...others.map((tables) => this.pg.inSnapshot((helper) => copyAll(helper, tables), { snapshot: exported, separate: true })),
          ]);
          return head;
        });
        await duck;
        this.assertOpen();
        await this.writeMeta({
          snapshot: head.snapshot,
          identity: this.identity,
          schema: SCHEMA_HASH,
          generation: String(head.generation),
        });
        await this.writer.run('COMMIT');
        this.snapshot = head.snapshot;
        this.persisted = { snapshot: head.snapshot, at: Date.now() };
        this.generation = head.generation;
        this.identityChecked = true;
      } catch (err) {
        for (const d of copied.values()) d.reject(err as Error);
        await duck.catch(() => {});
        await this.writer.run('ROLLBACK').catch(() => {});
        throw duckFailed ?? err;
      }
      await this.writer.run('CHECKPOINT');
      this.needsBuild = false;
      this.state = 'ready';
      this.progress = undefined;
      this.error = undefined;
      this.syncedAt = started;
      await this.countRows();
      log.info('analytics: copy built', { file: this.slot.file, rows: this.rows, seconds: (Date.now() - started) / 1000 });
    } catch (err) {
      if (this.closed) {
        log.info('analytics: the build stopped: the copy is closing (the next start builds it again)', { file: this.slot.file });
        throw err;
      }
      this.state = 'failed';
      this.error = (err as Error).message;
      log.error('analytics: building the copy failed', { file: this.slot.file, err: { message: (err as Error).message } });
      throw err;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  private async verify(): Promise<{ tables: string[]; days: number; differences: VerifyDifference[] }> {
    const facts = TABLES.filter((t) => t.day);
    const pgSql = facts
      .map(
        (t) =>
          `SELECT '${t.name}' AS tbl, to_char(("${t.day}" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, count(*)::int AS n FROM "${t.name}" GROUP BY 2`,
      )
      .join(' UNION ALL ');
    const duckSql = facts
      .map(
        (t) =>
          `SELECT '${t.name}' AS tbl, strftime(timezone('UTC', ${t.day}), '%Y-%m-%d') AS day, count(*)::INTEGER AS n FROM ${t.name} GROUP BY 2`,
      )
      .join(' UNION ALL ');
    type DayCount = { tbl: string; day: string | null; n: number };
    const out = await this.step<DayCount[], DayCount[]>({
      pg: async (client) => (await client.query<DayCount>(pgSql)).rows,
      duck: async (conn) => (await readerOn(conn).query<DayCount>(duckSql)) as DayCount[],
    });
    const key = (r: DayCount) => `${r.tbl}|${r.day ?? 'none'}`;
    const pg = new Map((out.pg ?? []).map((r) => [key(r), r.n]));
    const duck = new Map((out.duck ?? []).map((r) => [key(r), r.n]));
    const differences: VerifyDifference[] = [];
    for (const k of [...new Set([...pg.keys(), ...duck.keys()])].sort()) {
      const [table, day] = k.split('|') as [string, string];
      const p = pg.get(k) ?? 0;
      const d = duck.get(k) ?? 0;
      if (p !== d) differences.push({ table, day, postgres: p, analytics: d });
    }
    return { tables: facts.map((t) => t.name), days: pg.size, differences };
  }

  private async prune(retentionMs: number): Promise<{ deleted: number; horizon: string | null }> {
    const out = await this.pg.inTransaction(async (client) => {
      await client.query('INSERT INTO analytics_prune_marks (snapshot_xmin) VALUES (pg_snapshot_xmin(pg_current_snapshot()))');
      const mark = await client.query<{ xmin: string; taken_at: Date }>(
        `SELECT snapshot_xmin::text AS xmin, taken_at FROM analytics_prune_marks
          WHERE taken_at <= now() - make_interval(secs => $1::float8 / 1000) ORDER BY taken_at DESC, id DESC LIMIT 1`,
        [retentionMs],
      );
      const m = mark.rows[0];
      if (!m) return { deleted: 0, horizon: null };
      const deleted = await client.query('DELETE FROM analytics_changes WHERE xid < $1::xid8', [m.xmin]);
      const horizon = await client.query<{ horizon: string }>(
        `UPDATE analytics_horizon SET horizon = greatest(coalesce(horizon, '0'::xid8), $1::xid8), pruned_at = now()
          WHERE id = 1 RETURNING horizon::text AS horizon`,
        [m.xmin],
      );
      await client.query('DELETE FROM analytics_prune_marks WHERE taken_at < $1', [m.taken_at]);
      return { deleted: deleted.rowCount ?? 0, horizon: horizon.rows[0]?.horizon ?? null };
    });
    this.lastPrune = Date.now();
    if (out.deleted) this.opts.log.info('analytics: change log pruned', out);
    return out;
  }

  private async maybePrune(): Promise<void> {
    const every = this.opts.pruneEveryMs ?? 3_600_000;
    if (every <= 0 || Date.now() - this.lastPrune < every) return;
    await this.prune(this.opts.retentionMs ?? 7 * DAY_MS).catch((err) =>
      this.opts.log.warn('analytics: pruning the change log failed', { err: { message: (err as Error).message } }),
    );
  }

  private async inWriteTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.writer.run('COMMIT');
      return out;
    } catch (err) {
      await this.writer.run('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /** Writes the snapshot the copy is at to the file, when it moved without a change to apply. */
  private async persistSnapshot(): Promise<void> {
    const snapshot = this.snapshot;
    if (this.needsBuild || !snapshot || snapshot === this.persisted.snapshot) return;
    await this.inWriteTransaction(() => this.writeMeta({ snapshot }));
    this.persisted = { snapshot, at: Date.now() };
  }

  /** Sets the given keys, in one script (the values came from Postgres or from us; quoted as literals). */
  private async writeMeta(values: Meta): Promise<void> {
    const set = Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined);
    if (!set.length) return;
    await this.writer.run(
      `DELETE FROM _analytics_meta WHERE key IN (${set.map(([k]) => literal(k)).join(', ')});
       INSERT INTO _analytics_meta VALUES ${set.map(([k, v]) => `(${literal(k)}, ${literal(v)})`).join(', ')}`,
    );
  }

  /** Rows per fact table, for the status: of `tables` (those a catch-up inserted into or deleted from), else all. */
  private async countRows(tables: readonly string[] = FACT_TABLES): Promise<void> {
    const counted = FACT_TABLES.filter((t) => tables.includes(t));
    if (!counted.length) return;
    const sql = counted.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL ');
    const rows = await readerOn(this.writer).query<{ t: string; n: number }>(sql);
    this.rows = { ...this.rows, ...Object.fromEntries(rows.map((r) => [r.t, r.n])) };
  }

  private workDir(): string {
    return `${this.slot.file}.load`;
  }

  /** Throws once close() began: a build stops between its statements (the running one is interrupted). */
  private assertOpen(): void {
    if (this.closed) throw new Error('analytics: the copy is closed');
  }

  /**
   * Stops whatever runs: a build (minutes at 10 M rows) is aborted, not awaited, by ending the Postgres
   * connections (their COPY streams fail) and interrupting DuckDB's statement. The build's DuckDB transaction
   * then rolls back, so the file keeps what it had before (a file never built is built at the next start).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.pg.abort();
    this.writer.interrupt();
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.chain.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!settled) {
      // DuckDB is still inside a statement: closing it under that statement is not safe, and the process is
      // on its way out; the file's last commit stands.
      this.opts.log.warn('analytics: closing did not stop the running task in time; the file is left open', { file: this.slot.file });
      return;
    }
    await this.persistSnapshot().catch((err) =>
      this.opts.log.warn('analytics: keeping the snapshot at close failed', { err: { message: (err as Error).message } }),
    );
    for (const conn of this.readers.splice(0)) conn.closeSync();
    this.writer.closeSync();
    this.slot.instance.closeSync();
    this.slot.release();
    await this.pg.close();
  }
}

async function readHead(client: Client): Promise<Head> {
  const res = await client.query<{ snapshot: string; horizon: string | null; generation: number }>(
    'SELECT pg_current_snapshot()::text AS snapshot, horizon::text AS horizon, generation FROM analytics_horizon WHERE id = 1',
  );
  const row = res.rows[0];
  if (!row) throw new Error('analytics_horizon has no row: are the migrations applied?');
  return row;
}

/**
 * The copied columns of `t` as read from a CSV file Postgres wrote (wireSelect): instants travel as integer
 * microseconds since the epoch, made TIMESTAMPTZ again here (a third of the CSV bytes and far cheaper to parse
 * than ISO text, on both sides).
 */
function readCsv(t: CopiedTable, file: string): string {
  const types = t.columns.map((c) => `'${c.name}': '${c.type === 'TIMESTAMPTZ' ? 'BIGINT' : c.type}'`).join(', ');
  const cols = t.columns.map((c) => (c.type === 'TIMESTAMPTZ' ? `make_timestamptz(${c.name}) AS ${c.name}` : c.name));
  return `(SELECT ${cols.join(', ')} FROM read_csv(${literal(file)}, ${CSV}, columns = {${types}}))`;
}

/**
 * Recomputes a table's derived columns for every row, or for the rows whose `via` is in the temp table
 * `scope`, writing only the rows whose values differ (and noting their ids in `noteIn` when given).
 * `rowsFrom`: a temp table holding the current rows in scope (read instead of the table, and kept in step);
 * `cases`: the relation `{cases}` stands for; `without`: a source none of these rows' values read changed, whose
 * columns are kept as they are instead of joined again.
 */
function refreshSql(
  t: CopiedTable,
  scope: string | undefined,
  noteIn?: string,
  opts: { rowsFrom?: string; cases?: string; without?: (typeof SOURCES)[number] } = {},
): string[] {
  const d = t.derived;
  if (!d) throw new Error(`${t.name} has no derived columns`);
  const sources: Sources = scope ? { decisions: `(SELECT * FROM decisions WHERE case_id IN (SELECT id FROM ${scope}))` } : {};
  if (opts.cases) sources.cases = opts.cases;
  const skipped = opts.without ? aliasOf(d, opts.without) : undefined;
  if (opts.without && skipped) sources[opts.without] = `(SELECT * FROM ${opts.without} LIMIT 0)`;
  const expr = (c: Column & { expr: string }) => (skipped && new RegExp(`\\b${skipped}\\.`).test(c.expr) ? `x.${c.name}` : c.expr);
  const exprs = d.columns.map((c) => `${expr(c)} AS ${c.name}`).join(', ');
  // The scope narrows the rows first, so that each join is built from the few rows in it; the rows carry
  // their current derived values, so the stale ones are found in the same pass.
  // Stale rows read from the table itself are updated by rowid (stable within the transaction): a join on
  // rowid skips every other row group, where one on id scans the whole id column (~15 ms at 10 M reports).
  const byRowid = !opts.rowsFrom;
  const where = scope ? ` WHERE ${d.via} IN (SELECT id FROM ${scope})` : '';
  const rows = `(SELECT *${byRowid ? ', rowid AS _rid' : ''} FROM ${opts.rowsFrom ?? t.name}${where})`;
  const differs = d.columns.map((c) => `x.${c.name} IS DISTINCT FROM ${expr(c)}`).join(' OR ');
  const set = d.columns.map((c) => `${c.name} = s.${c.name}`).join(', ');
  const [rid, match] = byRowid ? [', x._rid', `${t.name}.rowid = s._rid`] : ['', `${t.name}.id = s.id`];
  return [
    `CREATE OR REPLACE TEMP TABLE _stale AS SELECT x.id${rid}, ${exprs} FROM ${rows} x ${joinsOf(d, sources)} WHERE ${differs}`,
    ...(noteIn ? [`INSERT INTO ${noteIn} SELECT id FROM _stale`] : []),
    `UPDATE ${t.name} SET ${set} FROM _stale s WHERE ${match}`,
    ...(opts.rowsFrom ? [`UPDATE ${opts.rowsFrom} SET ${set} FROM _stale s WHERE ${opts.rowsFrom}.id = s.id`] : []),
  ];
}

/**
 * Rows in the copied tables, for progress: the planner's density times each table's current size, or an
 * exact count for a table never analyzed (a fresh bulk load).
 */
async function expectedRows(client: Client): Promise<number> {
  const res = await client.query<{ name: string; n: string | null }>(
    `SELECT relname AS name,
            CASE WHEN relpages > 0 THEN (reltuples / relpages * (pg_relation_size(oid) / current_setting('block_size')::int))::bigint::text
                 WHEN pg_relation_size(oid) = 0 THEN '0' END AS n
       FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname = ANY($1)`,
    [TABLES.map((t) => t.name)],
  );
  let total = 0;
  for (const row of res.rows) {
    const n = row.n ?? (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${row.name}"`)).rows[0]?.n;
    total += Number(n ?? 0);
  }
  return total;
}

function deferred(): { promise: Promise<void>; resolve(): void; reject(err: Error): void } {
  let resolve: () => void = () => {};
  let reject: (err: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
