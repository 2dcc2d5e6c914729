import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, type Logger as BoltLogger, type CustomRoute, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { type Analytics, openAnalytics } from './analytics';
import { type Clock, systemClock } from './clock';
import { type Config, ConfigError } from './config';
import type { Database } from './db/client';
import type { Notifier } from './domain/alerts/port';
import { type DomainDeps, domainDeps } from './domain/deps';
import { syncConfiguredAdmins } from './domain/roles/roles';
import { apiRoutes } from './http/api';
import { copyrightCounterNoticeRoutes } from './http/copyright-counter-notices';
import { copyrightNoticeRoutes } from './http/copyright-notices';
import type { ScheduledJob } from './http/health';
import { requestLabeler } from './http/metrics';
import { httpRoutes, sendJson } from './http/routes';
import { type DeliveryWorker, startAlertDelivery } from './jobs/alert-delivery';
import { startDsaSubmissions } from './jobs/dsa-submission';
import type { Logger } from './logger';
import { createMetrics, type Metrics, registerAnalyticsGauges } from './metrics';
import { boltLogger } from './slack/bolt-logger';
import { createHomePublisher, type HomePublisher } from './slack/home';
import { registerListeners } from './slack/listeners';
import { createNotifier } from './slack/notifier';
import { AcknowledgingApp, answerProcessEventError, guardSlackEndpoint } from './slack/receiver';
import { slackGroupDirectory } from './slack/usergroups';

export type SlackConnection = {
  botToken: string;
  /** HTTP mode: requests are verified with it. */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  /** Slack's Web API, or the local emulator's. */
  apiUrl?: string;
};

export type StartAppOptions = {
  config: Config;
  db: Database;
  log: Logger;
  slack: SlackConnection;
  host?: string;
  clock?: Clock;
  /** The jobs this process schedules, for /healthz?details=1 (main starts them once the app runs). */
  jobs?: () => readonly ScheduledJob[];
  /** An analytics copy opened by the caller (it closes it); by default the app opens its own from the config. */
  analytics?: Analytics;
};

export type RunningApp = {
  app: App;
  deps: DomainDeps;
  metrics: Metrics;
  delivery: DeliveryWorker;
  /** The bound port (useful when asked for port 0). */
  port: number;
  stop(): Promise<void>;
};

/** Builds the Bolt app behind its receiver, registers every listener and starts serving. */
export async function startApp(opts: StartAppOptions): Promise<RunningApp> {
  const { log, config } = opts;
  const metrics = createMetrics();
  const clock = opts.clock ?? systemClock;
  // One adapter for every Slack client's logging: JSON lines through our logger, secrets redacted.
  const logger = boltLogger(log);
  const notifier = createNotifier({
    token: opts.slack.botToken,
    apiUrl: opts.slack.apiUrl,
    reviewUrl: config.TRUSTOPS_REVIEW_URL,
    // Its WebClient's warnings go through our JSON logger too, not to the console in plain text.
    clientOptions: { logger },
  });
  // Who the bot is, asked here once: Bolt would ask from its constructor, where a refused token is an
  // unhandled rejection that ends the process with a stack trace. Slack away is no reason not to start.
  const identity = await notifier.checkAuth();
  if (!identity.ok && identity.kind === 'unauthorized')
    throw new ConfigError(`SLACK_BOT_TOKEN: Slack refused the token (${identity.error})`);
  if (!identity.ok) log.warn('Slack did not answer auth.test at start-up; Slack requests will ask again', { error: identity.error });
  // This process's columnar copy of the facts: opened now, built or caught up in the background (a look-up
  // waits for it). Closed at stop, or here if start-up fails past this point.
  const analytics =
    opts.analytics ??
    (await openAnalytics({
      databaseUrl: opts.db.url,
      dir: config.TRUSTOPS_ANALYTICS_DIR ?? config.TRUSTOPS_DATA_DIR,
      memory: config.TRUSTOPS_ANALYTICS_MEMORY,
      threads: config.TRUSTOPS_ANALYTICS_THREADS,
      log,
      copyStreams: opts.db.embedded ? 1 : 3,
    }));
  const closeAnalytics = () => (opts.analytics ? Promise.resolve() : analytics.close());
  try {
    return await serve(opts, { metrics, clock, logger, notifier, identity, analytics, closeAnalytics });
  } catch (err) {
    await closeAnalytics().catch(() => {});
    throw err;
  }
}

