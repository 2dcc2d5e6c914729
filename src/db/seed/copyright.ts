// Copyright takedown notices for one day, with the counter-notices and strikes that followed.
import type { ActivityContext } from './activity';
import { chance, hex, int, lognormal, pickOne, type Rng, roundRandom, uuidV7, weighted } from './random';

const HOUR = 3600;
const DAY = 86_400;

/** The statutory elements of a notice (17 U.S.C. § 512(c)(3)(A)). */
export const NOTICE_ELEMENTS = [
  'signature',
  'work_identification',
  'material_identification',
  'contact_information',
  'good_faith_statement',
  'accuracy_statement',
] as const;

type Claimant = {
  name: string;
  contact: string | null;
  works: readonly string[];
  source: string;
  falsePositive: number;
  incomplete: number;
};

// Fictional rights holders; false-positive rates differ so the per-claimant metrics have a story.
const CLAIMANTS = weighted<Claimant>([
  [
    {
      name: 'Northwind Pictures',
      contact: 'legal@northwind-pictures.example',
      works: ['Feature film "The Long Harbor" (2021)', 'Series "Tidewater", season 2'],
      source: 'automated_fingerprint',
      falsePositive: 0.3,
      incomplete: 0.05,
    },
    24,
  ],
  [
    {
      name: 'Harbor Music Group',
      contact: 'copyright@harbormusic.example',
      works: ['Song "Paper Lanterns"', 'Album "Night Ferry"', 'Song "Glass Harbour"'],
      source: 'rightsholder_portal',
      falsePositive: 0.12,
      incomplete: 0.04,
    },
    20,
  ],
  [
    {
      name: 'Fabrikam Publishing',
      contact: 'rights@fabrikam-publishing.example',
      works: ['Novel "The Salt Road"', 'Textbook "Organic Chemistry", 9th edition'],
      source: 'manual_search',
      falsePositive: 0.06,
      incomplete: 0.06,
    },
    16,
  ],
  [
    {
      name: 'Contoso Software',
      contact: 'ip@contoso-software.example',
      works: ['Contoso SDK source code', 'Contoso Studio documentation'],
      source: 'keyword_scan',
      falsePositive: 0.35,
      incomplete: 0.08,
    },
    14,
  ],
  [
    {
      name: 'Lumen Photo Agency',
      contact: 'licensing@lumenphoto.example',
      works: ['Photograph "Dawn over Galway Bay"', 'Stock photo collection #4471'],
      source: 'automated_fingerprint',
      falsePositive: 0.18,
      incomplete: 0.05,
    },
    12,
  ],
  [
    {
      name: 'Individual rights holder',
      contact: null,
      works: ['Blog post "Ten years of sourdough"', 'Personal photograph', 'Self-published poem collection'],
      source: 'claimant_notice',
      falsePositive: 0.1,
      incomplete: 0.4,
    },
    14,
  ],
]);

/** Fingerprinting services send as automated agents; scanning vendors as agents; the rest are the rights holders. */
const SENDER_KIND_OF_SOURCE: Record<string, 'agent' | 'automated_agent'> = {
  automated_fingerprint: 'automated_agent',
  keyword_scan: 'agent',
};

export type CopyrightContext = ActivityContext & {
  /** Accounts that keep re-uploading: they collect strikes (repeat infringers). */
  repeatAccounts: readonly string[];
};

const WEEKEND = new Set([0, 6]);

/** `days` business days after `from` (Saturdays and Sundays skipped), same time of day. */
export function addBusinessDays(from: number, days: number): number {
  let t = from;
  let left = days;
  while (left > 0) {
    t += DAY;
    if (!WEEKEND.has(new Date(t * 1000).getUTCDay())) left--;
  }
  return t;
}

function materialRef(rng: Rng, at: number): string {
  const id = uuidV7(rng, at - int(rng, 0, 30 * DAY));
  return chance(rng, 0.8) ? `https://claude.ai/share/${id}` : `https://console.anthropic.com/workbench/${id}`;
}

