import { createReadStream } from 'node:fs';
import type { WebClient } from '@slack/web-api';

export type UploadFileInput = {
  channelId: string;
  /** Shares the file as a reply in this thread. */
  threadTs?: string;
  filename: string;
  title?: string;
  initialComment?: string;
  /** File on disk, streamed as the body: exports can be larger than we want in memory. */
  path: string;
  /** Its exact size; Slack needs it up front, before any byte is sent. */
  bytes: number;
};

/**
 * Slack's files upload v2: reserve an upload URL, POST the raw bytes to it, then complete the upload,
 * which shares the file to the channel (or thread). Each failure names the step it happened at.
 */
export async function uploadFile(client: WebClient, input: UploadFileInput): Promise<{ fileId: string }> {
  const { upload_url: uploadUrl, file_id: fileId } = await step('files.getUploadURLExternal', () =>
    client.files.getUploadURLExternal({ filename: input.filename, length: input.bytes }),
  );
  if (!uploadUrl || !fileId) throw new Error('files upload: files.getUploadURLExternal returned no upload_url');

  let res: Response;
  try {
    res = await fetch(uploadUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(input.bytes) },
      body: createReadStream(input.path),
      // Required by fetch for a streamed body; with Content-Length set it is sent as-is, not chunked.
      duplex: 'half',
    });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (refused, length mismatch...) is in its cause.
    const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new Error(`files upload: posting to upload_url failed: ${reason}`, { cause: err });
  }
  // Read the answer either way, so the connection goes back to the pool.
  const answer = await res.text().catch(() => '');
  if (!res.ok) throw new Error(`files upload: upload_url answered ${res.status} ${answer.slice(0, 200)}`.trimEnd());

  const files: [{ id: string; title?: string }] = [{ id: fileId, title: input.title }];
  const common = { files, channel_id: input.channelId, initial_comment: input.initialComment };
  await step('files.completeUploadExternal', () =>
    client.files.completeUploadExternal(input.threadTs ? { ...common, thread_ts: input.threadTs } : common),
  );
  return { fileId };
}

/** Runs one Web API call; a Slack error (`ok: false`, or the transport's) becomes one naming the step. */
async function step<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const slackError = (err as { data?: { error?: unknown } }).data?.error;
    const reason = typeof slackError === 'string' ? slackError : (err as Error).message;
    throw new Error(`files upload: ${method} failed: ${reason}`, { cause: err });
  }
}

/**
 * The first two steps of the v2 flow for bytes in memory (a chart, a small CSV): reserve the upload and
 * post the bytes. The file then exists but is shared nowhere; its id is returned so the caller can keep
 * it before completeUpload, which posts a message the caller could not otherwise find again.
 */
export async function startUpload(client: WebClient, file: { filename: string; bytes: Buffer }): Promise<string> {
  const { upload_url: uploadUrl, file_id: fileId } = await step('files.getUploadURLExternal', () =>
    client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length }),
  );
  if (!uploadUrl || !fileId) throw new Error('files upload: files.getUploadURLExternal returned no upload_url');
  let res: Response;
  try {
    res = await fetch(uploadUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(file.bytes),
      // As long as a Web API call may take (20 s): a hung upload must end inside the digest file's lease.
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new Error(`files upload: posting to upload_url failed: ${reason}`, { cause: err });
  }
  const answer = await res.text().catch(() => '');
  if (!res.ok) throw new Error(`files upload: upload_url answered ${res.status} ${answer.slice(0, 200)}`.trimEnd());
  return fileId;
}

/** The last step: shares an uploaded file to a channel, as a reply in a thread when `threadTs` is given. */
export async function completeUpload(
  client: WebClient,
  input: { fileId: string; channelId: string; threadTs?: string; title?: string },
): Promise<void> {
  const files: [{ id: string; title?: string }] = [{ id: input.fileId, title: input.title }];
  const common = { files, channel_id: input.channelId };
  await step('files.completeUploadExternal', () =>
    client.files.completeUploadExternal(input.threadTs ? { ...common, thread_ts: input.threadTs } : common),
  );
}

/**
 * Where a file stands for a channel (and, with `threadTs`, a thread), from files.info: `shared` there;
 * `unshared` — Slack has the file, but its `shares` do not show it there (never completed, or completed and
 * the share still on its way: Slack shares asynchronously); `missing` — Slack does not know the file. How a
 * retry tells an upload completed, though its answer was lost, from one that was not — and never uploads a
 * second file while the first may still appear.
 */
export async function fileShareState(
  client: WebClient,
  fileId: string,
  at: { channelId: string; threadTs?: string },
): Promise<'shared' | 'unshared' | 'missing'> {
  let info: { file?: { shares?: Record<string, Record<string, { ts?: string; thread_ts?: string }[]>> } };
  try {
    info = (await client.files.info({ file: fileId })) as typeof info;
  } catch (err) {
    const slackError = (err as { data?: { error?: unknown } }).data?.error;
    if (slackError === 'file_not_found' || slackError === 'file_deleted') return 'missing';
    throw new Error(`files.info failed: ${typeof slackError === 'string' ? slackError : (err as Error).message}`, { cause: err });
  }
  const shares = Object.values(info.file?.shares ?? {}).flatMap((side) => side[at.channelId] ?? []);
  return shares.some((s) => at.threadTs === undefined || s.thread_ts === at.threadTs || s.ts === at.threadTs) ? 'shared' : 'unshared';
}
