import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

// The process's Prometheus registry and its counters: shared by the HTTP server, the Slack listeners and
// the jobs, so it sits beside them rather than in any one of them.

/** One registry per app instance, so several instances (tests, replicas in one process) never clash. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'trustops_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'trustops_http_requests_total',
      help: 'HTTP requests served, by route and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    slackInteractions: new Counter({
      name: 'trustops_slack_interactions_total',
      help: 'Verified Slack requests handled, by kind (command, action, view_submission, event)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    auditFailures: new Counter({
      name: 'trustops_audit_failures_total',
      help: 'Slack interactions that could not be written to the audit trail, and so were not run, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    alertDeliveries: new Counter({
      name: 'trustops_alert_deliveries_total',
      help: 'Alert delivery attempts, by alert kind and outcome (sent, adopted, rate_limited, retry, failed, paused)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'trustops_job_runs_total',
      help: 'Scheduled job runs, by job and outcome (ok, error, skipped_locked)',
      labelNames: ['job', 'outcome'] as const,
      registers: [registry],
    }),
    alertDeliveryPaused: new Gauge({
      name: 'trustops_alert_delivery_paused',
      help: '1 while alert delivery is paused because Slack refuses the bot token (invalid_auth, token_revoked…), else 0',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
