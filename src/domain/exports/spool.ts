import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export type SpoolOptions = {
  /** Called every `progressEvery` rows with the rows and UTF-8 bytes spooled so far. */
  onProgress?: (rows: number, bytes: number) => void;
  progressEvery?: number;
};

export type SpooledFile = {
  path: string;
  /** Exact size of the file in bytes, for Content-Length and Slack's `length`. */
  bytes: number;
  rows: number;
  /** Removes the file and its directory; safe to call twice. */
  cleanup(): Promise<void>;
};

/**
 * Writes `lines` (already terminated, e.g. by csvLine) to a fresh temp file as UTF-8, one line in memory
 * at a time. On any error, the source's or the disk's, the file is removed and the error rethrown.
 */
export async function spoolToFile(lines: AsyncIterable<string> | Iterable<string>, opts: SpoolOptions = {}): Promise<SpooledFile> {
  const every = opts.progressEvery ?? 10_000;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`progressEvery must be a positive integer, got ${every}`);
  const dir = await mkdtemp(join(tmpdir(), 'trustops-spool-'));
  const path = join(dir, 'spool');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let rows = 0;
  let bytes = 0;
  try {
    // pipeline awaits 'drain' for us, and destroys both ends when either fails.
    await pipeline(
      lines,
      async function* count(source: AsyncIterable<string> | Iterable<string>) {
        for await (const line of source) {
          rows += 1;
          bytes += Buffer.byteLength(line, 'utf8');
          yield line;
          if (rows % every === 0) opts.onProgress?.(rows, bytes);
        }
      },
      createWriteStream(path, { flags: 'wx' }),
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { path, bytes, rows, cleanup };
}
