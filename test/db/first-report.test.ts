import { createTestDatabase, type TestDatabase } from '../support/database';
import { facts } from '../support/facts';

// The trigger on reports keeps each case's first report (earliest received, then lowest id) and the
// surface, type and category metrics read from it, whatever path writes the reports.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const caseOf = (id: number) =>
  db.prisma.case.findUniqueOrThrow({ where: { id }, select: { firstReportId: true, surfaceId: true, reportTypeId: true, category: true } });
const surfaceId = async (key: string) => (await db.prisma.surface.findUniqueOrThrow({ where: { key } })).id;

describe('a case’s first report', () => {
  it('is the earliest received, even when it arrives late; later reports change nothing', async () => {
    const f = facts(db.prisma);
    await f.openCase('A', '2026-03-10T08:00:00Z');
    const caseId = f.ids.A!;
    expect(await caseOf(caseId)).toEqual({ firstReportId: null, surfaceId: null, reportTypeId: null, category: null });
    await f.report('r1', 'A', '2026-03-10T10:00:00Z', { surface: 'api', category: 'spam' });
    expect(await caseOf(caseId)).toMatchObject({ surfaceId: await surfaceId('api'), category: 'spam' });
    await f.report('r2', 'A', '2026-03-10T11:00:00Z', { surface: 'mobile', category: 'fraud' });
    expect(await caseOf(caseId)).toMatchObject({ surfaceId: await surfaceId('api'), category: 'spam' });
    await f.report('r0', 'A', '2026-03-10T09:00:00Z', { surface: 'claude_ai', category: 'hate_speech' });
    expect(await caseOf(caseId)).toMatchObject({ surfaceId: await surfaceId('claude_ai'), category: 'hate_speech' });
  });

  it('takes the earliest of many rows written in one statement, ties going to the lowest id', async () => {
    const f = facts(db.prisma);
    await f.openCase('B', '2026-03-10T08:00:00Z');
    const caseId = f.ids.B!;
    const [api, mobile] = [await surfaceId('api'), await surfaceId('mobile')];
    const type = (await db.prisma.reportType.findFirstOrThrow()).id;
    const row = (id: string, surface: number, at: string) => ({
      externalId: id,
      bodyHash: id,
      surfaceId: surface,
      reportTypeId: type,
      contentRef: id,
      receivedAt: new Date(at),
      caseId,
    });
    await db.prisma.report.createMany({
      data: [
        row('b-late', api, '2026-03-10T12:00:00Z'),
        row('b-tie-1', mobile, '2026-03-10T09:00:00Z'),
        row('b-tie-2', api, '2026-03-10T09:00:00Z'),
      ],
    });
    const first = await db.prisma.report.findUniqueOrThrow({ where: { externalId: 'b-tie-1' } });
    expect(await caseOf(caseId)).toMatchObject({ firstReportId: first.id, surfaceId: mobile });
  });
});
