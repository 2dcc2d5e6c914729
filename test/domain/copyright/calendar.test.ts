import fc from 'fast-check';
import {
  businessDaysBetween,
  businessDaysLeft,
  closureOf,
  copyrightCalendar,
  disputeClock,
  federalHolidays,
  isBusinessDay,
  localTimeOn,
  nthBusinessDayAfter,
  oneBusinessDayAfter,
  parseClosedDay,
  receiptDate,
  restoreWindow,
  weekdayName,
  weekdayOf,
} from '../../../src/domain/copyright/calendar';
import { addDays } from '../../../src/domain/time';

const NY = copyrightCalendar();
const window = (iso: string, cal = NY) => {
  const w = restoreWindow(cal, new Date(iso));
  return { receipt: w.receiptDate, earliest: w.earliest, latest: w.latest };
};

describe('the restore window, counted by hand (§512(g)(2)(C): 10th to 14th business day following receipt)', () => {
  it('skips Thanksgiving but not the day after it when the counter-notice arrives the day before', () => {
    // Receipt Wed 2026-11-25. Thu 26 Thanksgiving (closed). Fri 27 (1) — an observance, not a
    // federal holiday. Mon 30 (2) Tue 1 (3) Wed 2 (4) Thu 3 (5) Fri 4 (6) Mon 7 (7) Tue 8 (8)
    // Wed 9 (9) Thu 10 (10) ⇒ earliest. Fri 11 (11) Mon 14 (12) Tue 15 (13) Wed 16 (14) ⇒ latest.
    expect(window('2026-11-25T15:00:00-05:00')).toEqual({ receipt: '2026-11-25', earliest: '2026-12-10', latest: '2026-12-16' });
  });

  it('skips Independence Day 2026, a Saturday, on the Friday it is observed', () => {
    // Receipt Thu 2026-07-02. Fri 3 observed holiday, Sat 4, Sun 5. Mon 6 (1) Tue 7 (2) Wed 8 (3)
    // Thu 9 (4) Fri 10 (5) Mon 13 (6) Tue 14 (7) Wed 15 (8) Thu 16 (9) Fri 17 (10) ⇒ earliest.
    // Mon 20 (11) Tue 21 (12) Wed 22 (13) Thu 23 (14) ⇒ latest.
    expect(closureOf(NY, '2026-07-03')).toBe('Independence Day (observed)');
    expect(window('2026-07-02T10:00:00-04:00')).toEqual({ receipt: '2026-07-02', earliest: '2026-07-17', latest: '2026-07-23' });
  });

  it('takes the local date of a receipt late at night, not the UTC one', () => {
    // Fri 2026-10-16 23:30 EDT is Saturday 03:30 UTC: receipt is Friday. Mon 19 (1) … Fri 23 (5)
    // Mon 26 (6) … Fri 30 (10) ⇒ earliest. Mon 2 Nov (11) Tue 3 (12) — Election Day is no federal
    // holiday — Wed 4 (13) Thu 5 (14) ⇒ latest.
    expect(window('2026-10-17T03:30:00Z')).toEqual({ receipt: '2026-10-16', earliest: '2026-10-30', latest: '2026-11-05' });
    // Thu 2026-10-15 23:30 EDT (Friday UTC): Fri 16 is day 1, so the window is a day earlier than a
    // UTC reading would make it. Fri 16 (1) Mon 19 (2) … Fri 23 (6) Mon 26 (7) Tue 27 (8) Wed 28 (9)
    // Thu 29 (10) ⇒ earliest. Fri 30 (11) Mon 2 (12) Tue 3 (13) Wed 4 (14) ⇒ latest.
    expect(window('2026-10-16T03:30:00Z')).toEqual({ receipt: '2026-10-15', earliest: '2026-10-29', latest: '2026-11-04' });
    // In UTC the same instant is a Friday receipt.
    expect(window('2026-10-16T03:30:00Z', copyrightCalendar({ timeZone: 'UTC' }))).toEqual({
      receipt: '2026-10-16',
      earliest: '2026-10-30',
      latest: '2026-11-05',
    });
  });

  it('crosses the year boundary over Christmas and New Year’s Day', () => {
    // Receipt Fri 2026-12-18. Mon 21 (1) Tue 22 (2) Wed 23 (3) Thu 24 (4) — Christmas Eve is open —
    // Fri 25 Christmas. Mon 28 (5) Tue 29 (6) Wed 30 (7) Thu 31 (8) Fri 2027-01-01 New Year's Day.
    // Mon 4 (9) Tue 5 (10) ⇒ earliest. Wed 6 (11) Thu 7 (12) Fri 8 (13) Mon 11 (14) ⇒ latest.
    expect(window('2026-12-18T12:00:00-05:00')).toEqual({ receipt: '2026-12-18', earliest: '2027-01-05', latest: '2027-01-11' });
  });

  it('skips a day an admin closed', () => {
    const cal = copyrightCalendar({ closedDays: [{ date: '2026-12-24', name: 'Office closed' }] });
    expect(closureOf(cal, '2026-12-24')).toBe('Office closed');
    // As above with Thu 24 closed too: Mon 21 (1) Tue 22 (2) Wed 23 (3) Mon 28 (4) Tue 29 (5)
    // Wed 30 (6) Thu 31 (7) Mon 4 (8) Tue 5 (9) Wed 6 (10) ⇒ earliest. Thu 7 (11) Fri 8 (12)
    // Mon 11 (13) Tue 12 (14) ⇒ latest.
    expect(window('2026-12-18T12:00:00-05:00', cal)).toEqual({ receipt: '2026-12-18', earliest: '2027-01-06', latest: '2027-01-12' });
    // The default calendar is not changed by another's closed days.
    expect(isBusinessDay(NY, '2026-12-24')).toBe(true);
  });

  it('skips Juneteenth (and the observed Independence Day after it)', () => {
    // Receipt Mon 2026-06-15. Tue 16 (1) Wed 17 (2) Thu 18 (3) Fri 19 Juneteenth. Mon 22 (4) Tue 23 (5)
    // Wed 24 (6) Thu 25 (7) Fri 26 (8) Mon 29 (9) Tue 30 (10) ⇒ earliest. Wed 1 Jul (11) Thu 2 (12)
    // Fri 3 observed Independence Day. Mon 6 (13) Tue 7 (14) ⇒ latest.
    expect(window('2026-06-15T09:00:00-04:00')).toEqual({ receipt: '2026-06-15', earliest: '2026-06-30', latest: '2026-07-07' });
  });

  it('counts from the next business day when receipt falls on a holiday or a weekend', () => {
    // Receipt on Thanksgiving itself: the days following are the same as from the day before.
    expect(window('2026-11-26T11:00:00-05:00')).toEqual({ receipt: '2026-11-26', earliest: '2026-12-10', latest: '2026-12-16' });
    // Receipt Sat 2026-11-28 (or Sun 29): Mon 30 (1) Tue 1 (2) Wed 2 (3) Thu 3 (4) Fri 4 (5) Mon 7 (6)
    // Tue 8 (7) Wed 9 (8) Thu 10 (9) Fri 11 (10) ⇒ earliest. Mon 14 (11) Tue 15 (12) Wed 16 (13)
    // Thu 17 (14) ⇒ latest.
    expect(window('2026-11-28T11:00:00-05:00')).toEqual({ receipt: '2026-11-28', earliest: '2026-12-11', latest: '2026-12-17' });
    expect(window('2026-11-29T23:59:00-05:00')).toEqual({ receipt: '2026-11-29', earliest: '2026-12-11', latest: '2026-12-17' });
  });

  it('gives the instants: opens at local midnight, closes at the end of the latest date, reminds at 09:00', () => {
    // The window of the late-Friday receipt spans the end of DST (Sun 2026-11-01).
    const w = restoreWindow(NY, new Date('2026-10-17T03:30:00Z'));
    expect(w.opensAt.toISOString()).toBe('2026-10-30T04:00:00.000Z'); // EDT
    expect(w.remindAt.toISOString()).toBe('2026-10-30T13:00:00.000Z'); // 09:00 EDT
    expect(w.closesAt.toISOString()).toBe('2026-11-06T05:00:00.000Z'); // midnight EST ending Thu 5 Nov
  });
});

