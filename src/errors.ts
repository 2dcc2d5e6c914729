/** Known failures carry a code; their message is written for the person who caused them. */
export type ErrorCode = 'bad_input' | 'unknown_subcommand' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** A correct example of what the user meant to do, shown under the message. */
    readonly example?: string,
    /**
     * Slack user and group ids the message mentions on purpose (`<@U…>`, `<!subteam^S…>`); any other
     * markup in it, such as words the user typed, is shown as typed.
     */
    readonly mentions: readonly string[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badInput = (message: string, example?: string) => new AppError('bad_input', message, example);
export const forbidden = (message: string, mentions: readonly string[] = []) => new AppError('forbidden', message, undefined, mentions);

/** The one place that turns any failure into text a user may see: never a stack trace. */
export function userFacingMessage(err: unknown): { text: string; example?: string; mentions?: readonly string[] } {
  if (err instanceof AppError) return { text: err.message, example: err.example, mentions: err.mentions };
  return { text: 'Something went wrong on our side; the error is logged. Please try again in a minute.' };
}

/** Prisma's unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}

// SQLSTATEs that mean "the server went away or refused the session", not "the request was wrong":
// admin shutdown / crash / cannot connect now (57P01–57P03), too many connections (53300).
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// Prisma's codes for an unreachable server (P1001), a timeout reaching it (P1002, P1008), a closed
// connection (P1017), no connection from the pool in time (P2024) and a transaction that could not start (P2028).
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// The driver adapter's kinds for the same faults.
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// pg's own errors carry no code: a socket closed under a query, a pool with no free client in time.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Unable to start a transaction in the given time|Transaction already closed/i;

/**
 * Whether a failure means the database cannot be reached right now (the request may be retried), as
 * opposed to a fault in the request or the code. The one place these codes are listed; it follows
 * `cause` chains, as Prisma and the driver adapter wrap the pg error.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err; typeof e === 'object' && e !== null && !seen.has(e); ) {
    seen.add(e);
    const { code, kind, message, cause, meta } = e as Partial<Record<'code' | 'kind' | 'message' | 'cause' | 'meta', unknown>>;
    if (typeof code === 'string') {
      const sqlState = UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08');
      if (sqlState || UNAVAILABLE_PRISMA.has(code) || UNAVAILABLE_SOCKET.has(code)) return true;
    }
    if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    const adapter = (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
    e = cause ?? adapter;
  }
  return false;
}
