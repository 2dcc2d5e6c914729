import type { WebClient } from '@slack/web-api';
import { spoolToFile } from '../domain/exports/spool';
import { uploadFile } from './files';

export type ExportFile = { filename: string; title: string; lines: AsyncIterable<string> | Iterable<string> };

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
    // The header line is not a data row.
    return { rows: Math.max(0, spooled.rows - 1), bytes: spooled.bytes, fileId };
  } finally {
    await spooled.cleanup();
  }
}

/** "2.4 MB", "812 KB", "96 B". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
