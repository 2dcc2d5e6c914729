// The floor for the click benchmark: a Bolt app behind the same HTTP receiver whose only handler acks.
import { App, HTTPReceiver } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('{"status":"ok"}') }],
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  tokenVerificationEnabled: false,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
void app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
