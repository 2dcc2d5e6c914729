// A second process opening an analytics copy in the directory given: prints the file it got, then waits
// for stdin to close (the test holds it open as long as it needs both copies open). Each line on stdin asks
// for one more look-up (its count is printed). An optional third argument is persistEveryMs.
import { createInterface } from 'node:readline';
import { openAnalytics } from '../../src/analytics';
import { silentLogger } from '../../src/logger';

(async () => {
  const [databaseUrl, dir, persistEvery] = process.argv.slice(2) as [string, string, string | undefined];
  const engine = await openAnalytics({
    databaseUrl,
    dir,
    memory: '256MB',
    threads: 1,
    log: silentLogger,
    syncIntervalMs: 0,
    pruneEveryMs: 0,
    ...(persistEvery === undefined ? {} : { persistEveryMs: Number(persistEvery) }),
  });
  const count = () => engine.read(async (r) => (await r.query<{ n: number }>('SELECT count(*) AS n FROM decisions'))[0]?.n);
  process.stdout.write(`${JSON.stringify({ file: engine.file, decisions: await count() })}\n`);
  createInterface({ input: process.stdin }).on('line', async () => {
    process.stdout.write(`${JSON.stringify({ file: engine.file, decisions: await count() })}\n`);
  });
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await engine.close();
    process.exit(0);
  });
})().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
