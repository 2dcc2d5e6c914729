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