export async function generateCopyrightDay(ctx: CopyrightContext, rng: Rng, dayStart: number, expected: number): Promise<void> {
  const { tables, ids, now } = ctx;
  const count = roundRandom(rng, expected);
  for (let i = 0; i < count; i++) {
    const claimant = CLAIMANTS(rng);
    const id = ids.next('notices');
    const receivedAt = dayStart + int(rng, 0, DAY - 1);
    const refs = Array.from({ length: int(rng, 1, 3) }, () => materialRef(rng, receivedAt));
    const missing = chance(rng, claimant.incomplete) ? NOTICE_ELEMENTS.filter(() => chance(rng, 0.3)).slice(0, 2) : [];
    if (claimant.incomplete > 0 && missing.length === 0 && chance(rng, claimant.incomplete / 3)) missing.push('signature');
    const present = NOTICE_ELEMENTS.filter((e) => !missing.includes(e));
    const repeat = chance(rng, 0.2);
    const accountId = repeat ? pickOne(rng, ctx.repeatAccounts) : `acct_${hex(rng, 10)}`;

    let status: 'received' | 'incomplete' | 'taken_down' | 'rejected' = 'received';
    let actionTaken: string | null = null;
    let actionedAt: number | null = null;
    if (missing.length > 0) {
      status = 'incomplete';
    } else {
      const at = receivedAt + Math.min(10 * DAY, Math.max(10 * 60, Math.floor(lognormal(rng, 18 * HOUR, 0.9))));
      if (at <= now) {
        actionedAt = at;
        if (chance(rng, 0.08)) {
          status = 'rejected';
          actionTaken = 'no_action';
        } else {
          status = 'taken_down';
          actionTaken = chance(rng, 0.8) ? 'content_removed' : 'access_disabled';
        }
      }
    }
    tables.notices.push({
      id,
      claimant: claimant.name,
      claimant_contact: claimant.contact,
      work: pickOne(rng, claimant.works),
      material_refs: refs.join(' '),
      elements_present: present.join(','),
      missing_elements: missing.join(','),
      detection_source: claimant.source,
      account_id: accountId,
      sender_kind: SENDER_KIND_OF_SOURCE[claimant.source] ?? 'rights_holder',
      item_count: refs.length,
      status,
      action_taken: actionTaken,
      received_at: receivedAt,
      actioned_at: actionedAt,
    });

    let restored = false;
    if (status === 'taken_down' && actionedAt !== null && chance(rng, 0.04 + claimant.falsePositive * 0.3)) {
      restored = writeCounterNotice(ctx, rng, id, accountId, actionedAt, claimant.falsePositive);
    }
    if (status === 'taken_down' && actionedAt !== null && !restored && (repeat || chance(rng, 0.05))) {
      tables.strikes.push({ id: ids.next('strikes'), account_id: accountId, notice_id: id, created_at: actionedAt });
    }
    await ctx.flushIfFull();
  }
}

/** Returns whether the material was restored (no strike then). */
function writeCounterNotice(
  ctx: CopyrightContext,
  rng: Rng,
  noticeId: number,
  accountId: string,
  actionedAt: number,
  falsePositive: number,
): boolean {
  const { now } = ctx;
  const receivedAt = actionedAt + Math.min(20 * DAY, Math.max(HOUR, Math.floor(lognormal(rng, 3 * DAY, 0.7))));
  if (receivedAt > now) return false;
  // Restore window: no sooner than 10 and no later than 14 business days after the counter-notice.
  const earliest = addBusinessDays(receivedAt, 10);
  const latest = addBusinessDays(receivedAt, 14);

  let status: 'pending' | 'info_requested' | 'restored' | 'held' | 'rejected';
  let outcome: string | null;
  let resolvedAt: number | null;
  const r = rng();
  if (r < 0.12) {
    status = 'rejected';
    outcome = 'rejected';
    resolvedAt = receivedAt + int(rng, DAY, 3 * DAY);
  } else if (r < 0.22) {
    status = 'held';
    outcome = 'held';
    resolvedAt = receivedAt + int(rng, 2 * DAY, 9 * DAY);
  } else if (r < 0.27) {
    status = 'info_requested';
    outcome = null;
    resolvedAt = null;
  } else if (r < 0.3) {
    // Left alone past the latest date: the overdue alert has something to say.
    status = 'pending';
    outcome = null;
    resolvedAt = null;
  } else if (chance(rng, falsePositive)) {
    status = 'restored';
    outcome = 'restored_false_positive';
    resolvedAt = receivedAt + int(rng, 4 * HOUR, 5 * DAY);
  } else {
    status = 'restored';
    outcome = 'restored_in_window';
    resolvedAt = earliest + int(rng, 0, latest - earliest);
  }
  if (resolvedAt !== null && resolvedAt > now) {
    status = 'pending';
    outcome = null;
    resolvedAt = null;
  }
  ctx.tables.counterNotices.push({
    id: ctx.ids.next('counterNotices'),
    notice_id: noticeId,
    account_id: accountId,
    received_at: receivedAt,
    earliest_restore_at: earliest,
    latest_restore_at: latest,
    status,
    outcome,
    resolved_at: resolvedAt,
  });
  return status === 'restored';
}
