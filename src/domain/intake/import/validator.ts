import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IntakeContext } from '../context';
import { CsvError } from '../csv';
import type { RowError } from './columns';
import type { FromValidator, ToValidator } from './protocol';
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

export type Validated = { rows: number; failed: number; errors: RowError[] };

/**
 * Reads and validates a reports CSV in a worker thread. `copy` receives the good rows as COPY lines
 * (the file is not read further until the promise it returns settles); `progress` the rows read so far.
 * A broken file rejects with the CsvError the reader raised, as if it had been read here.
 */
export function validateInWorker(
  ctx: IntakeContext,
  input: AsyncIterable<Uint8Array | string>,
  on: { copy(data: Uint8Array): Promise<void> | undefined; progress(rows: number): void },
): Promise<Validated> {
  const worker = takeWorker();
  worker.ref();
  const post = (m: ToValidator) => worker.postMessage(m);
  const source = input[Symbol.asyncIterator]();
  let credits = 0;
  let feeding = false;
  let ended = false;
  let pending: Promise<void> | undefined;
  let settled = false;

  return new Promise<Validated>((resolve, reject) => {
    // After 'done' or a refused file the worker's run is over and it can take the next import.
    const finish = (err: Error | undefined, value?: Validated, reusable = false) => {
      if (settled) return;
      settled = true;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable) giveBack(worker);
      else void worker.terminate();
      // An input we stop reading early (a broken file, an error) is still released.
      if (!ended) void Promise.resolve(source.return?.()).catch(() => {});
      if (err) reject(err);
      else resolve(value!);
    };
    const feed = async () => {
      if (feeding) return;
      feeding = true;
      try {
        while (!settled && !ended && credits > 0) {
          if (pending) {
            await pending;
            pending = undefined;
            continue;
          }
          credits--;
          const step = await source.next();
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
    const onMessage = (m: FromValidator) => {
      switch (m.type) {
        case 'pull':
          credits = Math.min(credits + 1, CHUNKS_AHEAD);
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
        case 'done':
          // The last COPY lines may still be on their way to Postgres.
          Promise.resolve(pending)
            .then(() => finish(undefined, { rows: m.rows, failed: m.failed, errors: m.errors }, true))
            .catch((err: Error) => finish(err));
          return;
        case 'failed':
          if (m.csv) finish(new CsvError(m.csv.message, m.csv.line), undefined, true);
          else finish(new Error(`import validation failed: ${m.message}`));
          return;
      }
    };
    const onError = (err: Error) => finish(err);
    const onExit = (code: number) => finish(new Error(`the import's validator thread stopped (exit code ${code})`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    post({ type: 'start', ctx: ctx as unknown as ContextData });
    credits = CHUNKS_AHEAD;
    void feed();
  });
}
