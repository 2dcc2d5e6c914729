import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../../domain/deps';
import type { HomePublisher } from '../../home';
import { LINK_BUTTONS } from '../../ids';
import { registerAlertActions } from './alerts';
import { registerCaseActions } from './cases';
import { registerCopyrightDisputeActions } from './copyright-disputes';
import { registerCopyrightNoticeActions } from './copyright-notices';
import { registerEscalationActions } from './escalations';
import { registerMetricsActions } from './metrics';
import { registerSlaActions } from './sla';

export function registerActions(app: App, deps: DomainDeps, home: HomePublisher): void {
  registerSlaActions(app, deps);
  registerEscalationActions(app, deps, home);
  registerCaseActions(app, deps);
  registerMetricsActions(app, deps);
  registerAlertActions(app, deps);
  registerCopyrightDisputeActions(app, deps);
  registerCopyrightNoticeActions(app, deps);
  // Link buttons open their URL in the browser; the click that Slack also sends just needs an ack.
  for (const actionId of LINK_BUTTONS) {
    app.action(actionId, async ({ ack }) => {
      await ack();
    });
  }
}
