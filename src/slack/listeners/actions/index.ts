import type { App } from '@slack/bolt';
import { LINK_BUTTONS } from '../../ids';

export function registerActions(app: App): void {
  // Link buttons open their URL in the browser; the click that Slack also sends just needs an ack.
  for (const actionId of LINK_BUTTONS) {
    app.action(actionId, async ({ ack }) => {
      await ack();
    });
  }
}
