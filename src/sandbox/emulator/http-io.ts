import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Args } from './types';

/** Arguments Slack accepts as JSON strings inside a form-encoded body (WebClient sends them that way). */
const JSON_VALUED_ARGS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'unfurls', 'user_auth_blocks']);

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class BadJsonError extends Error {}

/**
 * Decodes a request body into arguments: JSON, form-encoded, or multipart (WebClient switches to
 * multipart when an argument is binary). File parts come back as Buffers.
 */
export async function parseArgs(body: Buffer, contentType: string | undefined, query: URLSearchParams): Promise<Args> {
  const args: Args = Object.fromEntries(query);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (body.length === 0) return args;
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BadJsonError('invalid_json');
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(args, parsed);
    return args;
  }
  if (type === 'multipart/form-data') {
    Object.assign(args, await parseMultipart(body, contentType ?? ''));
  } else {
    Object.assign(args, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  }
  for (const key of JSON_VALUED_ARGS) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    // Leave unparsable strings as they are: the method reports them as the wrong format.
    try {
      args[key] = JSON.parse(value);
    } catch {}
  }
  return args;
}

/** Uses the platform's (undici) multipart parser rather than hand-rolling one. */
export async function parseMultipart(body: Buffer, contentType: string): Promise<Args> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const args: Args = {};
  for (const [key, value] of form.entries()) {
    args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
  }
  return args;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}
