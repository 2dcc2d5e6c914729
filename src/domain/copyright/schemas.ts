/**
 * Copyright notices and counter-notices as they come in (API body or CSV rows): the zod shapes, and
 * the statutory completeness checks of 17 U.S.C. §512(c)(3)(A) and §512(g)(3).
 *
 * Two kinds of fault, kept apart on purpose. A wrong type or a malformed value (a number for a name,
 * a bad date, 1,001 items) is a 400 with every field error. A statutory element that is absent,
 * blank or false is not a fault of the request: the notice is recorded as incomplete and the check
 * names what is missing (stable element names, used in the API answer and on the card).
 */
import { z } from 'zod';
import type { RowError } from '../intake/import/columns';
import { type FieldError, fieldErrors, unstorableTextErrors, ZContentRef, ZExternalId, ZInstant } from '../intake/schemas';

export const SENDER_KINDS = ['rights_holder', 'agent', 'automated_agent'] as const;
export type SenderKind = (typeof SENDER_KINDS)[number];
export const MAX_NOTICE_ITEMS = 1000;

const blankToUndefined = (s: string | undefined) => (s === '' ? undefined : s);
/** Text of a statutory element: absent or blank means the element is missing, not a bad request. */
const elementText = (max: number) => z.string().trim().max(max, `at most ${max} characters`).optional().transform(blankToUndefined);
const checkedText = (max: number, ok: (s: string) => boolean, message: string) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .refine((s) => s === '' || ok(s), message)
    .optional()
    .transform(blankToUndefined);

