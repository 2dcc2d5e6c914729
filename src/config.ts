import { parseExpression } from 'cron-parser';
import { z } from 'zod';
import { isTimeZone } from './domain/time';
import { parseDuration } from './duration';

/**
 * A cron expression node-schedule can run: five or six fields (seconds optional), parsed by cron-parser,
 * the parser node-schedule itself uses, so a value accepted here is one the scheduler accepts.
 * cron-parser fills in missing fields, so the count is checked first.
 */
export function isCron(expr: string, tz?: string): boolean {
  const fields = expr.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return false;
  try {
    parseExpression(expr, { tz }).next();
    return true;
  } catch {
    return false;
  }
}

const boolean = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback)
    .transform((v) => v === 'true' || v === '1');

/** A size DuckDB's memory_limit accepts. */
const SIZE = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const channel = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^#?[a-z0-9_-]{1,80}$|^[CGD][A-Z0-9]{2,}$/, 'expected a channel id (C…) or a channel name')
    .default(fallback);

const ZConfig = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
        .optional(),
    ),
    TRUSTOPS_DATA_DIR: z.string().trim().min(1).default('./.data'),
    TRUSTOPS_MIGRATE_ON_START: boolean('true'),
    /** Lets sandbox mode (no SLACK_BOT_TOKEN) run on the database at DATABASE_URL; without it, start-up refuses. */
    TRUSTOPS_SANDBOX: boolean('false'),
    SLACK_BOT_TOKEN: optionalString.pipe(z.string().startsWith('xoxb-', 'expected a bot token starting with xoxb-').optional()),
    SLACK_SIGNING_SECRET: optionalString.pipe(z.string().min(8, 'expected the app signing secret').optional()),
    SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional()),
    SLACK_API_URL: optionalString.pipe(
      z
        .string()
        .url('expected an http(s) URL such as https://slack.com/api/')
        .transform((u) => (u.endsWith('/') ? u : `${u}/`))
        .optional(),
    ),
    TRUSTOPS_INTAKE_TOKEN: optionalString.pipe(z.string().min(16, 'expected at least 16 characters').optional()),
    TRUSTOPS_TIMEZONE: z.string().trim().default('UTC').refine(isTimeZone, 'expected an IANA time zone such as Europe/Dublin'),
    TRUSTOPS_ADMINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected comma-separated Slack user ids such as U012ABCDEF'))),
    /** The role of someone with no role of their own nor through a user group: `none` lets them run `help` only. */
    TRUSTOPS_DEFAULT_ROLE: z.enum(['viewer', 'none']).default('viewer'),
    TRUSTOPS_SLA_SCAN_CRON: z
      .string()
      .trim()
      .default('* * * * *')
      .refine((v) => isCron(v), 'expected a cron expression with 5 or 6 fields, e.g. "*/30 * * * * *"'),
    TRUSTOPS_REVIEW_URL: z
      .string()
      .trim()
      .default('https://review.example.invalid/cases/{case_id}')
      .refine((v) => v.includes('{case_id}'), 'expected a URL template containing {case_id}')
      .refine((v) => /^https?:\/\//.test(v), 'expected an http(s) URL'),
    TRUSTOPS_SLA_CHANNEL: channel('trustops-sla'),
    TRUSTOPS_ESCALATION_CHANNEL: channel('trustops-escalations'),
    TRUSTOPS_COPYRIGHT_CHANNEL: channel('trustops-copyright'),
    TRUSTOPS_TRIAGE_CHANNEL: channel('trustops-triage'),
    TRUSTOPS_VENDOR_OPS_CHANNEL: channel('vendor-ops'),
    /** How long an alert is retried while Slack is unreachable (network, timeouts, 5xx) before it is failed; in ms once parsed. */
    TRUSTOPS_ALERT_MAX_AGE: z
      .string()
      .trim()
      .default('24h')
      .refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 24h, 90m or 2d')
      .transform((v) => parseDuration(v) ?? 0)
      .refine((ms) => ms >= 60_000, 'expected at least 1m'),
    /** Where this process keeps its analytics file (a cache of Postgres); TRUSTOPS_DATA_DIR when unset. */
    TRUSTOPS_ANALYTICS_DIR: optionalString,
    /**
     * DuckDB's memory limit for the analytics copy. 4GB leaves a 24 GiB machine room for Postgres (its shared
     * buffers and the page cache it relies on) and the bot; DuckDB spills to disk past it.
     */
    TRUSTOPS_ANALYTICS_MEMORY: z
      .string()
      .trim()
      .default('4GB')
      .refine((v) => SIZE.test(v), 'expected a size such as 4GB, 512MB or 2GiB'),
    /** DuckDB's threads for the analytics copy: a look-up uses them all for well under a second. */
    TRUSTOPS_ANALYTICS_THREADS: z
      .string()
      .trim()
      .default('2')
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 64, 'expected a whole number of threads from 1 to 64')
      .transform(Number),
    /** Sandbox mode over Socket Mode: the emulator hands the bot an app-level token and delivers over a WebSocket. */
    /** The copyright calendar's zone: receipt dates and restore windows count business days there. */
    TRUSTOPS_COPYRIGHT_TIMEZONE: z
      .string()
      .trim()
      .refine(isTimeZone, 'expected an IANA time zone such as America/New_York')
      .default('America/New_York'),
    /** When the vendor overview digest goes out, HH:MM in TRUSTOPS_TIMEZONE. */
    TRUSTOPS_DIGEST_TIME: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day HH:MM such as 09:30')
      .default('09:30'),
    /**
     * How long a process holds a digest's thread file while sending it, so a crashed one's file waits this long
     * before another takes it over. It must outlast an attempt (a render and Slack calls of up to 20 s each):
     * keep the default; tests with a local Slack shorten it. In ms once parsed.
     */
    TRUSTOPS_DIGEST_FILE_LEASE: z
      .string()
      .trim()
      .default('2m')
      .refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 2m or 30s')
      .transform((v) => parseDuration(v) ?? 0)
      .refine((ms) => ms >= 10_000, 'expected at least 10s'),
    /** The DSA Transparency Database API; statements of reasons are submitted only when both are set. */
    TRUSTOPS_DSA_TDB_URL: optionalString.pipe(z.string().url('expected an https:// URL of the Transparency Database API').optional()),
    TRUSTOPS_DSA_TDB_TOKEN: optionalString.pipe(z.string().min(8, 'expected the API token of the Transparency Database').optional()),
    TRUSTOPS_SANDBOX_SOCKET_MODE: boolean('false'),
    /** Port of the local Slack emulator in sandbox mode (0 = any free port). */
    TRUSTOPS_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.SLACK_BOT_TOKEN && !c.SLACK_APP_TOKEN && !c.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'required when SLACK_BOT_TOKEN is set (HTTP mode)' });
    }
    if (c.SLACK_APP_TOKEN && !c.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'required when SLACK_APP_TOKEN is set (Socket Mode)' });
    }
    // One without the other is a submission job that would silently never run.
    if (Boolean(c.TRUSTOPS_DSA_TDB_URL) !== Boolean(c.TRUSTOPS_DSA_TDB_TOKEN)) {
      const missing = c.TRUSTOPS_DSA_TDB_URL ? 'TRUSTOPS_DSA_TDB_TOKEN' : 'TRUSTOPS_DSA_TDB_URL';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'required when the other TRUSTOPS_DSA_TDB_ setting is set' });
    }
  });

