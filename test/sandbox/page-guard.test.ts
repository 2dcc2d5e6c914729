import { request } from 'node:http';
import { createLogger } from '../../src/logger';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { accepts, externalAddresses, listeningAddresses } from '../support/sockets';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP request, so Host, Origin and Cookie are exactly what a browser (or an attacker's page) would send. */
function send(sandbox: Sandbox, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const { port } = new URL(sandbox.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { host: `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the sandbox page refuses whoever does not hold this run’s key, or comes from elsewhere', () => {
  let sandbox: Sandbox;
  let cookie: string;
  let origin: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, log: createLogger({ level: 'error', write: () => {} }) });
    origin = sandbox.baseUrl;
    const opened = await send(sandbox, { path: `/?key=${sandbox.key}` });
    cookie = String(opened.headers['set-cookie']).split(';')[0]!;
  });
  afterAll(() => sandbox.stop());

  it('swaps the key in the printed URL for an HttpOnly, SameSite=Strict cookie and drops it from the address', async () => {
    expect(sandbox.pageUrl).toBe(`${sandbox.baseUrl}/?key=${sandbox.key}`);
    const opened = await send(sandbox, { path: `/?key=${sandbox.key}` });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/');
    const setCookie = String(opened.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    // The cookie is a session of its own, not the key.
    expect(setCookie).not.toContain(sandbox.key);
    const page = await send(sandbox, { path: '/', headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('TrustOps sandbox');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('refuses the page, its data and its actions without the key or the cookie', async () => {
    for (const path of ['/', '/sandbox/view', '/sandbox/events', '/sandbox/state', '/files/F0000001/x.csv']) {
      expect((await send(sandbox, { path })).status).toBe(401);
    }
    for (const path of ['/sandbox/command', '/sandbox/action', '/sandbox/submit', '/sandbox/clock', '/sandbox/reset']) {
      const res = await send(sandbox, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{"text":"help"}' });
      expect(res.status).toBe(401);
    }
  });

  it('refuses a wrong key, and a forged cookie', async () => {
    expect((await send(sandbox, { path: '/?key=not-the-key' })).status).toBe(403);
    expect((await send(sandbox, { path: '/', headers: { cookie: `${cookie.split('=')[0]}=forged` } })).status).toBe(401);
    expect((await send(sandbox, { path: '/sandbox/view', headers: { 'x-sandbox-key': 'not-the-key' } })).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding), even with the cookie', async () => {
    const res = await send(sandbox, { path: '/sandbox/view', headers: { cookie, host: 'attacker.example' } });
    expect(res.status).toBe(421);
    // The key itself is refused under a foreign Host too.
    expect((await send(sandbox, { path: `/?key=${sandbox.key}`, headers: { host: 'attacker.example' } })).status).toBe(421);
  });

  it('refuses a request from another origin in the same browser, even though the browser attaches the cookie', async () => {
    const body = JSON.stringify({ user: 'U0DEMOADMIN', text: 'role <@U0EVIL> admin' });
    const foreign = await send(sandbox, {
      method: 'POST',
      path: '/sandbox/command',
      headers: { cookie, origin: 'http://attacker.example', 'content-type': 'application/json' },
      body,
    });
    expect(foreign.status).toBe(403);
    const crossSite = await send(sandbox, { path: '/sandbox/view', headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    // A page on another port of this machine is the same site, so the browser sends the cookie: still refused.
    const otherPort = await send(sandbox, { path: '/files/F0000001/x.csv', headers: { cookie, 'sec-fetch-site': 'same-site' } });
    expect(otherPort.status).toBe(403);
    expect((await send(sandbox, { path: '/sandbox/view', headers: { cookie, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    // The Web API and response URLs are the bot's: a page elsewhere cannot post to them either.
    const api = await send(sandbox, {
      method: 'POST',
      path: '/api/chat.postMessage',
      headers: { origin: 'http://attacker.example', 'content-type': 'application/json' },
      body: JSON.stringify({ token: sandbox.botToken, channel: 'general', text: 'hi' }),
    });
    expect(api.status).toBe(403);
    // The same request from the page's own origin gets through the guard (no bot connected yet: 400).
    const own = await send(sandbox, {
      method: 'POST',
      path: '/sandbox/command',
      headers: { cookie, origin, 'content-type': 'application/json' },
      body,
    });
    expect(own.status).toBe(400);
    expect(own.body).toContain('the bot is not listening yet');
  });

  it('listens on loopback only, and its bot token is made up for this run', async () => {
    const { port } = new URL(sandbox.baseUrl);
    expect(new URL(sandbox.baseUrl).hostname).toBe('127.0.0.1');
    // What the kernel says is bound, not whether a fetch to some other address happens to fail.
    const bound = listeningAddresses(Number(port));
    if (bound) expect(bound).toEqual(['127.0.0.1']);
    else for (const address of externalAddresses()) expect(await accepts(address, Number(port))).toBe(false);
    expect(sandbox.botToken).toMatch(/^xoxb-sandbox-\w{8,}/);
    const other = await startSandbox({ port: 0, log: createLogger({ level: 'error', write: () => {} }) });
    expect(other.botToken).not.toBe(sandbox.botToken);
    expect(other.key).not.toBe(sandbox.key);
    await other.stop();
  });
});
