import type { App } from '@slack/bolt';
import type { DomainDeps } from '../../../domain/deps';
import { LINK_BUTTONS } from '../../ids';
import { registerSlaActions } from './sla';

export function registerActions(app: App, deps: DomainDeps): void {
  registerSlaActions(app, deps);
  // Link buttons open their URL in the browser; the click that Slack also sends just needs an ack.
  for (const actionId of LINK_BUTTONS) {
    app.action(actionId, async ({ ack }) => {
      await ack();
    });
  }
}
