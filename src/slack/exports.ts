import type { WebClient } from '@slack/web-api';
import type { ExportFile } from '../domain/exports/files';
import { spoolToFile } from '../domain/exports/spool';
import { AppError } from '../errors';
import { uploadFile } from './files';

/**
 * Writes an export to a temporary file (never the whole file in memory), reporting progress, then
 * uploads it to the channel or DM with Slack's files upload v2 flow. The file is removed afterwards.
 */
export async function exportToSlack(
  client: WebClient,
  input: { channelId: string; file: ExportFile; progress?: (rows: number) => void },
): Promise<{ rows: number; bytes: number; fileId: string }> {
  const spooled = await spoolToFile(input.file.lines, { onProgress: (rows) => input.progress?.(rows), progressEvery: 50_000 });
  try {
    const { fileId } = await uploadFile(client, {
      channelId: input.channelId,
      filename: input.file.filename,
      title: input.file.title,
      path: spooled.path,
      bytes: spooled.bytes,
    });
    const header = input.file.records === 'csv' ? 1 : 0;
    return { rows: Math.max(0, spooled.rows - header), bytes: spooled.bytes, fileId };
  } finally {
    await spooled.cleanup();
  }
}

/** "trustops-metrics-….csv (1,204 rows, 96 KB)". */
export function uploadedText(file: ExportFile, sent: { rows: number; bytes: number }): string {
  const rows = file.records === 'none' ? '' : `${sent.rows.toLocaleString('en')} ${file.records === 'jsonl' ? 'records' : 'rows'}, `;
  return `${file.filename} (${rows}${sizeText(sent.bytes)})`;
}

/** "2.4 MB", "812 KB", "96 B". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

type SharedFlags = { is_shared?: boolean; is_ext_shared?: boolean; is_pending_ext_shared?: boolean };

/**
 * Exports hold enforcement data (claimants, accounts, vendors' figures), so none is uploaded to a
 * conversation shared outside the workspace (Slack Connect), where a vendor or a claimant may read it.
 * A conversation Slack will not describe (a group DM without `mpim:read`) is left to the upload itself.
 */
async function refuseSharedConversation(client: WebClient, channelId: string): Promise<void> {
  if (channelId.startsWith('D')) return;
  const info = await client.conversations.info({ channel: channelId }).catch(() => undefined);
  const channel = info?.channel as SharedFlags | undefined;
  if (channel?.is_ext_shared || channel?.is_shared || channel?.is_pending_ext_shared)
    throw new AppError(
      'forbidden',
      'This conversation is shared outside the workspace (Slack Connect), so no export is uploaded here: run it in an internal channel or in a DM with TrustOps.',
    );
}

/** Uploads each file of an export in turn; returns what was uploaded, for the answer. */
export async function uploadExport(
  client: WebClient,
  input: { channelId: string; files: readonly ExportFile[]; progress?: (file: ExportFile, rows: number) => void },
): Promise<string> {
  await refuseSharedConversation(client, input.channelId);
  const done: string[] = [];
  for (const file of input.files) {
    const sent = await exportToSlack(client, { channelId: input.channelId, file, progress: (rows) => input.progress?.(file, rows) });
    done.push(uploadedText(file, sent));
  }
  return done.join(' and ');
}
