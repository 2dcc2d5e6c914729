import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startMain, waitHealthy, waitUntil } from '../test/support/process';
import { machine } from './machine';
import type { BenchResult } from './run';

// Sandbox mode from nothing (embedded database created, migrated, seeded) and again on the same data.
async function timeToHealthy(dataDir: string): Promise<{ ms: number; commandMs: number }> {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const began = Date.now();
  const run = startMain({ PORT: String(port), TRUSTOPS_SANDBOX_PORT: String(sandboxPort), TRUSTOPS_DATA_DIR: dataDir });
  try {
    await waitHealthy(port, 180_000);
    const ms = Date.now() - began;
    // The sandbox's routes want this run's key, which the banner prints right after the bot listens.
    const key = await waitUntil('the banner', async () => /\?key=([\w-]+)/.exec(run.stdout())?.[1], 10_000);
    const sent = Date.now();
    const res = await fetch(`http://127.0.0.1:${sandboxPort}/sandbox/command`, {
      method: 'POST',
      headers: { 'x-sandbox-key': key },
      body: new URLSearchParams({ text: 'help' }),
    });
    if (res.status !== 200) throw new Error(`help answered ${res.status}`);
    return { ms, commandMs: Date.now() - sent };
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
}

export async function startup(): Promise<BenchResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustops-bench-'));
  try {
    const cold = await timeToHealthy(dataDir);
    const warm = await timeToHealthy(dataDir);
    return {
      name: 'startup',
      description:
        '`npm start` in sandbox mode (src/main.ts under tsx): time until /healthz answers 200, first on an empty data folder (create the embedded database, migrate, write demo data), then again on the same folder; and the round trip of a signed `/trustops help` through the emulator.',
      machine: machine(),
      at: new Date().toISOString(),
      figures: {
        'cold start to healthy (s)': +(cold.ms / 1000).toFixed(1),
        'warm start to healthy (s)': +(warm.ms / 1000).toFixed(1),
        '/trustops help round trip, cold process (ms)': cold.commandMs,
        '/trustops help round trip, warm process (ms)': warm.commandMs,
      },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
