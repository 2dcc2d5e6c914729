// npm run import -- <reports|decisions|qa-reviews> <file.csv>
// Imports a vendor spreadsheet into DATABASE_URL (or the embedded database) exactly as
// POST /api/v1/imports/<kind> does. Exit code 0: every row imported; 2: some rows were refused.
import { createReadStream, statSync } from 'node:fs';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { domainDeps } from '../domain/deps';
import { IMPORT_KINDS, type ImportKind, importCsv } from '../domain/intake/import';
import { createLogger } from '../logger';
import { runCli } from './run';

const USAGE = `usage: npm run import -- <${IMPORT_KINDS.join('|')}> <file.csv>`;

runCli(async () => {
  const [kind, path] = process.argv.slice(2);
  if (!kind || !(IMPORT_KINDS as readonly string[]).includes(kind) || !path) throw new Error(USAGE);
  const file: string = path;
  const size = statSync(file).size;
  const config = loadConfig();
  const log = createLogger({ level: 'warn', secrets: config.secrets });
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TRUSTOPS_DATA_DIR, poolSize: 2 });
  try {
    let bytes = 0;
    // Counts bytes as the importer pulls them (a 'data' listener would start the stream too early).
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    const started = Date.now();
    const progress = (rows: number) => {
      const line = `importing ${kind}: ${Math.floor((bytes / Math.max(size, 1)) * 100)} % of the file, ${rows.toLocaleString('en-US')} rows`;
      process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
    };
    const deps = domainDeps(config, { db: db.prisma, clock: systemClock, log });
    const result = await importCsv(
      deps,
      { id: `cli:${process.env.USER ?? 'unknown'}`, origin: 'cli' },
      kind as ImportKind,
      counted(),
      progress,
    );
    if (process.stdout.isTTY) process.stdout.write('\n');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${result.rows} rows in ${seconds} s: ${result.imported} imported, ${result.replayed} already there, ${result.failed} refused`,
    );
    for (const e of result.errors.slice(0, 20)) console.log(`  row ${e.row} (line ${e.line}), ${e.column}: ${e.message}`);
    if (result.errors.length > 20) console.log(`  … and ${result.errors.length - 20} more`);
    if (result.failed > 0) process.exitCode = 2;
  } finally {
    await db.close();
  }
});