type RawConfig = z.infer<typeof ZConfig>;

export type RunMode = 'http' | 'socket' | 'sandbox';

export type Config = Readonly<
  RawConfig & {
    mode: RunMode;
    /** Every secret value, so the logger can redact it wherever it appears. */
    secrets: readonly string[];
  }
>;

export class ConfigError extends Error {}

/** Parses the environment once. Throws ConfigError with one line naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ZConfig.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const given = env[name];
    const shown = given === undefined || /TOKEN|SECRET|DATABASE_URL/.test(name) ? '' : ` (got "${given}")`;
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'}${shown}`);
  }
  const c = parsed.data;
  const mode: RunMode = !c.SLACK_BOT_TOKEN ? 'sandbox' : c.SLACK_APP_TOKEN ? 'socket' : 'http';
  const secrets = [
    c.SLACK_BOT_TOKEN,
    c.SLACK_SIGNING_SECRET,
    c.SLACK_APP_TOKEN,
    c.TRUSTOPS_INTAKE_TOKEN,
    c.TRUSTOPS_DSA_TDB_TOKEN,
    passwordOf(c.DATABASE_URL),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return Object.freeze({ ...c, mode, secrets: Object.freeze(secrets) });
}

/**
 * Sandbox mode writes demo data and takes commands from anyone who can reach the emulator, so it runs
 * on the embedded database only, unless TRUSTOPS_SANDBOX=true says a server database is meant.
 */
export function checkRunMode(c: Config): void {
  if (c.mode === 'sandbox' && c.DATABASE_URL && !c.TRUSTOPS_SANDBOX) {
    throw new ConfigError(
      'TRUSTOPS_SANDBOX: DATABASE_URL is set but SLACK_BOT_TOKEN is not; set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for Slack mode, or TRUSTOPS_SANDBOX=true to run the sandbox on this database',
    );
  }
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** The channels the bot posts to, by purpose. */
export function channelsOf(c: Config): { sla: string; escalation: string; copyright: string; triage: string; vendorOps: string } {
  return {
    sla: c.TRUSTOPS_SLA_CHANNEL,
    escalation: c.TRUSTOPS_ESCALATION_CHANNEL,
    copyright: c.TRUSTOPS_COPYRIGHT_CHANNEL,
    triage: c.TRUSTOPS_TRIAGE_CHANNEL,
    vendorOps: c.TRUSTOPS_VENDOR_OPS_CHANNEL,
  };
}
