import { parse } from 'csv-parse/sync';
import { fixedClock } from '../../src/clock';
import { ADMIN, startTestApp, type TestApp } from '../support/app';

// 10 January 2027, so the second half of 2026 is a whole reporting period behind us.
const clock = fixedClock('2027-01-10T12:00:00Z');
let t: TestApp;

/** The uploaded files whose names match, as text, newest upload of each name. */
function uploaded(name: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of t.emulator.callsTo('files.completeUploadExternal')) {
    const files = (typeof c.args.files === 'string' ? JSON.parse(c.args.files) : c.args.files) as { id: string }[];
    for (const f of files) {
      const file = t.emulator.file(f.id);
      if (file && name.test(file.name ?? '')) out[file.name!] = file.bytes!.toString('utf8');
    }
  }
  return out;
}

beforeAll(async () => {
  t = await startTestApp({ clock });
  // Intake as today's callers send it, and with the fields the template needs.
  const r1 = await t.api('/api/v1/reports', {
    external_id: 'n-1',
    surface: 'claude_ai',
    report_type: 'harmful_content',
    category: 'fraud',
    content_ref: 'https://example.com/n-1',
    received_at: '2026-08-01T09:00:00Z',
    items: 4,
  });
  expect(r1.status).toBe(201);
  const r2 = await t.api('/api/v1/reports', {
    external_id: 'n-2',
    surface: 'claude_ai',
    report_type: 'harmful_content',
    category: 'hate_speech',
    content_ref: 'https://example.com/n-2',
    received_at: '2026-08-02T09:00:00Z',
  });
  expect(r2.status).toBe(201);
  const d1 = await t.api('/api/v1/decisions', {
    external_id: 'dec-1',
    case_id: r1.json.case_id,
    action: 'monetisation_suspended',
    policy: 'fraud',
    decided_at: '2026-08-01T12:00:00Z',
  });
  expect(d1.status).toBe(201);
  const d2 = await t.api('/api/v1/decisions', {
    external_id: 'dec-2',
    case_id: r2.json.case_id,
    action: 'account_suspended',
    policy: 'hate_speech',
    decided_at: '2026-08-02T15:00:00Z',
    suspension_reason: 'manifestly_unfounded_complaints',
  });
  expect(d2.status).toBe(201);
  const a1 = await t.api('/api/v1/appeals', {
    external_id: 'ap-1',
    decision_external_id: 'dec-1',
    filed_at: '2026-08-03T00:00:00Z',
    outcome: 'partially_overturned',
    resolved_at: '2026-08-04T12:00:00Z',
    complaint_type: 'monetary',
  });
  expect(a1.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('intake for the template', () => {
  it('refuses a suspension reason on an action that suspends nothing, and says which field', async () => {
    const res = await t.api('/api/v1/decisions', {
      external_id: 'dec-x',
      report_external_id: 'n-1',
      action: 'content_removed',
      policy: 'fraud',
      decided_at: '2026-08-05T00:00:00Z',
      suspension_reason: 'manifestly_illegal_content',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('suspension_reason');
  });
});

describe('/trustops export dsa-report', () => {
  it('admins configure the report; others may not', async () => {
    expect((await t.command('dsa report-config service Claude for Work', ADMIN)).text).toContain('is now Claude for Work');
    expect((await t.command('dsa report-config provider "Anthropic PBC"', ADMIN)).text).toContain('is now Anthropic PBC');
    expect((await t.command('dsa keyword fraud KEYWORD_PHISHING', ADMIN)).text).toContain(
      'STATEMENT_CATEGORY_SCAMS_AND_FRAUD, KEYWORD_PHISHING',
    );
    const refused = await t.command('dsa report-config service Mine');
    expect(refused.text).not.toContain('is now');
  });

  it('uploads one CSV per sheet, in the template, for a half year', async () => {
    const reply = await t.command('export dsa-report 2026-H2', ADMIN);
    expect(reply.text).toContain('Uploaded the DSA transparency report, 10 sheets');
    const files = uploaded(/_2026-07-01_2026-12-31\.csv$/);
    expect(Object.keys(files).sort()).toEqual(
      [
        '10_AMAR',
        '11_qualitative',
        '1_report_identification',
        '3_member_states_orders',
        '4_notices',
        '5_own_initiative_illegal',
        '6_own_initiative_TC',
        '7_appeals_and_recidivism',
        '8_automated_means',
        '9_human_resources',
      ]
        .map((s) => `${s}_2026-07-01_2026-12-31.csv`)
        .sort(),
    );
    const notices = parse(files['4_notices_2026-07-01_2026-12-31.csv']!) as string[][];
    const row = (label: string) => notices.find((r) => r[3] === label)!;
    expect(row('TOTAL').slice(1, 11)).toEqual(['Claude for Work', '2026-07-01/2026-12-31', 'TOTAL', '', '2', '0', '5', '0', '4.5', '']);
    expect(row('KEYWORD_PHISHING').slice(5, 9)).toEqual(['1', '0', '4', '0']);
    const appeals = parse(files['7_appeals_and_recidivism_2026-07-01_2026-12-31.csv']!) as string[][];
    const monetary = appeals.filter((r) => r[4] === 'Complaint regarding a decision to restrict the ability to monetise information');
    expect(monetary.map((r) => [r[5], r[6]])).toEqual([
      ['Total number', '1'],
      ['Decisions upheld', '0'],
      ['Decisions partially reversed', '1'],
      ['Decisions reversed', '0'],
      ['Median time', '36'],
      ['Decision omitted', '0'],
    ]);
    expect(appeals.find((r) => r[4]!.includes('manifestly unfounded complaints'))![6]).toBe('1');
    const six = parse(files['6_own_initiative_TC_2026-07-01_2026-12-31.csv']!) as string[][];
    expect(six[1]![5]).toBe('0'); // both actions were on notices: no own-initiative measure
  });

  it('a mapping that does not add up: the reply names sheet, row and column, and nothing is uploaded', async () => {
    await t.db.prisma.dsaCategoryMap.update({ where: { policy: 'fraud' }, data: { keyword: 'KEYWORD_HATE_SPEECH' } });
    const before = t.emulator.callsTo('files.completeUploadExternal').length;
    const reply = await t.command('export dsa-report 2026-H2', ADMIN);
    expect(reply.text).toContain('4_notices, row STATEMENT_CATEGORY_SCAMS_AND_FRAUD, column "Number of notices received"');
    expect(t.emulator.callsTo('files.completeUploadExternal').length).toBe(before);
    expect(t.emulator.callsTo('files.getUploadURLExternal').length).toBe(before);
    await t.db.prisma.dsaCategoryMap.update({ where: { policy: 'fraud' }, data: { keyword: 'KEYWORD_PHISHING' } });
  });

  it('another range is made with a warning that it is not a reporting period', async () => {
    const reply = await t.command('export dsa-report 2026-08', ADMIN);
    expect(reply.text).toContain('2026-08-01/2026-08-31 is not a reporting period of the template');
  });
});
