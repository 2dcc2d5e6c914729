import { copyrightCalendar, restoreWindow } from '../../../src/domain/copyright/calendar';
import { checkRestore, disputeActions, dueReminders, reminderKey } from '../../../src/domain/copyright/disputes';

const NY = copyrightCalendar();
// Received Wed 2026-11-25 15:00 EST: window Thu 2026-12-10 … Wed 2026-12-16 (see calendar.test.ts).
const receivedAt = new Date('2026-11-25T20:00:00Z');
const window = restoreWindow(NY, receivedAt);

describe('dispute actions', () => {
  it('offers every action on a complete pending dispute, Claimant notified until it is recorded', () => {
    expect(disputeActions({ status: 'pending', complete: true })).toEqual([
      'claimant_notified',
      'restore',
      'restore_false_positive',
      'suit_filed',
      'reject',
      'request_info',
    ]);
    expect(disputeActions({ status: 'pending', complete: true, claimantNotifiedAt: receivedAt })).not.toContain('claimant_notified');
  });

  it('offers no clock-bound action on an incomplete counter-notice, and nothing once decided', () => {
    expect(disputeActions({ status: 'pending', complete: false })).toEqual(['restore_false_positive', 'reject', 'request_info']);
    for (const status of ['restored', 'restored_late', 'restored_false_positive', 'held', 'rejected'] as const) {
      expect(disputeActions({ status, complete: true })).toEqual([]);
    }
  });
});

describe('Restore on the clock', () => {
  it('is refused before the earliest date, with that date and the false-positive way', () => {
    const r = checkRestore(window, new Date('2026-12-10T04:59:59Z')); // 23:59:59 EST on Wed 9 Dec
    expect(r).toEqual({ ok: false, earliest: '2026-12-10', message: expect.stringContaining('from Thursday 2026-12-10') });
    expect(!r.ok && r.message).toMatch(/Restore now — false positive/);
  });

  it('is in the window from local midnight of the earliest date to the end of the latest, late after', () => {
    expect(checkRestore(window, new Date('2026-12-10T05:00:00Z'))).toEqual({ ok: true, status: 'restored' });
    expect(checkRestore(window, new Date('2026-12-17T04:59:59Z'))).toEqual({ ok: true, status: 'restored' });
    expect(checkRestore(window, new Date('2026-12-17T05:00:00Z'))).toEqual({ ok: true, status: 'restored_late' });
  });
});

describe('dispute reminders', () => {
  const dispute = { counterNoticeId: 9, status: 'pending' as const, complete: true, receivedAt, window };
  const kinds = (now: string, over: object = {}) => dueReminders(NY, { ...dispute, ...over }, new Date(now)).map((r) => r.kind);

  it('asks for Claimant notified one business day after receipt (over Thanksgiving: Friday 15:00)', () => {
    expect(kinds('2026-11-27T19:59:00Z')).toEqual([]);
    expect(kinds('2026-11-27T20:00:00Z')).toEqual(['claimant_notify_due']);
    expect(kinds('2026-11-27T20:00:00Z', { claimantNotifiedAt: new Date('2026-11-26T10:00:00Z') })).toEqual([]);
  });

  it('says the window is open at 09:00 local on the earliest date, and overdue once the latest date ends', () => {
    const notified = { claimantNotifiedAt: new Date('2026-11-26T10:00:00Z') };
    expect(kinds('2026-12-10T13:59:00Z', notified)).toEqual([]);
    expect(kinds('2026-12-10T14:00:00Z', notified)).toEqual(['window_open']);
    expect(kinds('2026-12-17T05:00:00Z', notified)).toEqual(['restore_overdue']); // window_open is moot by then
  });

  it('gives each reminder a key of its own per counter-notice, and none once decided, held or incomplete', () => {
    const due = dueReminders(NY, dispute, new Date('2026-12-12T12:00:00Z'));
    expect(due.map((r) => [r.kind, r.dedupeKey, r.dueAt.toISOString()])).toEqual([
      ['claimant_notify_due', reminderKey(9, 'claimant_notify_due'), '2026-11-27T20:00:00.000Z'],
      ['window_open', 'copyright:counter_notice:9:window_open', '2026-12-10T14:00:00.000Z'],
    ]);
    expect(kinds('2026-12-20T12:00:00Z', { status: 'held' })).toEqual([]);
    expect(kinds('2026-12-20T12:00:00Z', { status: 'restored' })).toEqual([]);
    expect(kinds('2026-12-20T12:00:00Z', { complete: false, window: undefined })).toEqual([]);
  });
});