async function serve(
  opts: StartAppOptions,
  parts: {
    metrics: Metrics;
    clock: Clock;
    logger: BoltLogger;
    notifier: Notifier;
    identity: Awaited<ReturnType<Notifier['checkAuth']>>;
    analytics: Analytics;
    closeAnalytics: () => Promise<void>;
  },
): Promise<RunningApp> {
  const { log, config } = opts;
  const { metrics, clock, logger, notifier, identity, analytics } = parts;
  registerAnalyticsGauges(metrics.registry, analytics.status);
  const delivery = startAlertDelivery({ db: opts.db.prisma, log, metrics, clock, notifier, maxAgeMs: config.TRUSTOPS_ALERT_MAX_AGE });
  // Statements of reasons to the DSA Transparency Database: only when both its URL and token are set.
  const tdb =
    config.TRUSTOPS_DSA_TDB_URL && config.TRUSTOPS_DSA_TDB_TOKEN
      ? startDsaSubmissions({
          db: opts.db.prisma,
          log,
          clock,
          registry: metrics.registry,
          url: config.TRUSTOPS_DSA_TDB_URL,
          token: config.TRUSTOPS_DSA_TDB_TOKEN,
          timeZone: config.TRUSTOPS_TIMEZONE,
        })
      : undefined;
  // Bound once the Bolt app (and its client) exists, below.
  let home: HomePublisher | undefined;
  const deps = domainDeps(config, {
    db: opts.db.prisma,
    analytics,
    clock,
    log,
    alertsQueued: delivery.kick,
    escalationsChanged: () => home?.changed(),
    groups: slackGroupDirectory({ token: opts.slack.botToken, apiUrl: opts.slack.apiUrl, clock, logger }),
  });
  await syncConfiguredAdmins(deps);

  const customRoutes = [
    ...httpRoutes({ db: deps.db, metrics, clock, jobs: opts.jobs, delivery: delivery.status, analytics: analytics.status }),
    // Before the generic /api/v1/imports/:kind, so its own kind is served here.
    ...copyrightCounterNoticeRoutes(deps, config.TRUSTOPS_INTAKE_TOKEN),
    ...copyrightNoticeRoutes(deps, config.TRUSTOPS_INTAKE_TOKEN),
    ...apiRoutes(deps, config.TRUSTOPS_INTAKE_TOKEN),
  ];
  const socketMode = Boolean(opts.slack.appToken);
  const receiver: Receiver = opts.slack.appToken
    ? new SocketModeReceiver({
        appToken: opts.slack.appToken,
        // Its own WebClient opens the connection (apps.connections.open): the same API URL as every other
        // Slack call, so Socket Mode runs against the emulator or a proxy too. No customRoutes: its HTTP
        // server takes no host, so the routes are served below on one bound to opts.host.
        ...(opts.slack.apiUrl ? { installerOptions: { clientOptions: { slackApiUrl: opts.slack.apiUrl } } } : {}),
        logger,
      })
    : new HTTPReceiver({
        signingSecret: opts.slack.signingSecret ?? '',
        endpoints: '/slack/events',
        customRoutes,
        logger,
        processEventErrorHandler: answerProcessEventError,
        // Unknown paths and unparseable bodies get a 4xx answer; they never reach a listener.
        dispatchErrorHandler: ({ error, response }) => {
          log.warn('request not dispatched', { error: error.message });
          if (!response.headersSent) sendJson(response, /Unhandled HTTP request/.test(error.message) ? 404 : 400, { error: 'bad_request' });
        },
      });
  if (receiver instanceof HTTPReceiver) {
    guardSlackEndpoint(receiver, '/slack/events', log);
    // Bolt compiles every custom route's pattern again on each request (about 0.1 ms for ours, most of
    // the routing cost of an intake post): matched here first, Bolt keeps /slack/events and the rest.
    const serve = customRouter(customRoutes, log);
    const dispatch = receiver.requestListener;
    receiver.requestListener = (req, res) => {
      if (!serve(req, res)) dispatch(req, res);
    };
  }

  const app = new AcknowledgingApp(
    {
      token: opts.slack.botToken,
      // Known: Bolt never calls auth.test itself. Unknown (Slack was away): each request asks, and a failure fails only it.
      ...(identity.ok ? { botId: identity.botId, botUserId: identity.botUserId } : {}),
      tokenVerificationEnabled: false,
      receiver,
      logger,
      clientOptions: opts.slack.apiUrl ? { slackApiUrl: opts.slack.apiUrl } : undefined,
    },
    log,
  );
  app.error(async (err) => {
    log.error('unhandled listener error', { err: err.original ?? err });
  });
  home = createHomePublisher({ client: app.client, deps, reviewUrl: config.TRUSTOPS_REVIEW_URL });
  registerListeners(app, deps, {
    onInteraction: (kind) => metrics.slackInteractions.inc({ kind }),
    onAuditFailure: (kind) => metrics.auditFailures.inc({ kind }),
    home,
  });

  let server: Server;
  if (socketMode) {
    await app.start();
    server = await listen(routeServer(customRoutes, log), config.PORT, opts.host).catch(async (err: unknown) => {
      await app.stop();
      throw err;
    });
  } else {
    // HTTP mode resolves with its http.Server.
    server = (await app.start({ port: config.PORT, host: opts.host })) as Server;
  }
  const labelsOf = requestLabeler([...(socketMode ? [] : ['/slack/events']), ...customRoutes.map((r) => r.path)]);
  server.on('request', (req, res) => {
    res.on('finish', () => metrics.httpRequests.inc({ ...labelsOf(req.method, req.url), status: String(res.statusCode) }));
  });
  const port = (server.address() as AddressInfo | null)?.port ?? config.PORT;
  log.info('TrustOps is listening', { port, mode: socketMode ? 'socket' : 'http' });

  return {
    app,
    deps,
    metrics,
    port,
    delivery,
    async stop() {
      home?.stop();
      await tdb?.stop();
      await delivery.stop();
      await app.stop();
      if (socketMode) await closeServer(server);
      await parts.closeAnalytics();
    },
  };
}

