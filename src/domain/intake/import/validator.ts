import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IntakeContext } from '../context';
import { CsvError } from '../csv';
import type { RowError } from './columns';
import type { FromValidator, JobData, RecordBatch, ToValidator } from './protocol';
import type { ContextData } from './report-rows';

// Runs worker.ts in a worker thread: from TypeScript sources (tsx, jest) through tsx's require hook,
// from a build as plain JavaScript.
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.entry.endsWith('.ts')) require(workerData.tsx).register();
require(workerData.entry);
`;
const ENTRY = path.join(__dirname, `worker${path.extname(__filename)}`);

/** Chunks of the file handed to the worker ahead of its reading: enough to keep it busy, no more. */
const CHUNKS_AHEAD = 2;

// Loading the worker's modules takes a second or more: a worker that finished an import cleanly waits,
// unreferenced, for the next one. Imports running at once each get their own.
// (Only listeners of our own are ever removed: Node keeps some of its own on a Worker.)
const idle: { worker: Worker; forget: () => void }[] = [];

function takeWorker(): Worker {
  const spare = idle.pop();
  if (spare) {
    spare.worker.off('exit', spare.forget);
    spare.worker.off('error', spare.forget);
    return spare.worker;
  }
  return new Worker(BOOT, { eval: true, workerData: { entry: ENTRY, tsx: require.resolve('tsx/cjs/api') } });
}

function giveBack(worker: Worker): void {
  worker.unref();
  if (idle.length > 0) {
    void worker.terminate();
    return;
  }
  // One that dies while idle is simply forgotten.
  const forget = () => {
    const at = idle.findIndex((s) => s.worker === worker);
    if (at >= 0) idle.splice(at, 1);
  };
  worker.once('exit', forget);
  worker.on('error', forget);
  idle.push({ worker, forget });
}

/** What the validators made of a file; `buckets`: the intake lock buckets of the external ids staged. */
export type Validated = { rows: number; failed: number; errors: RowError[]; buckets: number[] };

/** What the rows of an import are checked against (see JobData). */
export type ImportJob =
  | { kind: 'reports'; ctx: IntakeContext }
  | { kind: 'decisions' | 'qa-reviews'; now: Date }
  | { kind: 'notices'; ctx: IntakeContext; copyrightQueueId: number | null };

type Chunk = Uint8Array | string | RecordBatch;

/**
 * Validator threads per import. Each reads the whole file (reading is about a quarter of the work) and
 * validates its share of the rows, so two cores share the rest; one on a single core.
 */
export const VALIDATORS = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Reads and validates an import's CSV (any kind) in worker threads. `copy` receives the good rows as COPY lines
 * (the file is not read further until the promise it returns settles); `progress` the rows read so far.
 * A broken file rejects with the CsvError the reader raised, as if it had been read here.
 */
export async function validateInWorker(
  job: ImportJob,
  input: AsyncIterable<Uint8Array | string> | AsyncIterable<RecordBatch>,
  on: { copy(data: Uint8Array): Promise<void> | undefined; progress(rows: number): void },
): Promise<Validated> {
  // A notice's rows are grouped in file order: one validator reads them all, as records (RecordBatch).
  if (job.kind === 'notices') return validate(job, (input as AsyncIterable<Chunk>)[Symbol.asyncIterator](), [], 1, on);
  // A small file is not worth a second thread's start-up: look at its first megabytes first.
  const source = (input as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const head: IteratorResult<Uint8Array | string>[] = [];
  let headBytes = 0;
  while (headBytes < SMALL_FILE_BYTES) {
    const step = await source.next();
    head.push(step);
    if (step.done) break;
    headBytes += step.value.length;
  }
  const small = head.at(-1)?.done === true;
  return validate(job, source, head, small ? 1 : VALIDATORS, on);
}

const SMALL_FILE_BYTES = 4 << 20;

function validate(
  job: ImportJob,
  source: AsyncIterator<Chunk>,
  head: IteratorResult<Chunk>[],
  parts: number,
  on: { copy(data: Uint8Array): Promise<void> | undefined; progress(rows: number): void },
): Promise<Validated> {
  const workers = Array.from({ length: parts }, () => takeWorker());
  const credits = workers.map(() => CHUNKS_AHEAD);
  const outcomes: (Validated | undefined)[] = workers.map(() => undefined);
  // A worker whose run has ended (done, or the file refused); only those can take another import.
  const over = workers.map(() => false);
  const post = (m: ToValidator) => {
    for (const w of workers) w.postMessage(m);
  };
  let feeding = false;
  let ended = false;
  let pending: Promise<void> | undefined;
  let settled = false;

  return new Promise<Validated>((resolve, reject) => {
    const listeners = workers.map((worker, part) => {
      const onMessage = (m: FromValidator) => message(part, m);
      const onError = (err: Error) => finish(err);
      const onExit = (code: number) => finish(new Error(`the import's validator thread stopped (exit code ${code})`));
      worker.ref();
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      return () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
    });
    // After 'done' or a refused file a worker's run is over and it can take the next import.
    const finish = (err: Error | undefined, value?: Validated, reusable = false) => {
      if (settled) return;
      settled = true;
      for (const off of listeners) off();
      workers.forEach((w, part) => {
        if (reusable && over[part]) giveBack(w);
        else void w.terminate();
      });
      // An input we stop reading early (a broken file, an error) is still released.
      if (!ended) void Promise.resolve(source.return?.()).catch(() => {});
      if (err) reject(err);
      else resolve(value!);
    };
    const feed = async () => {
      if (feeding) return;
      feeding = true;
      try {
        while (!settled && !ended && Math.min(...credits) > 0) {
          if (pending) {
            await pending;
            pending = undefined;
            continue;
          }
          for (let k = 0; k < credits.length; k++) credits[k]!--;
          const step = head.shift() ?? (await source.next());
          if (settled) return;
          if (step.done) {
            ended = true;
            post({ type: 'end' });
          } else post({ type: 'chunk', data: step.value });
        }
      } catch (err) {
        finish(err as Error);
      } finally {
        feeding = false;
      }
    };
    const message = (part: number, m: FromValidator) => {
      switch (m.type) {
        case 'pull':
          credits[part] = Math.min(credits[part]! + 1, CHUNKS_AHEAD);
          void feed();
          return;
        case 'copy': {
          const wait = on.copy(m.data);
          if (wait) {
            // The writer is behind: stop handing out input until it has caught up.
            const p = wait.then(() => {
              if (pending === p) pending = undefined;
              void feed();
            });
            p.catch((err: Error) => finish(err));
            pending = p;
          }
          return;
        }
        case 'progress':
          on.progress(m.rows);
          return;
        case 'done': {
          over[part] = true;
          outcomes[part] = { rows: m.rows, failed: m.failed, errors: m.errors, buckets: m.buckets };
          if (outcomes.some((o) => o === undefined)) return;
          const all = outcomes as Validated[];
          const total = { rows: all[0]!.rows, failed: 0, errors: [] as RowError[], buckets: [] as number[] };
          for (const o of all) {
            total.failed += o.failed;
            total.errors.push(...o.errors);
            total.buckets.push(...o.buckets);
          }
          // The last COPY lines may still be on their way to Postgres.
          Promise.resolve(pending)
            .then(() => finish(undefined, total, true))
            .catch((err: Error) => finish(err));
          return;
        }
        case 'failed':
          over[part] = true;
          if (m.csv) finish(new CsvError(m.csv.message, m.csv.line), undefined, true);
          else finish(new Error(`import validation failed: ${m.message}`));
          return;
      }
    };
    // Structured clone keeps the context's data, not its classes: the worker revives them.
    const data: JobData =
      job.kind === 'reports'
        ? { kind: 'reports', ctx: job.ctx as unknown as ContextData }
        : job.kind === 'notices'
          ? { kind: 'notices', ctx: job.ctx as unknown as ContextData, copyrightQueueId: job.copyrightQueueId }
          : job;
    workers.forEach((w, part) => {
      w.postMessage({ type: 'start', job: data, part, parts } satisfies ToValidator);
    });
    void feed();
  });
}
