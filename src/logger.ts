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
    const entry = { time: new Date().toISOString(), level, msg, ...fields };
    // Redacted after serialising, so a secret in an error's message or stack is caught too.
    write(redact(JSON.stringify(entry, errorsAsObjects), secrets), level);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

// JSON.stringify writes an Error as {}: keep what finds the fault (name, message, code, stack, cause), at any depth.
function errorsAsObjects(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { code, cause } = value as { code?: unknown; cause?: unknown };
  return { name: value.name, message: value.message, code, stack: value.stack, cause };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
