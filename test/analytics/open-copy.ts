// A second process opening an analytics copy in the directory given: prints the file it got, then waits
// for stdin to close (the test holds it open as long as it needs both copies open).
import { openAnalytics } from '../../src/analytics';
import { silentLogger } from '../../src/logger';

(async () => {
  const [databaseUrl, dir] = process.argv.slice(2) as [string, string];
  const engine = await openAnalytics({
    databaseUrl,
    dir,
    memory: '256MB',
    threads: 1,
    log: silentLogger,
    syncIntervalMs: 0,
    pruneEveryMs: 0,
  });
  const n = await engine.read(async (r) => (await r.query<{ n: number }>('SELECT count(*) AS n FROM decisions'))[0]?.n);
  process.stdout.write(`${JSON.stringify({ file: engine.file, decisions: n })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await engine.close();
    process.exit(0);
  });
})().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
