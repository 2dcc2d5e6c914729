import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AnalyticsStatus } from './analytics/types';

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

/**
 * The analytics copy at scrape time: how far behind Postgres it may be (seconds since it last held every
 * committed fact; left out before the first build), its rows per fact table, and 1 while it is (re)building.
 */
export function registerAnalyticsGauges(registry: Registry, status: () => AnalyticsStatus): void {
  new Gauge({
    name: 'trustops_analytics_lag_seconds',
    help: 'Seconds since the analytics copy last caught up with every committed fact in Postgres',
    registers: [registry],
    collect() {
      this.reset();
      const lag = status().lagMs;
      if (lag !== null) this.set(lag / 1000);
    },
  });
  new Gauge({
    name: 'trustops_analytics_rows',
    help: 'Rows in the analytics copy, by fact table',
    labelNames: ['table'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [table, n] of Object.entries(status().rows)) this.set({ table }, n);
    },
  });
  new Gauge({
    name: 'trustops_analytics_building',
    help: '1 while the analytics copy is being built from Postgres, else 0',
    registers: [registry],
    collect() {
      this.set(status().state === 'building' ? 1 : 0);
    },
  });
}
