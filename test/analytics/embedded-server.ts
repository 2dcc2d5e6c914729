// The embedded database (src/db/embedded.ts) in a process of its own: PGlite needs ES-module dynamic imports,
// which jest's sandbox refuses. Prints its URL, and stops when stdin closes.
import { startEmbeddedPostgres } from '../../src/db/embedded';

(async () => {
  const pg = await startEmbeddedPostgres(process.argv[2] as string);
  process.stdout.write(`${pg.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await pg.stop();
    process.exit(0);
  });
})().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
