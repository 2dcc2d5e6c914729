// Real public holidays for the demo vendors' countries, computed for any year so whichever
// 90-day window the seed covers holds the holidays that really fall in it. Lunar-calendar
// holidays (Eid, Chinese New Year in the Philippines) are proclaimed yearly and left out.

export type HolidayCountry = 'US' | 'IE' | 'PH';
export type PublicHoliday = { date: string; name: string };

const DAY_MS = 86_400_000;

function ymd(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** The nth (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(year: number, month: number, weekday: number, n: number): Date {
  if (n > 0) {
    const first = ymd(year, month, 1);
    const offset = (weekday - first.getUTCDay() + 7) % 7;
    return addDays(first, offset + (n - 1) * 7);
  }
  const last = new Date(Date.UTC(year, month, 0));
  const offset = (last.getUTCDay() - weekday + 7) % 7;
  return addDays(last, -offset);
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm). */
function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

// US federal rule: a Saturday holiday is observed on Friday, a Sunday one on Monday.
function usObserved(d: Date): Date {
  const dow = d.getUTCDay();
  return dow === 6 ? addDays(d, -1) : dow === 0 ? addDays(d, 1) : d;
}

function unitedStates(year: number): PublicHoliday[] {
  return [
    { d: usObserved(ymd(year, 1, 1)), name: "New Year's Day" },
    { d: nthWeekday(year, 1, 1, 3), name: 'Martin Luther King Jr. Day' },
    { d: nthWeekday(year, 2, 1, 3), name: "Washington's Birthday" },
    { d: nthWeekday(year, 5, 1, -1), name: 'Memorial Day' },
    { d: usObserved(ymd(year, 6, 19)), name: 'Juneteenth' },
    { d: usObserved(ymd(year, 7, 4)), name: 'Independence Day' },
    { d: nthWeekday(year, 9, 1, 1), name: 'Labor Day' },
    { d: nthWeekday(year, 10, 1, 2), name: 'Columbus Day' },
    { d: usObserved(ymd(year, 11, 11)), name: 'Veterans Day' },
    { d: nthWeekday(year, 11, 4, 4), name: 'Thanksgiving Day' },
    { d: usObserved(ymd(year, 12, 25)), name: 'Christmas Day' },
  ].map(({ d, name }) => ({ date: iso(d), name }));
}

function ireland(year: number): PublicHoliday[] {
  const feb1 = ymd(year, 2, 1);
  const brigid = feb1.getUTCDay() === 5 ? feb1 : nthWeekday(year, 2, 1, 1);
  const list = [
    { d: ymd(year, 1, 1), name: "New Year's Day" },
    { d: brigid, name: "St Brigid's Day" },
    { d: ymd(year, 3, 17), name: "St Patrick's Day" },
    { d: addDays(easterSunday(year), 1), name: 'Easter Monday' },
    { d: nthWeekday(year, 5, 1, 1), name: 'May Bank Holiday' },
    { d: nthWeekday(year, 6, 1, 1), name: 'June Bank Holiday' },
    { d: nthWeekday(year, 8, 1, 1), name: 'August Bank Holiday' },
    { d: nthWeekday(year, 10, 1, -1), name: 'October Bank Holiday' },
    { d: ymd(year, 12, 25), name: 'Christmas Day' },
    { d: ymd(year, 12, 26), name: "St Stephen's Day" },
  ];
  // A holiday on a weekend gives the next free weekday off instead.
  const taken = new Set(list.map((h) => iso(h.d)));
  return list.map(({ d, name }) => {
    let day = d;
    if (day.getUTCDay() === 6 || day.getUTCDay() === 0) {
      do day = addDays(day, 1);
      while (day.getUTCDay() === 6 || day.getUTCDay() === 0 || taken.has(iso(day)));
      taken.add(iso(day));
    }
    return { date: iso(day), name: day === d ? name : `${name} (substitute day)` };
  });
}

function philippines(year: number): PublicHoliday[] {
  const easter = easterSunday(year);
  return [
    { d: ymd(year, 1, 1), name: "New Year's Day" },
    { d: addDays(easter, -3), name: 'Maundy Thursday' },
    { d: addDays(easter, -2), name: 'Good Friday' },
    { d: addDays(easter, -1), name: 'Black Saturday' },
    { d: ymd(year, 4, 9), name: 'Araw ng Kagitingan' },
    { d: ymd(year, 5, 1), name: 'Labor Day' },
    { d: ymd(year, 6, 12), name: 'Independence Day' },
    { d: ymd(year, 8, 21), name: 'Ninoy Aquino Day' },
    { d: nthWeekday(year, 8, 1, -1), name: 'National Heroes Day' },
    { d: ymd(year, 11, 1), name: "All Saints' Day" },
    { d: ymd(year, 11, 30), name: 'Bonifacio Day' },
    { d: ymd(year, 12, 8), name: 'Feast of the Immaculate Conception' },
    { d: ymd(year, 12, 24), name: 'Christmas Eve' },
    { d: ymd(year, 12, 25), name: 'Christmas Day' },
    { d: ymd(year, 12, 30), name: 'Rizal Day' },
    { d: ymd(year, 12, 31), name: 'Last Day of the Year' },
  ].map(({ d, name }) => ({ date: iso(d), name }));
}

const BY_COUNTRY: Record<HolidayCountry, (year: number) => PublicHoliday[]> = { US: unitedStates, IE: ireland, PH: philippines };

/** Holidays with from ≤ date ≤ to (YYYY-MM-DD strings compare correctly), sorted, one per date. */
export function publicHolidaysBetween(country: HolidayCountry, from: Date, to: Date): PublicHoliday[] {
  const lo = iso(from);
  const hi = iso(to);
  const byDate = new Map<string, PublicHoliday>();
  for (let year = from.getUTCFullYear(); year <= to.getUTCFullYear(); year++) {
    for (const h of BY_COUNTRY[country](year)) {
      if (h.date >= lo && h.date <= hi && !byDate.has(h.date)) byDate.set(h.date, h);
    }
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}
