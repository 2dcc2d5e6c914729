import { ConfigError, loadConfig } from '../src/config';
import { createLogger, redact } from '../src/logger';

describe('configuration', () => {
  it('runs on embedded defaults with nothing set (sandbox mode)', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      mode: 'sandbox',
      PORT: 3000,
      TRUSTOPS_DATA_DIR: './.data',
      TRUSTOPS_TIMEZONE: 'UTC',
      TRUSTOPS_SLA_SCAN_CRON: '* * * * *',
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('picks HTTP mode with a bot token and signing secret, Socket Mode with an app token', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secretsecret' }).mode).toBe('http');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-abc' }).mode).toBe('socket');
  });

  it('parses TRUSTOPS_ADMINS as a list of user ids', () => {
    expect(loadConfig({ TRUSTOPS_ADMINS: 'U01AAA, U02BBB,' }).TRUSTOPS_ADMINS).toEqual(['U01AAA', 'U02BBB']);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: .*\(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT: /],
    [{ TRUSTOPS_TIMEZONE: 'Mars/Olympus' }, /^TRUSTOPS_TIMEZONE: expected an IANA time zone/],
    [{ TRUSTOPS_ADMINS: 'bob' }, /^TRUSTOPS_ADMINS: expected comma-separated Slack user ids/],
    [{ TRUSTOPS_SLA_SCAN_CRON: 'every minute' }, /^TRUSTOPS_SLA_SCAN_CRON: expected a cron expression/],
    [{ TRUSTOPS_REVIEW_URL: 'https://review/x' }, /^TRUSTOPS_REVIEW_URL: expected a URL template containing \{case_id\}/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected a postgres/],
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, /^SLACK_BOT_TOKEN: expected a bot token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' }, /^SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set/],
    [{ SLACK_API_URL: 'not a url' }, /^SLACK_API_URL: /],
    [{ TRUSTOPS_INTAKE_TOKEN: 'short' }, /^TRUSTOPS_INTAKE_TOKEN: expected at least 16 characters$/],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('never echoes a secret it rejects', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxp-secret-value' })).toThrow(/^SLACK_BOT_TOKEN: [^"]*$/);
  });
});

describe('logging', () => {
  it('redacts configured secrets and anything shaped like a Slack token', () => {
    const lines: string[] = [];
    const c = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-111-222-abcdef',
      SLACK_SIGNING_SECRET: 'very-secret-signing',
      TRUSTOPS_INTAKE_TOKEN: 'intake-token-0123456789',
    });
    const log = createLogger({ secrets: c.secrets, write: (line) => lines.push(line) });
    log.info('connecting with xoxb-111-222-abcdef', {
      secret: 'very-secret-signing',
      header: 'Bearer intake-token-0123456789',
      other: 'xapp-1-A0-zzzzzz',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/abcdef|very-secret|intake-token|zzzzzz/);
    expect(lines[0]).toContain('[redacted]');
  });

  it('redacts the password of a database URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://app:hunter2hunter2@db:5432/trustops' });
    expect(redact('failed: postgresql://app:hunter2hunter2@db:5432/trustops', c.secrets)).not.toContain('hunter2');
  });
});
