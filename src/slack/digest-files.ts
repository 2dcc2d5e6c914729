import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { ThreadFilePort } from '../domain/digests/files';
import { ChartRenderer } from '../render/chart';
import { completeUpload, fileShareState, startUpload } from './files';

/**
 * Slack's files upload v2 and files.info for the digests' thread files (charts, the overview CSV). Its
 * WebClient never retries on its own: a completeUploadExternal whose answer was lost may have posted, and
 * only the digest's file pass (which checks files.info first) may try again.
 */
export function slackThreadFiles(opts: { token: string; apiUrl?: string; clientOptions?: WebClientOptions }): ThreadFilePort {
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // A hung call ends well within the file pass's lease (FILE_LEASE_MS), so no other replica starts meanwhile.
    timeout: 20_000,
    ...opts.clientOptions,
  });
  return {
    upload: (file) => startUpload(client, file),
    share: (fileId, to) => completeUpload(client, { fileId, channelId: to.channel, threadTs: to.threadTs, title: to.title }),
    shareState: (fileId, at) => fileShareState(client, fileId, { channelId: at.channel, threadTs: at.threadTs }),
  };
}

let renderer: ChartRenderer | undefined;

/** The process's chart renderer (two worker threads, each started on first use; idle, they keep nothing alive). */
export function sharedChartRenderer(): ChartRenderer {
  renderer ??= new ChartRenderer({ workers: 2 });
  return renderer;
}

/** What the digests job needs from outside the domain, from the app's Slack client (its token and API URL). */
export function digestPorts(client: WebClient): { files: ThreadFilePort; charts: ChartRenderer } {
  return { files: slackThreadFiles({ token: client.token ?? '', apiUrl: client.slackApiUrl }), charts: sharedChartRenderer() };
}
