/**
 * Who may use the sandbox page. Whoever reaches it can act as any user and drive the bot, so besides
 * listening on loopback it asks for a per-run key (in the printed URL, swapped at once for a
 * SameSite=Strict HttpOnly cookie) and refuses foreign Host headers (DNS rebinding) and foreign
 * Origin headers (another page in the same browser posting to it).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from './emulator/http-io';

/** Paths the bot itself calls: guarded by the bot token, or by an unguessable id in the path. */
const BOT_PATHS = /^\/(api|response|upload)\//;

export type SandboxGuard = {
  /** This run's key: it goes in the printed URL and nowhere else. */
  key: string;
  cookieName: string;
  /** For SlackEmulator's `gate`: answers refused requests itself and returns false. */
  gate(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
};

export function createGuard(port: number, key = randomBytes(18).toString('base64url')): SandboxGuard {
  const session = randomBytes(24).toString('base64url');
  // Cookies are not told apart by port: two sandboxes on one machine each have their own name.
  const cookieName = `trustops_sandbox_${port}`;
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const gate = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const host = req.headers.host ?? '';
    if (!hosts.has(host)) {
      sendText(res, 421, `refused: the sandbox answers only to 127.0.0.1:${port} and localhost:${port}`);
      return false;
    }
    const origin = req.headers.origin;
    // Browsers send Origin on every cross-origin POST and on fetches; the bot's own HTTP client sends none.
    if (origin !== undefined && origin !== `http://${host}`) {
      sendText(res, 403, 'refused: request from another origin');
      return false;
    }
    // Another port on this machine is the same *site* (so the SameSite cookie goes along) but not the same
    // origin: only the page itself, or the address typed in the bar, may ask.
    const fetchSite = req.headers['sec-fetch-site'];
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      sendText(res, 403, `refused: ${fetchSite} request`);
      return false;
    }
    if (BOT_PATHS.test(url.pathname)) return true;
    const offered = url.searchParams.get('key');
    if (req.method === 'GET' && url.pathname === '/' && offered !== null) {
      if (!same(offered, key)) {
        sendText(res, 403, 'refused: wrong key; open the URL `npm start` printed for this run');
        return false;
      }
      // Swap the key for a cookie and drop it from the address bar (and from history and Referer headers).
      res.writeHead(303, {
        location: '/',
        'set-cookie': `${cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      res.end();
      return false;
    }
    const cookie = cookieValue(req.headers.cookie, cookieName);
    const header = req.headers['x-sandbox-key'];
    if ((cookie !== undefined && same(cookie, session)) || (typeof header === 'string' && same(header, key))) return true;
    sendText(res, 401, 'This sandbox needs its key: open the URL `npm start` printed (it ends in ?key=…).');
    return false;
  };
  return { key, cookieName, gate };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