const ZEmail = checkedText(320, (s) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s), 'expected an email address, e.g. legal@example.com');
const ZPhone = checkedText(50, (s) => /\d/.test(s) && /^[\d\s()+./x#-]+$/i.test(s), 'expected a telephone number, e.g. +1 212 555 0100');
const ZAccountId = z.string().trim().min(1, 'required').max(200, 'at most 200 characters');
/** A surface key, as the report intake takes it (the catalog check is the caller's). */
const ZSurface = z.string().trim().min(1, 'required').max(64, 'at most 64 characters');

export const ZNoticeSender = z.strictObject({
  name: z.string().trim().min(1, 'required').max(200, 'at most 200 characters'),
  organization: elementText(200),
  email: ZEmail,
  address: elementText(1000),
  phone: ZPhone,
  kind: z.enum(SENDER_KINDS, { error: `expected one of ${SENDER_KINDS.join(', ')}` }),
});

export const ZNoticeItem = z.strictObject({
  content_ref: ZContentRef,
  surface: ZSurface,
  account_id: ZAccountId.optional(),
});

export const ZNoticeInput = z.strictObject({
  external_id: ZExternalId,
  received_at: ZInstant,
  sender: ZNoticeSender,
  work: elementText(5000),
  // Absent or empty: the material element is missing (recorded as incomplete, not refused).
  items: z.array(ZNoticeItem).max(MAX_NOTICE_ITEMS, `at most ${MAX_NOTICE_ITEMS} items per notice`).optional(),
  signature: elementText(500),
  good_faith: z.boolean().optional(),
  accurate_and_authorized: z.boolean().optional(),
});
export type NoticeInput = z.infer<typeof ZNoticeInput>;

export const ZSubscriber = z.strictObject({
  name: elementText(200),
  address: elementText(1000),
  phone: ZPhone,
  email: ZEmail,
  account_id: ZAccountId,
});

export const ZCounterNoticeInput = z.strictObject({
  external_id: ZExternalId,
  notice_external_id: ZExternalId,
  received_at: ZInstant,
  subscriber: ZSubscriber,
  items: z
    .array(ZContentRef)
    .min(1, 'at least one content reference; leave items out to dispute everything the notice took down')
    .max(MAX_NOTICE_ITEMS, `at most ${MAX_NOTICE_ITEMS} items per counter-notice`)
    .optional(),
  signature: elementText(500),
  mistake_statement: z.boolean().optional(),
  consent_to_jurisdiction: z.boolean().optional(),
  accepts_service: z.boolean().optional(),
});
export type CounterNoticeInput = z.infer<typeof ZCounterNoticeInput>;

// ---------------------------------------------------------------------------------------------
// Validation: every field error at once, as the intake API answers

type Raw = Record<string, unknown>;
const FUTURE_SLACK_MS = 5 * 60_000;

/** The same content listed twice in one body is a mistake in the request, named at each repeat. */
function duplicateRefs(items: unknown, refOf: (item: unknown) => unknown, path: (k: number) => string): FieldError[] {
  if (!Array.isArray(items)) return [];
  const first = new Map<string, number>();
  const errors: FieldError[] = [];
  items.forEach((item, k) => {
    const ref = refOf(item);
    if (typeof ref !== 'string') return;
    const key = ref.trim();
    const seen = first.get(key);
    if (seen === undefined) first.set(key, k);
    else errors.push({ path: path(k), message: `listed twice (also item ${seen + 1})` });
  });
  return errors;
}

function validate<T>(
  schema: z.ZodType<T>,
  rules: (raw: Raw) => FieldError[],
  raw: unknown,
  now: Date,
): { data: T } | { errors: FieldError[] } {
  const parsed = schema.safeParse(raw);
  const errors = parsed.success ? [] : fieldErrors(parsed.error);
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const body = raw as Raw;
    errors.push(...rules(body));
    const at =
      typeof body.received_at === 'string' && ZInstant.safeParse(body.received_at).success ? new Date(body.received_at) : undefined;
    if (at && at.getTime() > now.getTime() + FUTURE_SLACK_MS)
      errors.push({ path: 'received_at', message: 'more than 5 minutes in the future' });
  }
  errors.push(...unstorableTextErrors(raw));
  if (errors.length || !parsed.success) return { errors: dedupe(errors) };
  return { data: parsed.data };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0001${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function validateNotice(raw: unknown, now: Date): { data: NoticeInput } | { errors: FieldError[] } {
  return validate(
    ZNoticeInput,
    (b) =>
      duplicateRefs(
        b.items,
        (i) => (i && typeof i === 'object' ? (i as Raw).content_ref : undefined),
        (k) => `items.${k}.content_ref`,
      ),
    raw,
    now,
  );
}

export function validateCounterNotice(raw: unknown, now: Date): { data: CounterNoticeInput } | { errors: FieldError[] } {
  return validate(
    ZCounterNoticeInput,
    (b) =>
      duplicateRefs(
        b.items,
        (i) => i,
        (k) => `items.${k}`,
      ),
    raw,
    now,
  );
}

// ---------------------------------------------------------------------------------------------
// Statutory completeness

export const NOTICE_ELEMENTS = ['signature', 'work', 'material', 'contact', 'good_faith', 'accurate_and_authorized'] as const;
export type NoticeElement = (typeof NOTICE_ELEMENTS)[number];

export const COUNTER_NOTICE_ELEMENTS = [
  'signature',
  'material',
  'mistake_statement',
  'subscriber_name',
  'subscriber_address',
  'subscriber_phone',
  'consent_to_jurisdiction',
  'accepts_service',
] as const;
export type CounterNoticeElement = (typeof COUNTER_NOTICE_ELEMENTS)[number];

export type ElementText = { statute: string; ask: string };

/** What each element is, in words for the person asking the sender for it. */
export const NOTICE_ELEMENT_TEXT: Record<NoticeElement, ElementText> = {
  signature: {
    statute: '§512(c)(3)(A)(i)',
    ask: 'a physical or electronic signature of the owner or of someone authorized to act for them',
  },
  work: { statute: '§512(c)(3)(A)(ii)', ask: 'identification of the copyrighted work (or a representative list, for several works)' },
  material: {
    statute: '§512(c)(3)(A)(iii)',
    ask: 'identification of the infringing material, with enough to locate it (a link or id per item)',
  },
  contact: { statute: '§512(c)(3)(A)(iv)', ask: 'a way to contact the sender: an address, a telephone number or an email address' },
  good_faith: {
    statute: '§512(c)(3)(A)(v)',
    ask: 'a statement of good-faith belief that the use is not authorized by the owner, its agent or the law',
  },
  accurate_and_authorized: {
    statute: '§512(c)(3)(A)(vi)',
    ask: 'a statement that the notice is accurate and, under penalty of perjury, that the sender may act for the owner',
  },
};

export const COUNTER_NOTICE_ELEMENT_TEXT: Record<CounterNoticeElement, ElementText> = {
  signature: { statute: '§512(g)(3)(A)', ask: 'a physical or electronic signature of the subscriber' },
  material: { statute: '§512(g)(3)(B)', ask: 'identification of the material removed and where it appeared' },
  mistake_statement: {
    statute: '§512(g)(3)(C)',
    ask: 'a statement under penalty of perjury of good-faith belief that the material was removed by mistake or misidentification',
  },
  subscriber_name: { statute: '§512(g)(3)(D)', ask: 'the subscriber’s name' },
  subscriber_address: { statute: '§512(g)(3)(D)', ask: 'the subscriber’s address' },
  subscriber_phone: { statute: '§512(g)(3)(D)', ask: 'the subscriber’s telephone number' },
  consent_to_jurisdiction: {
    statute: '§512(g)(3)(D)',
    ask: 'consent to the jurisdiction of the Federal District Court for their address (or any district where we may be found, if outside the US)',
  },
  accepts_service: {
    statute: '§512(g)(3)(D)',
    ask: 'a statement that they will accept service of process from the person who sent the notice',
  },
};

/**
 * Whom to ask about an incomplete notice. §512(c)(3)(B)(ii): a notice that identifies the work and
 * the material and gives a contact must be followed up ("expected"); with a contact but without the
 * work or the material, asking is still "possible"; without a contact there is no one to ask.
 */
export type Outreach = 'none' | 'expected' | 'possible' | 'no_contact';

export type NoticeCheck = {
  complete: boolean;
  present: NoticeElement[];
  missing: NoticeElement[];
  outreach: Outreach;
};

type NoticeForCheck = Pick<NoticeInput, 'work' | 'items' | 'signature' | 'good_faith' | 'accurate_and_authorized'> & {
  sender: Pick<NoticeInput['sender'], 'email' | 'address' | 'phone'>;
};

const has = (s: string | undefined) => s !== undefined && s.trim() !== '';

export function checkNotice(n: NoticeForCheck): NoticeCheck {
  const present: Record<NoticeElement, boolean> = {
    signature: has(n.signature),
    work: has(n.work),
    material: (n.items?.length ?? 0) > 0,
    contact: has(n.sender.email) || has(n.sender.address) || has(n.sender.phone),
    good_faith: n.good_faith === true,
    accurate_and_authorized: n.accurate_and_authorized === true,
  };
  const missing = NOTICE_ELEMENTS.filter((e) => !present[e]);
  const outreach: Outreach =
    missing.length === 0 ? 'none' : !present.contact ? 'no_contact' : present.work && present.material ? 'expected' : 'possible';
  return { complete: missing.length === 0, present: NOTICE_ELEMENTS.filter((e) => present[e]), missing, outreach };
}

export type CounterNoticeCheck = { complete: boolean; present: CounterNoticeElement[]; missing: CounterNoticeElement[] };

type CounterNoticeForCheck = Pick<CounterNoticeInput, 'signature' | 'mistake_statement' | 'consent_to_jurisdiction' | 'accepts_service'> & {
  subscriber: Pick<CounterNoticeInput['subscriber'], 'name' | 'address' | 'phone'>;
};

/** `items` are the disputed items once resolved (see resolveCounterNoticeItems). */
export function checkCounterNotice(c: CounterNoticeForCheck, items: readonly string[]): CounterNoticeCheck {
  const present: Record<CounterNoticeElement, boolean> = {
    signature: has(c.signature),
    material: items.length > 0,
    mistake_statement: c.mistake_statement === true,
    subscriber_name: has(c.subscriber.name),
    subscriber_address: has(c.subscriber.address),
    subscriber_phone: has(c.subscriber.phone),
    consent_to_jurisdiction: c.consent_to_jurisdiction === true,
    accepts_service: c.accepts_service === true,
  };
  const missing = COUNTER_NOTICE_ELEMENTS.filter((e) => !present[e]);
  return { complete: missing.length === 0, present: COUNTER_NOTICE_ELEMENTS.filter((e) => present[e]), missing };
}

/**
 * The items a counter-notice disputes: those it names, or (none named) everything the notice took
 * down. Named items the notice did not take down are listed for the 409 that names them.
 */
export function resolveCounterNoticeItems(
  requested: readonly string[] | undefined,
  takenDown: readonly string[],
): { items: string[]; notTakenDown: string[] } {
  if (requested === undefined || requested.length === 0) return { items: [...takenDown], notTakenDown: [] };
  const down = new Set(takenDown);
  return { items: requested.filter((r) => down.has(r)), notTakenDown: requested.filter((r) => !down.has(r)) };
}

// ---------------------------------------------------------------------------------------------
// CSV import: one row per item, the notice's own columns repeated on each of its rows

export const COPYRIGHT_IMPORT_KINDS = ['notices', 'counter-notices'] as const;
export type CopyrightImportKind = (typeof COPYRIGHT_IMPORT_KINDS)[number];

type Columns = { required: readonly string[]; optional: readonly string[]; item: readonly string[] };

/** Element columns are required in the header (a cell may be empty: the element is then missing). */
export const COPYRIGHT_IMPORT_COLUMNS = {
  notices: {
    required: [
      'external_id',
      'received_at',
      'sender_name',
      'sender_kind',
      'work',
      'signature',
      'good_faith',
      'accurate_and_authorized',
      'content_ref',
      'surface',
    ],
    optional: ['sender_organization', 'sender_email', 'sender_address', 'sender_phone', 'account_id'],
    item: ['content_ref', 'surface', 'account_id'],
  },
  'counter-notices': {
    required: [
      'external_id',
      'notice_external_id',
      'received_at',
      'subscriber_account_id',
      'subscriber_name',
      'subscriber_address',
      'subscriber_phone',
      'signature',
      'mistake_statement',
      'consent_to_jurisdiction',
      'accepts_service',
    ],
    // content_ref empty (or the column left out) on a counter-notice's one row: everything the notice took down.
    optional: ['subscriber_email', 'content_ref'],
    item: ['content_ref'],
  },
} as const satisfies Record<CopyrightImportKind, Columns>;

const BOOLEAN_COLUMNS = new Set([
  'good_faith',
  'accurate_and_authorized',
  'mistake_statement',
  'consent_to_jurisdiction',
  'accepts_service',
]);
const BOOLEANS: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };
const NESTED = /^(sender|subscriber)_(.+)$/;

/** A CSV record as readCsvRecords yields it. */
export type CopyrightCsvRecord =
  | { ok: true; record: number; line: number; values: Partial<Record<string, string>> }
  | { ok: false; record: number; line: number; error: string };

export type GroupedRows<T> =
  | { ok: true; externalId: string; rows: { record: number; line: number }[]; body: Record<string, unknown>; data: T }
  | { ok: false; externalId?: string; errors: RowError[] };

export type CopyrightInputOf<K extends CopyrightImportKind> = K extends 'notices' ? NoticeInput : CounterNoticeInput;

type OkRecord = Extract<CopyrightCsvRecord, { ok: true }>;
type Group = { id: string; rows: OkRecord[]; extraRows: number; errors: RowError[] };

/** The notice-level cells of a row as a body: nested objects for sender_* / subscriber_*, booleans typed. */
function noticeBody(values: Partial<Record<string, string>>, itemColumns: ReadonlySet<string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(values)) {
    if (cell === undefined || cell.trim() === '' || itemColumns.has(column)) continue;
    const value = BOOLEAN_COLUMNS.has(column) ? (BOOLEANS[cell.trim().toLowerCase()] ?? cell) : cell;
    const nested = NESTED.exec(column);
    if (nested) {
      const key = nested[1]!;
      body[key] = { ...((body[key] as object | undefined) ?? {}), [nested[2]!]: value };
    } else body[column] = value;
  }
  return body;
}

/** Body paths as the spreadsheet's columns: `sender.email` is the `sender_email` column. */
const columnOf = (path: string): string => (path === 'items' ? 'content_ref' : path.replace(/^(sender|subscriber)\./, '$1_'));

/**
 * Groups CSV records into notices (or counter-notices): consecutive rows with the same external_id
 * are one notice, one row per item. Each group becomes the body the JSON API would take and is
 * validated as the API would; every error names its line and column. A group fails whole: a notice
 * is never imported with some of its items.
 */
export async function* groupCopyrightRows<K extends CopyrightImportKind>(
  kind: K,
  records: AsyncIterable<CopyrightCsvRecord> | Iterable<CopyrightCsvRecord>,
  now: Date,
): AsyncGenerator<GroupedRows<CopyrightInputOf<K>>> {
  type Out = GroupedRows<CopyrightInputOf<K>>;
  const noun = kind === 'notices' ? 'notice' : 'counter-notice';
  const itemColumns: ReadonlySet<string> = new Set(COPYRIGHT_IMPORT_COLUMNS[kind].item);
  const seen = new Map<string, number>(); // external_id → first line, to catch a notice split in two
  let open: Group | undefined;
  let brokenLines: number[] = [];

  const close = (g: Group): Out => {
    const first = g.rows[0]!;
    const err = (row: OkRecord, column: string, message: string): RowError => ({ row: row.record, line: row.line, column, message });
    const errors = [...g.errors];
    const base = noticeBody(first.values, itemColumns);
    // Every row repeats the notice's columns: a row that says otherwise is a broken spreadsheet.
    for (const row of g.rows.slice(1)) {
      const columns = Object.keys(row.values).filter((c) => !itemColumns.has(c) && c !== 'external_id');
      for (const c of columns) {
        if ((row.values[c] ?? '').trim() !== (first.values[c] ?? '').trim()) {
          errors.push(err(row, c, `differs from line ${first.line}: every row of ${noun} ${g.id} repeats its ${noun} columns`));
        }
      }
    }
    if (g.extraRows > 0) {
      errors.push(
        err(first, 'content_ref', `${noun} ${g.id} has ${g.rows.length + g.extraRows} rows: at most ${MAX_NOTICE_ITEMS} items each`),
      );
    }
    const body: Record<string, unknown> = { ...base };
    if (kind === 'notices') {
      body.items = g.rows.map((r) => {
        const item: Record<string, string> = {};
        for (const c of itemColumns) if ((r.values[c] ?? '').trim() !== '') item[c] = r.values[c]!;
        return item;
      });
    } else {
      const refs = g.rows.map((r) => (r.values.content_ref ?? '').trim());
      if (refs.some((r) => r !== '')) {
        g.rows.forEach((r, k) => {
          if (refs[k] === '') errors.push(err(r, 'content_ref', 'empty while other rows of this counter-notice name items'));
        });
        body.items = refs.filter((r) => r !== '');
      }
    }
    const checked = kind === 'notices' ? validateNotice(body, now) : validateCounterNotice(body, now);
    if ('errors' in checked) {
      for (const e of checked.errors) {
        const m = /^items\.(\d+)(?:\.(.+))?$/.exec(e.path);
        const row = m ? (g.rows[Number(m[1])] ?? first) : first;
        const column = m ? (m[2] ?? 'content_ref') : e.path === '(body)' ? '(row)' : columnOf(e.path);
        errors.push(err(row, column, e.message));
      }
    }
    if (errors.length || 'errors' in checked) return { ok: false, externalId: g.id, errors };
    return {
      ok: true,
      externalId: g.id,
      rows: g.rows.map((r) => ({ record: r.record, line: r.line })),
      body,
      data: checked.data as CopyrightInputOf<K>,
    };
  };

  for await (const rec of records) {
    if (!rec.ok) {
      yield { ok: false, errors: [{ row: rec.record, line: rec.line, column: '(row)', message: rec.error }] };
      if (open) brokenLines.push(rec.line);
      continue;
    }
    const id = (rec.values.external_id ?? '').trim();
    if (id === '') {
      yield { ok: false, errors: [{ row: rec.record, line: rec.line, column: 'external_id', message: 'required' }] };
      continue;
    }
    if (open && open.id === id) {
      // A row that could not be read sat between two rows of this notice: one of its items is lost.
      for (const line of brokenLines) {
        open.errors.push({ row: rec.record, line: rec.line, column: '(row)', message: `line ${line} of ${noun} ${id} could not be read` });
      }
      brokenLines = [];
      if (open.rows.length < MAX_NOTICE_ITEMS + 1) open.rows.push(rec);
      else open.extraRows++; // memory stays bounded on a runaway notice
      continue;
    }
    if (open) yield close(open);
    brokenLines = [];
    open = { id, rows: [rec], extraRows: 0, errors: [] };
    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      open.errors.push({
        row: rec.record,
        line: rec.line,
        column: 'external_id',
        message: `${noun} ${id} already started at line ${firstLine}: the rows of one ${noun} must be consecutive`,
      });
    } else seen.set(id, rec.line);
  }
  if (open) yield close(open);
}
