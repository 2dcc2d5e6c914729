import { randomBytes } from 'node:crypto';
import { apiRoutes } from '../../src/http/api';
import { startTestApp, type TestApp } from '../support/app';
import { adminQuery } from '../support/postgres';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const auditCount = () => t.db.prisma.auditEvent.count();

describe('request verification on POST /slack/events', () => {
  it('answers 401 to a wrong signature and leaves no trace in the database', async () => {
    const before = await auditCount();
    const res = await t.slack.command('help', { userId: 'U0EVIL001' }, { signature: 'v0=deadbeef' });
    expect(res.status).toBe(401);
    expect(await auditCount()).toBe(before);
  });

  it('answers 401 to a correctly signed request older than five minutes', async () => {
    const before = await auditCount();
    const res = await t.slack.command('help', { userId: 'U0EVIL001' }, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(await auditCount()).toBe(before);
  });

  it.each([
    ['an unsigned body', 'hello', { signature: '' }],
    ['a signed payload that is not JSON', 'payload=%7Bnot-json', {}],
    ['a signed empty body', '', {}],
    ['signed JSON that is not an event', '{"hello":', { headers: { 'content-type': 'application/json' } }],
  ])('answers %s with a 4xx and keeps serving', async (_name, body, overrides) => {
    const res = await t.slack.raw(body, {}, overrides);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('GET /healthz', () => {
  it('is ok when the database answers', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', db: 'ok' });
  });

  it('answers 503 naming the database while it is gone, and recovers when it is back', async () => {
    await adminQuery(`ALTER DATABASE ${t.db.name} ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.db.name}'`);
    try {
      const down = await fetch(`${t.baseUrl}/healthz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { status: string; db: string };
      expect(body.status).toBe('degraded');
      expect(body.db).toMatch(/^unreachable: /);
    } finally {
      await adminQuery(`ALTER DATABASE ${t.db.name} ALLOW_CONNECTIONS true`);
    }
    const up = await fetch(`${t.baseUrl}/healthz`);
    expect(up.status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('exposes request and Slack interaction counters in Prometheus format', async () => {
    await t.command('help');
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/trustops_http_requests_total\{route="\/slack\/events",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/trustops_http_requests_total\{route="\/slack\/events",method="POST",status="401"\} \d+/);
    expect(text).toMatch(/trustops_slack_interactions_total\{kind="command"\} \d+/);
    expect(text).toContain('# TYPE trustops_job_runs_total counter');
  });

  it('answers 404 on an unknown path', async () => {
    expect((await fetch(`${t.baseUrl}/nope`)).status).toBe(404);
  });

  it('labels requests by route pattern, so 500 random paths add a handful of series and /metrics stays small', async () => {
    const series = (text: string) => text.split('\n').filter((l) => l.startsWith('trustops_http_requests_total{'));
    const before = await (await fetch(`${t.baseUrl}/metrics`)).text();
    const random = () => randomBytes(8).toString('hex');
    for (let i = 0; i < 500; i++) {
      const path = [
        `/api/v1/${random()}`,
        `/api/v1/reports/${random()}`,
        `/api/v1/imports/${random()}`,
        `/${random()}/${'x'.repeat(2000)}`,
        `/api/v1/imports/${random()}/${random()}`,
      ][i % 5];
      await fetch(`${t.baseUrl}${path}?q=${random()}`, { method: i % 2 ? 'GET' : 'POST' }).then((r) => r.arrayBuffer());
    }
    const after = await (await fetch(`${t.baseUrl}/metrics`)).text();

    // Only patterns from the route table, or "other": no path that was sent.
    const table = ['/slack/events', '/healthz', '/metrics', ...apiRoutes(t.running.deps, undefined).map((r) => r.path), 'other'];
    const routes = new Set(series(after).map((l) => /route="([^"]*)"/.exec(l)?.[1]));
    for (const route of routes) expect(table).toContain(route);
    expect(routes).toContain('/api/v1/imports/:kind');
    expect(routes).toContain('other');
    expect(series(after).length - series(before).length).toBeLessThanOrEqual(8);
    expect(after.length - before.length).toBeLessThan(4000);
  });
});
