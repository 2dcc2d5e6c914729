/** Known failures carry a code; their message is written for the person who caused them. */
export type ErrorCode = 'bad_input' | 'unknown_subcommand' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** A correct example of what the user meant to do, shown under the message. */
    readonly example?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badInput = (message: string, example?: string) => new AppError('bad_input', message, example);
export const forbidden = (message: string) => new AppError('forbidden', message);

/** The one place that turns any failure into text a user may see: never a stack trace. */
export function userFacingMessage(err: unknown): { text: string; example?: string } {
  if (err instanceof AppError) return { text: err.message, example: err.example };
  return { text: 'Something went wrong on our side; the error is logged. Please try again in a minute.' };
}

/** Prisma's unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}
