import { ConfigError } from '../config';
import { redact } from '../logger';

/** Runs a command-line entry point: a failure prints one line (never a stack trace) and exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const prefix = err instanceof ConfigError ? 'configuration error: ' : 'error: ';
      process.stderr.write(`${redact(prefix + message.split('\n')[0], [])}\n`);
      process.exit(1);
    },
  );
}