describe('federal holidays as observed', () => {
  // An oracle written from 5 U.S.C. §6103 and the Saturday/Sunday rule, independent of the library.
  const nthWeekday = (y: number, month: number, weekday: number, n: number): string => {
    const first = `${y}-${String(month).padStart(2, '0')}-01`;
    return addDays(first, ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1));
  };
  const lastMonday = (y: number, month: number): string => {
    const next = `${month === 12 ? y + 1 : y}-${String(month === 12 ? 1 : month + 1).padStart(2, '0')}-01`;
    const last = addDays(next, -1);
    return addDays(last, -((weekdayOf(last) - 1 + 7) % 7));
  };
  const observed = (date: string) => (weekdayOf(date) === 6 ? addDays(date, -1) : weekdayOf(date) === 0 ? addDays(date, 1) : date);
  const fixed = (y: number, mmdd: string) => observed(`${y}-${mmdd}`);
  const expected = (y: number): string[] =>
    [
      fixed(y, '01-01'),
      fixed(y + 1, '01-01'), // observed on Fri 31 Dec when 1 Jan is a Saturday
      nthWeekday(y, 1, 1, 3),
      nthWeekday(y, 2, 1, 3),
      lastMonday(y, 5),
      ...(y >= 2021 ? [fixed(y, '06-19')] : []),
      fixed(y, '07-04'),
      nthWeekday(y, 9, 1, 1),
      nthWeekday(y, 10, 1, 2),
      fixed(y, '11-11'),
      nthWeekday(y, 11, 4, 4),
      fixed(y, '12-25'),
    ]
      .filter((d) => d.startsWith(`${y}-`))
      .sort();

  it('are exactly the eleven federal holidays (ten before Juneteenth), on the observed weekday, for 1990–2100', () => {
    for (let y = 1990; y <= 2100; y++) expect([y, ...federalHolidays(y).keys()]).toEqual([y, ...expected(y)]);
  });

  it('observe a Saturday Veterans Day on the Friday (the library types that substitute "bank")', () => {
    expect(closureOf(NY, '2028-11-10')).toBe('Veterans Day (observed)');
    expect(isBusinessDay(NY, '2028-11-11')).toBe(false); // still a Saturday
    expect(closureOf(NY, '2029-11-12')).toBe('Veterans Day (observed)');
  });

  it('close 31 December when New Year’s Day falls on a Saturday', () => {
    expect(closureOf(NY, '2021-12-31')).toBe("New Year's Day (observed)");
    expect(isBusinessDay(NY, '2027-12-31')).toBe(false);
  });

  it('count Juneteenth only from 2021, and keep Inauguration Day and the day after Thanksgiving open', () => {
    expect(isBusinessDay(NY, '2020-06-19')).toBe(true);
    expect(closureOf(NY, '2021-06-18')).toBe('Juneteenth (observed)');
    expect(isBusinessDay(NY, '2021-01-20')).toBe(true); // Inauguration Day: a DC closure only
    expect(isBusinessDay(NY, '2026-11-27')).toBe(true);
    expect(isBusinessDay(NY, '2026-12-24')).toBe(true);
  });

  it('name weekends and weekdays by the local date alone', () => {
    expect(weekdayName('2026-12-02')).toBe('Wednesday');
    expect(closureOf(NY, '2026-12-05')).toBe('Saturday');
    expect(closureOf(NY, '2026-12-06')).toBe('Sunday');
    expect(closureOf(NY, '2026-12-07')).toBeUndefined();
  });
});