/** A route pattern's `:name` segments taken from a path, as Bolt's receivers set `req.params`; undefined when it does not match. */
function paramsOf(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] ?? '';
    if (!segment.startsWith(':')) {
      if (segment !== value) return undefined;
      continue;
    }
    if (value === '') return undefined;
    try {
      params[segment.slice(1)] = decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return params;
}

/**
 * Socket Mode's HTTP server for the custom routes (health, metrics, intake API): ours rather than the
 * SocketModeReceiver's, which listens on every interface. Routes and unknown paths answer as in HTTP mode.
 */
function routeServer(routes: readonly CustomRoute[], log: Logger): Server {
  const serve = customRouter(routes, log);
  return createServer((req, res) => {
    if (!serve(req, res)) sendJson(res, 404, { error: 'bad_request' });
  });
}

/** Serves a request that one of the routes matches (true), or leaves it alone (false). */
function customRouter(routes: readonly CustomRoute[], log: Logger): (req: IncomingMessage, res: ServerResponse) => boolean {
  const table = routes.map((r) => ({ ...r, methods: (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toUpperCase()) }));
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    for (const route of table) {
      const params = paramsOf(route.path, path);
      if (!params || !route.methods.includes((req.method ?? '').toUpperCase())) continue;
      Promise.resolve()
        .then(() => route.handler(Object.assign(req, { params }), res))
        .catch((err: unknown) => {
          log.error('HTTP route failed', { path: route.path, err });
          if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
        });
      return true;
    }
    return false;
  };
}

function listen(server: Server, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
