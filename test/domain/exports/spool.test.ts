import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { spoolToFile } from '../../../src/domain/exports/spool';

const line = (i: number) => `${i},Zoë 日本 🚀,${'x'.repeat(i % 7)}\r\n`;

async function* lines(count: number): AsyncGenerator<string> {
  for (let i = 1; i <= count; i++) yield line(i);
}

const spoolDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('trustops-spool-'));

describe('spoolToFile', () => {
  it('spools 200k multi-byte lines, counting the exact bytes and reporting progress every 10k rows', async () => {
    const progress: [number, number][] = [];
    const spooled = await spoolToFile(lines(200_000), { onProgress: (rows, bytes) => progress.push([rows, bytes]) });
    try {
      expect(spooled.rows).toBe(200_000);
      expect(spooled.bytes).toBe((await stat(spooled.path)).size);
      expect(progress.map(([rows]) => rows)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10_000));
      let expected = 0;
      for (let i = 1; i <= 10_000; i++) expected += Buffer.byteLength(line(i));
      expect(progress[0]).toEqual([10_000, expected]);
      expect(progress.at(-1)).toEqual([200_000, spooled.bytes]);
      const text = await readFile(spooled.path, 'utf8');
      expect(text.startsWith(line(1) + line(2))).toBe(true);
      expect(text.endsWith(line(200_000))).toBe(true);
    } finally {
      await spooled.cleanup();
    }
    expect(existsSync(dirname(spooled.path))).toBe(false);
  });

  it('takes a plain iterable and honours progressEvery; cleanup can run twice', async () => {
    const progress: number[] = [];
    const spooled = await spoolToFile(['a\r\n', 'é\r\n', 'c\r\n'], { progressEvery: 2, onProgress: (rows) => progress.push(rows) });
    expect(await readFile(spooled.path, 'utf8')).toBe('a\r\né\r\nc\r\n');
    expect(spooled).toMatchObject({ rows: 3, bytes: 10 });
    expect(progress).toEqual([2]);
    await spooled.cleanup();
    await spooled.cleanup();
    expect(existsSync(spooled.path)).toBe(false);
  });

  it('writes an empty file for no lines', async () => {
    const spooled = await spoolToFile([]);
    expect(spooled).toMatchObject({ rows: 0, bytes: 0 });
    expect((await stat(spooled.path)).size).toBe(0);
    await spooled.cleanup();
  });

  it('when the source fails midway, removes the file and rethrows', async () => {
    const before = new Set(await spoolDirs());
    async function* failing() {
      yield* lines(50_000);
      throw new Error('database went away');
    }
    await expect(spoolToFile(failing())).rejects.toThrow('database went away');
    expect((await spoolDirs()).filter((d) => !before.has(d))).toEqual([]);
  });

  it('rejects a progressEvery that is not a positive integer', async () => {
    await expect(spoolToFile([], { progressEvery: 0 })).rejects.toThrow(RangeError);
  });
});
