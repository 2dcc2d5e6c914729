import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger';

/** Routes Bolt's own logging through ours, so its lines are redacted too. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const join = (msgs: unknown[]) =>
    msgs.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...m) => log.debug(join(m), { source: 'bolt' }),
    info: (...m) => log.info(join(m), { source: 'bolt' }),
    warn: (...m) => log.warn(join(m), { source: 'bolt' }),
    error: (...m) => log.error(join(m), { source: 'bolt' }),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