describe('business-day arithmetic', () => {
  it('counts the business days following one date up to another, negatively backwards', () => {
    expect(businessDaysBetween(NY, '2026-11-25', '2026-12-10')).toBe(10);
    expect(businessDaysBetween(NY, '2026-12-10', '2026-11-25')).toBe(-10);
    expect(businessDaysBetween(NY, '2026-12-05', '2026-12-06')).toBe(0);
    expect(businessDaysBetween(NY, '2026-12-04', '2026-12-04')).toBe(0);
  });

  it('says how many business days are left before the end of a date', () => {
    const latest = '2026-12-16';
    expect(businessDaysLeft(NY, new Date('2026-12-11T20:00:00Z'), latest)).toBe(3); // Fri: Mon, Tue, Wed
    expect(businessDaysLeft(NY, new Date('2026-12-13T20:00:00Z'), latest)).toBe(3); // Sun: the same three
    expect(businessDaysLeft(NY, new Date('2026-12-16T23:00:00Z'), latest)).toBe(0); // 18:00 on the day
    expect(businessDaysLeft(NY, new Date('2026-12-17T05:00:00Z'), latest)).toBe(-1); // 00:00 the day after
  });

  it('gives 09:00 local on a date in either offset', () => {
    expect(localTimeOn(NY, '2026-03-09', '09:00').toISOString()).toBe('2026-03-09T13:00:00.000Z'); // EDT
    expect(localTimeOn(NY, '2026-03-06', '09:00').toISOString()).toBe('2026-03-06T14:00:00.000Z'); // EST
    // On the spring-forward day itself (a Sunday here), 09:00 is still 09:00.
    expect(localTimeOn(NY, '2026-03-08', '09:00').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(localTimeOn(copyrightCalendar({ timeZone: 'Asia/Kolkata' }), '2026-12-02', '09:00').toISOString()).toBe(
      '2026-12-02T03:30:00.000Z',
    );
  });

  it('gives 09:00 local on a day whose clocks jump at midnight', () => {
    // Santiago springs forward at 00:00 on 2026-09-06 (-04 → -03): the day starts at 01:00, and
    // 09:00 that morning is 12:00Z, not 09:00 measured as nine hours after the day's start.
    const santiago = copyrightCalendar({ timeZone: 'America/Santiago' });
    expect(localTimeOn(santiago, '2026-09-05', '09:00').toISOString()).toBe('2026-09-05T13:00:00.000Z');
    expect(localTimeOn(santiago, '2026-09-06', '09:00').toISOString()).toBe('2026-09-06T12:00:00.000Z');
    expect(localTimeOn(santiago, '2026-09-07', '09:00').toISOString()).toBe('2026-09-07T12:00:00.000Z');
    // Havana does the same on 2026-03-08 (-05 → -04); 00:30 does not exist that day, so it is 01:00.
    const havana = copyrightCalendar({ timeZone: 'America/Havana' });
    expect(localTimeOn(havana, '2026-03-08', '09:00').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(localTimeOn(havana, '2026-03-08', '00:30').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(localTimeOn(havana, '2026-03-07', '09:00').toISOString()).toBe('2026-03-07T14:00:00.000Z');
  });

  it('keeps "one business day after" at the same local time across a midnight clock change on a business day', () => {
    // Cairo springs forward at 00:00 on Friday 2026-04-24 (EET +02 → EEST +03).
    const cairo = copyrightCalendar({ timeZone: 'Africa/Cairo' });
    const dueAfter = (iso: string) => oneBusinessDayAfter(cairo, new Date(iso)).toISOString();
    expect(dueAfter('2026-04-23T09:00:00+02:00')).toBe('2026-04-24T06:00:00.000Z'); // Thu 09:00 → Fri 09:00 EEST
    expect(dueAfter('2026-04-24T09:00:00+03:00')).toBe('2026-04-27T06:00:00.000Z'); // Fri 09:00 → Mon 09:00
  });

  it('puts "one business day after" at the same local time on the next business day', () => {
    const dueAfter = (iso: string) => oneBusinessDayAfter(NY, new Date(iso)).toISOString();
    expect(dueAfter('2026-12-04T15:00:00-05:00')).toBe('2026-12-07T20:00:00.000Z'); // Fri 15:00 → Mon 15:00
    expect(dueAfter('2026-11-25T15:00:00-05:00')).toBe('2026-11-27T20:00:00.000Z'); // over Thanksgiving
    expect(dueAfter('2026-10-30T10:00:00-04:00')).toBe('2026-11-02T15:00:00.000Z'); // 10:00 EDT → 10:00 EST
    // Received on a closed day: business time starts on Monday, so it ends with Monday.
    expect(dueAfter('2026-12-05T10:00:00-05:00')).toBe('2026-12-08T05:00:00.000Z');
    expect(dueAfter('2026-11-26T10:00:00-05:00')).toBe('2026-11-28T05:00:00.000Z'); // Thanksgiving → end of Fri
  });

  it('places a pending dispute before, inside or after its window', () => {
    const w = restoreWindow(NY, new Date('2026-11-25T15:00:00-05:00')); // 12-10 … 12-16
    expect(disputeClock(NY, w, new Date('2026-12-09T14:00:00Z'))).toEqual({ phase: 'waiting', daysLeft: 5, daysUntilOpen: 1 });
    expect(disputeClock(NY, w, new Date('2026-12-10T05:00:00Z'))).toEqual({ phase: 'open', daysLeft: 4, daysUntilOpen: 0 });
    expect(disputeClock(NY, w, new Date('2026-12-17T05:00:00Z'))).toEqual({ phase: 'overdue', daysLeft: -1, daysUntilOpen: 0 });
  });

  it('refuses a bad zone, a bad closed day, and a calendar closed for good', () => {
    expect(() => copyrightCalendar({ timeZone: 'Mars/Olympus' })).toThrow(/IANA time zone/);
    expect(() => copyrightCalendar({ closedDays: [{ date: '2026-02-30', name: 'x' }] })).toThrow(/calendar date/);
    const everyDay = Array.from({ length: 3 * 366 + 200 }, (_, i) => ({ date: addDays('2027-01-01', i), name: 'closed' }));
    expect(() => nthBusinessDayAfter(copyrightCalendar({ closedDays: everyDay }), '2026-12-31', 10)).toThrow(/fewer than 10 business days/);
  });
});

describe('the holiday command words', () => {
  it('take a date and a name, "Closed" by default', () => {
    expect(parseClosedDay(NY, ['2026-12-24', 'Office', 'closed'])).toEqual({ date: '2026-12-24', name: 'Office closed' });
    expect(parseClosedDay(NY, ['2026-12-24'])).toEqual({ date: '2026-12-24', name: 'Closed' });
  });

  it('say when the day is closed already, and refuse a date that is not one', () => {
    expect(parseClosedDay(NY, ['2026-12-25', 'Xmas']).alreadyClosedBy).toBe('Christmas Day');
    expect(parseClosedDay(NY, ['2026-12-26']).alreadyClosedBy).toBe('Saturday');
    expect(() => parseClosedDay(NY, ['24/12/2026'])).toThrow(/YYYY-MM-DD/);
    expect(() => parseClosedDay(NY, ['2026-13-01'])).toThrow(/calendar date/);
    expect(() => parseClosedDay(NY, [])).toThrow(/YYYY-MM-DD/);
  });
});

describe('restore-window properties', () => {
  const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-01T00:00:00Z'), noInvalidDate: true });
  const zone = fc.constantFrom('America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu', 'UTC', 'Asia/Tokyo');
  const closedDays = fc.array(
    fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-06-01T00:00:00Z'), noInvalidDate: true }),
    { maxLength: 30 },
  );
  const calendar = fc
    .tuple(zone, closedDays)
    .map(([timeZone, days]) =>
      copyrightCalendar({ timeZone, closedDays: days.map((d) => ({ date: d.toISOString().slice(0, 10), name: 'x' })) }),
    );

  it('earliest is the 10th and latest the 14th business day following receipt, both business days, 4 apart', () => {
    fc.assert(
      fc.property(calendar, instant, (cal, at) => {
        const w = restoreWindow(cal, at);
        expect(w.receiptDate).toBe(receiptDate(cal, at));
        expect(w.earliest < w.latest).toBe(true);
        expect(isBusinessDay(cal, w.earliest) && isBusinessDay(cal, w.latest)).toBe(true);
        expect(businessDaysBetween(cal, w.receiptDate, w.earliest)).toBe(10);
        expect(businessDaysBetween(cal, w.earliest, w.latest)).toBe(4);
        // The day before each bound is one business day short: the bound is the first day reaching it.
        expect(businessDaysBetween(cal, w.receiptDate, addDays(w.earliest, -1))).toBe(9);
        expect(businessDaysBetween(cal, w.receiptDate, addDays(w.latest, -1))).toBe(13);
        expect(w.opensAt < w.remindAt && w.remindAt < w.closesAt).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never lands on a weekend or holiday, whatever the zone', () => {
    fc.assert(
      fc.property(calendar, instant, (cal, at) => {
        const w = restoreWindow(cal, at);
        for (const d of [w.earliest, w.latest]) {
          expect(weekdayOf(d)).not.toBe(0);
          expect(weekdayOf(d)).not.toBe(6);
          expect(federalHolidays(Number(d.slice(0, 4))).has(d)).toBe(false);
          expect(cal.closedDays.has(d)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is monotone in the receipt date', () => {
    fc.assert(
      fc.property(calendar, instant, fc.integer({ min: 0, max: 40 * 86_400_000 }), (cal, at, later) => {
        const a = restoreWindow(cal, at);
        const b = restoreWindow(cal, new Date(at.getTime() + later));
        expect(a.earliest <= b.earliest && a.latest <= b.latest).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
