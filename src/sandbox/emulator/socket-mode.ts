/**
 * Slack's Socket Mode, emulated: `apps.connections.open` hands out a single-use WebSocket URL on the
 * emulator's own server; on connecting the app gets `hello`, then envelopes (slash_commands,
 * interactive, events_api) that it must acknowledge with their envelope_id (and, where Slack accepts
 * one, a response payload). `requestReconnect` does what Slack does before it recycles a connection:
 * `disconnect` with reason `warning`, then `refresh_requested`, then the socket closes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the app acknowledged, and how long it took. */
export type SocketAck = { payload?: unknown; elapsedMs: number };

const TICKET_TTL_MS = 30_000;
/** The app's client gives up on a connection with no server ping for 30 s; Slack pings more often. */
const PING_MS = 10_000;

type Pending = { resolve: (ack: SocketAck) => void; reject: (err: Error) => void; sentAt: number; timer: NodeJS.Timeout };

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  /** Open connections, oldest first: envelopes go to the newest, as a reconnecting app expects. */
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  /** Every hello sent: one per connection the app made. */
  connectionsMade = 0;

  constructor(
    server: Server,
    private readonly baseUrl: () => string,
    private readonly appId: string,
  ) {
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** apps.connections.open: a fresh URL good for one connection. */
  open(): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, Date.now());
    return `${this.baseUrl().replace(/^http/, 'ws')}/socket-mode/${ticket}`;
  }

  get connected(): boolean {
    return this.sockets.some((s) => s.readyState === s.OPEN);
  }

  /** Resolves once an app is connected (hello sent) — now, or when it next connects. */
  async waitForConnection(timeoutMs = 10_000, after = 0): Promise<void> {
    const ready = () => this.connected && this.connectionsMade > after;
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Sends one envelope to the app and resolves with its acknowledgement; rejects if none comes in time. */
  deliver(type: EnvelopeType, payload: unknown, timeoutMs = 3000): Promise<SocketAck> {
    const socket = [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
    if (!socket) return Promise.reject(new Error('no app is connected over Socket Mode'));
    const envelopeId = randomUUID();
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`the app did not acknowledge envelope ${envelopeId} (${type}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, reject, sentAt: Date.now(), timer });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          // Slack takes a response in the ack for commands and interactions, not for events.
          accepts_response_payload: type !== 'events_api',
          ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
        }),
      );
    });
  }

  /** Slack's way of recycling a connection: a warning, then refresh_requested, then the socket closes. */
  requestReconnect(): void {
    for (const socket of this.sockets) {
      for (const reason of ['warning', 'refresh_requested']) {
        socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'trustops-sandbox' } }));
      }
      // An app that does not leave by itself is let go shortly after, as Slack does.
      setTimeout(() => socket.close(1001, 'refresh_requested'), 1000).unref();
    }
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('the emulator stopped'));
    }
    this.pending.clear();
    for (const s of this.sockets) s.terminate();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = /^\/socket-mode\/([0-9a-f]{32})$/.exec(req.url ?? '')?.[1];
    const issued = ticket ? this.tickets.get(ticket) : undefined;
    // Single use, short-lived, and never from a browser page (which would send an Origin).
    if (!ticket || issued === undefined || Date.now() - issued > TICKET_TTL_MS || req.headers.origin !== undefined) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    this.tickets.delete(ticket);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.sockets.push(ws);
    const ping = setInterval(() => ws.ping(), PING_MS);
    ws.on('message', (data) => this.onAck(String(data)));
    ws.on('close', () => {
      clearInterval(ping);
      this.sockets.splice(this.sockets.indexOf(ws), 1);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.length,
        debug_info: { host: 'trustops-sandbox', approximate_connection_time: 3600 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.connectionsMade += 1;
    for (const check of [...this.waiters]) check();
  }

  private onAck(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const pending = typeof message.envelope_id === 'string' ? this.pending.get(message.envelope_id) : undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(message.envelope_id as string);
    pending.resolve({ payload: message.payload, elapsedMs: Date.now() - pending.sentAt });
  }
}
