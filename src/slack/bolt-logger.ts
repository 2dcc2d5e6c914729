import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger';

/**
 * Routes the Slack libraries' logging (Bolt, its receivers, and every WebClient given it) through ours,
 * so their lines are JSON and redacted like ours, and an Error they log keeps its stack.
 */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const entry = (msgs: unknown[]): [string, Record<string, unknown>] => {
    const err = msgs.find((m) => m instanceof Error);
    const msg = msgs.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
    return [msg, err ? { source: 'slack', err } : { source: 'slack' }];
  };
  return {
    debug: (...m) => log.debug(...entry(m)),
    info: (...m) => log.info(...entry(m)),
    warn: (...m) => log.warn(...entry(m)),
    error: (...m) => log.error(...entry(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
