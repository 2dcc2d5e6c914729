import { buildOverview, missedTargets, overviewCsv, slaProportion } from '../../../src/domain/digests/overview';
import { card } from './cards';

describe('the overview ranking', () => {
  const a = card({ key: 'alpha', fa: [99, 1], res: [99, 1], qa: [50, 100] });
  const b = card({ key: 'bravo', fa: [97, 3], res: [97, 3], qa: [99, 100] });
  const c = card({ key: 'charlie', fa: [40, 60], res: [40, 60], qa: [98, 100] });
  const d = card({ key: 'delta', fa: [0, 0], res: [0, 0], qa: [0, 0] });
  const o = buildOverview([d, c, b, a]);

  it('ranks by SLA attainment over both targets and, apart, by QA accuracy, vendors with nothing to measure last', () => {
    expect(o.bySla.map((r) => r.card.vendor.key)).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(o.byQa.map((r) => r.card.vendor.key)).toEqual(['bravo', 'charlie', 'alpha', 'delta']);
    expect(o.bySla.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(slaProportion(a)).toMatchObject({ k: 198, n: 200 });
  });

  it('marks a vendor whose interval overlaps the one above as within the noise', () => {
    // 198/200 (0.9642–0.9973) and 194/200 (0.9361–0.9864) overlap; 80/200 (0.3350–0.4690) is clear of both.
    expect(o.bySla.map((r) => r.withinNoiseOfAbove)).toEqual([false, true, false, false]);
    // QA: 99/100 and 98/100 overlap; 50/100 does not; no reviews is never "within the noise".
    expect(o.byQa.map((r) => r.withinNoiseOfAbove)).toEqual([false, true, false, false]);
  });

  it('lists the targets each vendor missed', () => {
    expect(missedTargets(a)).toEqual(['qa_accuracy']);
    expect(missedTargets(b)).toEqual([]);
    expect(missedTargets(c)).toEqual(['first_action', 'resolution']);
    expect(missedTargets(d)).toEqual([]);
    expect(o.missedTargets.get(c.vendor.id)).toEqual(['first_action', 'resolution']);
  });

  it('gives the full table as CSV, one row per vendor in SLA order, safe to open in a spreadsheet', () => {
    const hostile = card({ key: 'evil', name: '=HYPERLINK("https://evil.example","x"), "quoted"\nline' });
    const csv = overviewCsv(buildOverview([a, hostile]));
    const lines = csv.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]!.split(',').slice(0, 7)).toEqual([
      'vendor',
      'vendor_name',
      'date',
      'time_zone',
      'sla_rank',
      'sla_within_noise_of_above',
      'sla_attainment',
    ]);
    expect(lines[1]!.startsWith('alpha,ALPHA,2026-11-01,America/New_York,1,false,0.99,')).toBe(true);
    // The name is quoted, its quotes doubled, and the leading = defused.
    expect(csv).toContain('"\'=HYPERLINK(""https://evil.example"",""x""), ""quoted""\nline"');
    expect(lines[1]!.endsWith(',qa_accuracy')).toBe(true);
  });
});
