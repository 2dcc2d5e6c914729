import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { COMMAND } from '../../src/slack/ids';
import { describeWithReference, REFERENCE_DIR } from '../support/reference';
import { SLACK_OPENAPI_PATH } from '../support/slack-openapi';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../manifests/manifest.json'), 'utf8'));
const readSchema = (name: string) => JSON.parse(readFileSync(path.join(REFERENCE_DIR, 'slack', name), 'utf8'));

function compileManifestSchema() {
  const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: (s: string) => URL.canParse(s) } });
  // The main schema references the versioned ones by their published addresses.
  const base = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';
  ajv.addSchema(readSchema('schemas_manifest.schema.1.0.0.json'), `${base}manifest.schema.1.0.0.json`);
  ajv.addSchema(readSchema('schemas_manifest.schema.2.0.0.json'), `${base}manifest.schema.2.0.0.json`);
  return ajv.compile(readSchema('manifest.schema.json'));
}

describeWithReference("the app manifest against Slack's JSON Schema", () => {
  it('is a valid app manifest', () => {
    const validate = compileManifestSchema();
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is rejected by the schema when broken, so the check is real', () => {
    const validate = compileManifestSchema();
    expect(validate({ ...manifest, settings: { ...manifest.settings, interactivity: { is_enabled: 'yes' } } })).toBe(false);
  });
});

describe('the app manifest against the code', () => {
  it('declares the slash command, the events and the scopes the bot uses', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write']));
    for (const url of [
      manifest.features.slash_commands[0].url,
      manifest.settings.interactivity.request_url,
      manifest.settings.event_subscriptions.request_url,
    ]) {
      expect(new URL(url).pathname).toBe('/slack/events');
    }
  });
});

describeWithReference("the app manifest against Slack's Web API spec", () => {
  it('grants the scope usergroups.users.list needs, which role checks call for roles held by user groups', () => {
    const spec = JSON.parse(readFileSync(SLACK_OPENAPI_PATH, 'utf8'));
    const security = spec.paths['/usergroups.users.list'].get.security as { slackAuth: string[] }[];
    const needed = security.flatMap((s) => s.slackAuth);
    expect(needed).toEqual(['usergroups:read']);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(needed));
  });
});
