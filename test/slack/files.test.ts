import { readFile } from 'node:fs/promises';
import { WebClient } from '@slack/web-api';
import { csvLine } from '../../src/domain/exports/csv';
import { type SpooledFile, spoolToFile } from '../../src/domain/exports/spool';
import { readCsv } from '../../src/domain/intake/csv';
import { SlackEmulator } from '../../src/sandbox/emulator';
import { uploadFile } from '../../src/slack/files';
import { silentSlackLogger } from '../support/alerts';

const records = [
  ['case', 'reporter', 'note'],
  ...Array.from({ length: 2_000 }, (_, i) => [String(i + 1), 'Zoë 日本語 🚀', `line one\r\nline "two", ${i}`]),
];

let emulator: SlackEmulator;
let client: WebClient;
let spooled: SpooledFile;

beforeAll(async () => {
  emulator = await SlackEmulator.start();
  client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 }, logger: silentSlackLogger });
  spooled = await spoolToFile(records.map((r) => csvLine(r)));
});
afterAll(async () => {
  await spooled.cleanup();
  await emulator.stop();
});
beforeEach(() => emulator.reset());

const upload = (extra: { channelId?: string; threadTs?: string; bytes?: number } = {}) =>
  uploadFile(client, {
    channelId: 'C0SLA',
    filename: 'cases.csv',
    title: 'Open cases',
    initialComment: 'Export of open cases',
    path: spooled.path,
    bytes: spooled.bytes,
    ...extra,
  });

describe('uploadFile', () => {
  it('uploads the exact bytes and shares the file to the channel with its comment', async () => {
    const { fileId } = await upload();

    const file = emulator.file(fileId);
    expect(file).toMatchObject({ name: 'cases.csv', title: 'Open cases', length: spooled.bytes, channels: ['C0SLA'] });
    expect(file?.bytes?.equals(await readFile(spooled.path))).toBe(true);

    const [message] = emulator.messages('C0SLA');
    expect(message).toMatchObject({ text: 'Export of open cases', files: [expect.objectContaining({ id: fileId })] });
    expect(message?.thread_ts).toBeUndefined();
  });

  it('round-trips multi-byte CSV exactly when downloaded again', async () => {
    const { fileId } = await upload();
    const res = await fetch(`${emulator.baseUrl}/files/${fileId}`);
    const body = Buffer.from(await res.arrayBuffer());
    const rows: string[][] = [];
    for await (const row of readCsv(
      (async function* () {
        yield body;
      })(),
    ))
      rows.push(row.fields);
    expect(rows).toEqual(records);
  });

  it('shares the file as a reply when given a thread', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0SLA', text: 'Weekly export' });
    const { fileId } = await upload({ threadTs: parent.ts! });
    const reply = emulator.messages('C0SLA').find((m) => m.ts !== parent.ts);
    expect(reply).toMatchObject({ thread_ts: parent.ts, files: [expect.objectContaining({ id: fileId })] });
  });

  it('names the step when Slack refuses the channel', async () => {
    await expect(upload({ channelId: 'C0NOWHERE' })).rejects.toThrow(
      'files upload: files.completeUploadExternal failed: channel_not_found',
    );
    expect(emulator.messages('C0SLA')).toEqual([]);
  });

  it('names the step when Slack refuses the upload URL', async () => {
    emulator.injectError({ method: 'files.getUploadURLExternal', error: 'invalid_auth' });
    await expect(upload()).rejects.toThrow('files upload: files.getUploadURLExternal failed: invalid_auth');
  });

  it('names the step when the declared size does not match the file', async () => {
    await expect(upload({ bytes: spooled.bytes + 1 })).rejects.toThrow(
      'files upload: posting to upload_url failed: Request body length does not match content-length header',
    );
  });

  it('names the step when the upload URL answers an error status', async () => {
    // A client whose upload URL points at a file the emulator never reserved: its upload endpoint answers 404.
    const stale = {
      files: {
        getUploadURLExternal: async () => ({ ok: true, upload_url: `${emulator.baseUrl}/upload/F0STALE`, file_id: 'F0STALE' }),
        completeUploadExternal: async () => {
          throw new Error('should not be reached');
        },
      },
    } as unknown as WebClient;
    await expect(uploadFile(stale, { channelId: 'C0SLA', filename: 'x.csv', path: spooled.path, bytes: spooled.bytes })).rejects.toThrow(
      'files upload: upload_url answered 404',
    );
  });
});
