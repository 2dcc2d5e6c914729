import { type Logger, LogLevel } from '@slack/web-api';
import type { NewAlert } from '../../src/domain/alerts/outbox';

/** `count` triage alerts spread round-robin over `channels`, as the intake would queue them. */
export function triageAlerts(count: number, channels: readonly string[], keyPrefix: string): NewAlert[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'triage',
    dedupeKey: `${keyPrefix}:triage:${i + 1}`,
    channel: channels[i % channels.length]!,
    message: {
      caseId: i + 1,
      reportType: 'harmful_content',
      reportTypeName: 'Harmful content',
      surface: 'claude_ai',
      queue: 'Tier 1',
      priority: 'urgent',
      firstActionDueAt: '2026-11-27T15:00:00.000Z',
      resolutionDueAt: '2026-11-28T15:00:00.000Z',
      contentRef: `msg_${i + 1}`,
      jurisdiction: null,
      mcpServer: null,
    },
  }));
}

/** A WebClient logger that says nothing: tests provoke platform errors on purpose. */
export const silentSlackLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};
