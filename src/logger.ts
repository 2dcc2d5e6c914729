type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Slack tokens have a recognisable shape; anything configured as a secret is redacted by value too.
const TOKEN_SHAPE = /\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{6,}/g;

export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
};

export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(TOKEN_SHAPE, '[redacted]');
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

/** One JSON line per entry on stdout (stderr for errors), secrets removed. */
export function createLogger(
  opts: { level?: Level; secrets?: readonly string[]; write?: (line: string, level: Level) => void } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const secrets = opts.secrets ?? [];
  const write = opts.write ?? ((line, level) => (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`));
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const entry = { time: new Date().toISOString(), level, msg, ...serialize(fields) };
    write(redact(JSON.stringify(entry), secrets), level);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function serialize(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    out[k] = v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: unknown }).code } : v;
  return out;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
