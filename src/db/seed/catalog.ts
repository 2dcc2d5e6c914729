// The demo organisation: surfaces, vendors with their calendars and queues, SLA targets,
// routing rules and the demo users. All names are fictional.
import type { HolidayCountry } from './holidays';

/** Its presence means the demo data is already loaded. */
export const DEMO_MARKER_VENDOR = 'acme_review';

export type Priority = 'normal' | 'high' | 'urgent';
export const PRIORITIES: readonly Priority[] = ['normal', 'high', 'urgent'];

export const DEMO_SURFACES = [
  { key: 'claude_ai', name: 'Claude.ai' },
  { key: 'api', name: 'API' },
  { key: 'claude_code', name: 'Claude Code' },
  { key: 'mobile', name: 'Mobile apps' },
  { key: 'mcp_directory', name: 'MCP directory' },
  { key: 'console', name: 'Developer console' },
] as const;
export type SurfaceKey = (typeof DEMO_SURFACES)[number]['key'];

export const DEMO_REPORT_TYPES = [
  { key: 'harmful_content', name: 'Harmful content', urgent: false },
  { key: 'illegal_content', name: 'Illegal content', urgent: true },
  { key: 'copyright', name: 'Copyright', urgent: false },
  { key: 'privacy', name: 'Privacy', urgent: false },
  { key: 'impersonation', name: 'Impersonation', urgent: false },
  { key: 'mcp_server', name: 'Third-party MCP server', urgent: true },
  { key: 'other', name: 'Other', urgent: false },
] as const;
export type ReportTypeKey = (typeof DEMO_REPORT_TYPES)[number]['key'];

type Span = readonly [string, string];
/** Weekday ("0" = Sunday … "6") → working spans; every key present, closed days empty. */
function hours(weekdays: readonly number[], spans: readonly Span[]): Record<string, Span[]> {
  const out: Record<string, Span[]> = {};
  for (let d = 0; d <= 6; d++) out[String(d)] = weekdays.includes(d) ? [...spans] : [];
  return out;
}

export type DemoVendor = {
  key: string;
  name: string;
  timezone: string;
  slackChannel: string | null;
  digestTime: string;
  calendar: { key: string; hours: Record<string, Span[]>; holidays: HolidayCountry };
  reviewers: number;
  /** Median first-action time as a share of the target: lower is faster. */
  pace: number;
  /** Share of QA reviews that disagree with this vendor's decisions. */
  qaDisagree: number;
};

export const DEMO_VENDORS: readonly DemoVendor[] = [
  {
    key: 'acme_review',
    name: 'Acme Review Services',
    timezone: 'America/New_York',
    slackChannel: 'vendor-acme',
    digestTime: '09:00',
    calendar: { key: 'acme_business_hours', hours: hours([1, 2, 3, 4, 5], [['09:00', '17:00']]), holidays: 'US' },
    reviewers: 48,
    pace: 0.3,
    qaDisagree: 0.07,
  },
  {
    key: 'dublin_moderation',
    name: 'Dublin Moderation Ltd',
    timezone: 'Europe/Dublin',
    slackChannel: 'vendor-dublin',
    digestTime: '08:30',
    calendar: { key: 'dublin_business_hours', hours: hours([1, 2, 3, 4, 5], [['08:00', '18:00']]), holidays: 'IE' },
    reviewers: 30,
    pace: 0.22,
    qaDisagree: 0.05,
  },
  {
    key: 'manila_trust',
    name: 'Manila Trust Partners',
    timezone: 'Asia/Manila',
    slackChannel: null,
    digestTime: '08:00',
    // Two shifts around a lunch break, Saturdays included.
    calendar: {
      key: 'manila_business_hours',
      hours: hours(
        [1, 2, 3, 4, 5, 6],
        [
          ['07:00', '12:00'],
          ['13:00', '19:00'],
        ],
      ),
      holidays: 'PH',
    },
    reviewers: 36,
    pace: 0.42,
    qaDisagree: 0.11,
  },
];

type QueueKind = 'general' | 'urgent' | 'copyright';
export type DemoQueue = { key: string; name: string; vendor: string; kind: QueueKind };

export const DEMO_QUEUES: readonly DemoQueue[] = [
  { key: 'acme_general', name: 'Acme — general', vendor: 'acme_review', kind: 'general' },
  { key: 'acme_urgent', name: 'Acme — urgent', vendor: 'acme_review', kind: 'urgent' },
  { key: 'acme_copyright', name: 'Acme — copyright', vendor: 'acme_review', kind: 'copyright' },
  { key: 'dublin_general', name: 'Dublin — general (EU)', vendor: 'dublin_moderation', kind: 'general' },
  { key: 'dublin_urgent', name: 'Dublin — urgent (EU)', vendor: 'dublin_moderation', kind: 'urgent' },
  { key: 'dublin_copyright', name: 'Dublin — copyright (EU)', vendor: 'dublin_moderation', kind: 'copyright' },
  { key: 'manila_general', name: 'Manila — general', vendor: 'manila_trust', kind: 'general' },
  { key: 'manila_urgent', name: 'Manila — urgent', vendor: 'manila_trust', kind: 'urgent' },
];

