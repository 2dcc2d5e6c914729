// npm run bench [-- <name> …]: runs the benchmarks and writes bench/results/<name>.json and .md.
// Figures are measured on the machine it runs on; nothing here is asserted.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyrightBench } from './copyright';
import { delivery } from './delivery';
import { digestsBench } from './digests';
import { dsaReportBench } from './dsa-report';
import { escalationClicks } from './escalation-clicks';
import { importBench } from './import';
import { intakeLoad } from './intake-load';
import { metricsBench } from './metrics';
import { slaScanBench } from './sla-scan';
import { soakBench } from './soak';
import { startup } from './startup';

export type BenchResult = { name: string; description: string; machine: string; at: string; figures: Record<string, number | string> };

const BENCHES: Record<string, () => Promise<BenchResult>> = { startup, import: importBench, 'intake-load': intakeLoad };
BENCHES['sla-scan'] = slaScanBench;
BENCHES.delivery = delivery;
BENCHES['escalation-clicks'] = escalationClicks;
BENCHES.metrics = metricsBench;
BENCHES.digests = digestsBench;
BENCHES['dsa-report'] = dsaReportBench;
BENCHES.copyright = copyrightBench;
// Last: 30 minutes of mixed traffic (BENCH_SOAK_MINUTES).
BENCHES.soak = soakBench;

async function main() {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    console.log(`== ${name}`);
    const result = await bench();
    const dir = path.resolve(__dirname, 'results');
    writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
    writeFileSync(
      path.join(dir, `${name}.md`),
      `# ${name}\n\n${result.description}\n\nMachine: ${result.machine}; run at ${result.at}.\n\n| figure | value |\n| --- | --- |\n${rows.join('\n')}\n`,
    );
    console.table(result.figures);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