type Target = { firstAction: number; resolution: number; always: boolean };

/** Minutes per queue kind and priority; urgent work runs on the 24/7 calendar. */
export const SLA_TARGETS: Record<QueueKind, Record<Priority, Target>> = {
  general: {
    normal: { firstAction: 1440, resolution: 4320, always: false },
    high: { firstAction: 480, resolution: 1440, always: false },
    urgent: { firstAction: 60, resolution: 240, always: true },
  },
  urgent: {
    normal: { firstAction: 240, resolution: 1440, always: true },
    high: { firstAction: 120, resolution: 480, always: true },
    urgent: { firstAction: 30, resolution: 180, always: true },
  },
  copyright: {
    normal: { firstAction: 1440, resolution: 2880, always: false },
    high: { firstAction: 480, resolution: 1440, always: false },
    urgent: { firstAction: 120, resolution: 480, always: true },
  },
};

/** Tightened targets that took effect mid-window: older cases keep version 1. */
export const SLA_REVISIONS: readonly {
  queue: string;
  priority: Priority;
  firstAction: number;
  resolution: number;
  daysBeforeAnchor: number;
}[] = [
  { queue: 'acme_general', priority: 'normal', firstAction: 720, resolution: 2880, daysBeforeAnchor: 30 },
  { queue: 'dublin_general', priority: 'high', firstAction: 240, resolution: 960, daysBeforeAnchor: 45 },
];

export type DemoRule = {
  reportType?: ReportTypeKey;
  surface?: SurfaceKey;
  language?: string;
  jurisdiction?: string;
  queue: string;
  priority: Priority;
  enabled?: boolean;
};

/** In position order: the first enabled match wins, a missing criterion matches anything. */
export const DEMO_ROUTING_RULES: readonly DemoRule[] = [
  { reportType: 'mcp_server', queue: 'acme_urgent', priority: 'urgent' },
  { reportType: 'illegal_content', jurisdiction: 'DE', queue: 'dublin_urgent', priority: 'high' },
  { reportType: 'illegal_content', jurisdiction: 'FR', queue: 'dublin_urgent', priority: 'high' },
  { reportType: 'illegal_content', surface: 'mobile', queue: 'manila_urgent', priority: 'high' },
  { reportType: 'illegal_content', queue: 'acme_urgent', priority: 'high' },
  { reportType: 'copyright', jurisdiction: 'DE', queue: 'dublin_copyright', priority: 'normal' },
  { reportType: 'copyright', jurisdiction: 'FR', queue: 'dublin_copyright', priority: 'normal' },
  { reportType: 'copyright', queue: 'acme_copyright', priority: 'normal' },
  { jurisdiction: 'DE', queue: 'dublin_general', priority: 'normal' },
  { jurisdiction: 'FR', queue: 'dublin_general', priority: 'normal' },
  { jurisdiction: 'IE', queue: 'dublin_general', priority: 'normal' },
  { language: 'tl', queue: 'manila_general', priority: 'normal' },
  { surface: 'mobile', queue: 'manila_general', priority: 'normal' },
  { surface: 'api', queue: 'manila_general', priority: 'normal' },
  // Kept for the demo: a rule switched off while the console pilot is paused.
  { surface: 'console', queue: 'manila_urgent', priority: 'high', enabled: false },
  { queue: 'acme_general', priority: 'normal' },
];

export type RouteInput = { reportType: ReportTypeKey; surface: SurfaceKey; language: string | null; jurisdiction: string | null };

export function routeReport(input: RouteInput): { queue: string; priority: Priority } {
  for (const r of DEMO_ROUTING_RULES) {
    if (r.enabled === false) continue;
    if (r.reportType && r.reportType !== input.reportType) continue;
    if (r.surface && r.surface !== input.surface) continue;
    if (r.language && r.language !== input.language) continue;
    if (r.jurisdiction && r.jurisdiction !== input.jurisdiction) continue;
    return { queue: r.queue, priority: r.priority };
  }
  return { queue: 'acme_general', priority: 'normal' };
}

export const DEMO_USERS = {
  admin: 'U0DEMOADMIN',
  approver: 'U0DEMOAPPROVER',
  analyst: 'U0DEMOANALYST',
} as const;

export const DEMO_ROLES = [
  { slackId: DEMO_USERS.admin, role: 'admin' },
  { slackId: DEMO_USERS.approver, role: 'approver' },
  { slackId: DEMO_USERS.analyst, role: 'analyst' },
] as const;

/** Internal analysts who decide escalated cases and review QA samples. */
export const INTERNAL_ANALYSTS = [DEMO_USERS.analyst, DEMO_USERS.approver, 'U0DEMOTSA01', 'U0DEMOTSA02'] as const;
