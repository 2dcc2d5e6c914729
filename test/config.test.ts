import { ConfigError, checkRunMode, loadConfig } from '../src/config';
import { parseDuration } from '../src/duration';
import { createLogger, redact } from '../src/logger';
import { boltLogger } from '../src/slack/bolt-logger';

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

  it('runs the sandbox over HTTP unless TRUSTOPS_SANDBOX_SOCKET_MODE is set; it stays sandbox mode either way', () => {
    expect(loadConfig({}).TRUSTOPS_SANDBOX_SOCKET_MODE).toBe(false);
    const overSocket = loadConfig({ TRUSTOPS_SANDBOX_SOCKET_MODE: 'true' });
    expect(overSocket).toMatchObject({ mode: 'sandbox', TRUSTOPS_SANDBOX_SOCKET_MODE: true });
    expect(() => loadConfig({ TRUSTOPS_SANDBOX_SOCKET_MODE: 'socket' })).toThrow(/^TRUSTOPS_SANDBOX_SOCKET_MODE: /);
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
    // Each passed the old shape check, and node-schedule would then have scheduled nothing, silently.
    [{ TRUSTOPS_SLA_SCAN_CRON: '61 * * * *' }, /^TRUSTOPS_SLA_SCAN_CRON: expected a cron expression.*\(got "61 \* \* \* \*"\)$/],
    [{ TRUSTOPS_SLA_SCAN_CRON: '0 0 30 2 *' }, /^TRUSTOPS_SLA_SCAN_CRON: expected a cron expression/],
    [{ TRUSTOPS_SLA_SCAN_CRON: '* * * * * * *' }, /^TRUSTOPS_SLA_SCAN_CRON: expected a cron expression/],
    // cron-parser alone would fill in the missing fields.
    [{ TRUSTOPS_SLA_SCAN_CRON: '* *' }, /^TRUSTOPS_SLA_SCAN_CRON: expected a cron expression/],
    [{ TRUSTOPS_SANDBOX: 'yes' }, /^TRUSTOPS_SANDBOX: /],
    [{ TRUSTOPS_REVIEW_URL: 'https://review/x' }, /^TRUSTOPS_REVIEW_URL: expected a URL template containing \{case_id\}/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected a postgres/],
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, /^SLACK_BOT_TOKEN: expected a bot token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' }, /^SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set/],
    [{ SLACK_API_URL: 'not a url' }, /^SLACK_API_URL: /],
    [{ TRUSTOPS_INTAKE_TOKEN: 'short' }, /^TRUSTOPS_INTAKE_TOKEN: expected at least 16 characters$/],
    [{ TRUSTOPS_COPYRIGHT_TIMEZONE: 'US/Nowhere' }, /^TRUSTOPS_COPYRIGHT_TIMEZONE: expected an IANA time zone/],
    [{ TRUSTOPS_DIGEST_TIME: '9:30' }, /^TRUSTOPS_DIGEST_TIME: expected a time of day HH:MM.*\(got "9:30"\)$/],
    [{ TRUSTOPS_DIGEST_TIME: '24:00' }, /^TRUSTOPS_DIGEST_TIME: expected a time of day HH:MM/],
    [
      { TRUSTOPS_DSA_TDB_URL: 'https://tdb.example/api/v1' },
      /^TRUSTOPS_DSA_TDB_TOKEN: required when the other TRUSTOPS_DSA_TDB_ setting is set$/,
    ],
    [{ TRUSTOPS_DSA_TDB_TOKEN: 'secret-token-1' }, /^TRUSTOPS_DSA_TDB_URL: required when the other TRUSTOPS_DSA_TDB_ setting is set$/],
    [{ TRUSTOPS_DSA_TDB_URL: 'tdb', TRUSTOPS_DSA_TDB_TOKEN: 'secret-token-1' }, /^TRUSTOPS_DSA_TDB_URL: expected an https:\/\/ URL/],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('accepts the cron expressions node-schedule runs: five fields, six with seconds, names and L', () => {
    for (const cron of ['*/30 * * * * *', '0 9 * * 1-5', '0 0 * * MON', '0 0 L * *'])
      expect(loadConfig({ TRUSTOPS_SLA_SCAN_CRON: cron }).TRUSTOPS_SLA_SCAN_CRON).toBe(cron);
  });

  it('defaults the copyright calendar to New York and the overview digest to 09:30, with no Transparency Database', () => {
    const c = loadConfig({});
    expect([c.TRUSTOPS_COPYRIGHT_TIMEZONE, c.TRUSTOPS_DIGEST_TIME, c.TRUSTOPS_DSA_TDB_URL]).toEqual([
      'America/New_York',
      '09:30',
      undefined,
    ]);
    const tdb = loadConfig({ TRUSTOPS_DSA_TDB_URL: 'https://tdb.example/api/v1', TRUSTOPS_DSA_TDB_TOKEN: 'secret-token-1' });
    expect(tdb.secrets).toContain('secret-token-1');
  });

  it('accepts the time zones the product computes in, and no other', () => {
    expect(loadConfig({ TRUSTOPS_TIMEZONE: 'Europe/Dublin' }).TRUSTOPS_TIMEZONE).toBe('Europe/Dublin');
    expect(() => loadConfig({ TRUSTOPS_TIMEZONE: 'Mars/Olympus' })).toThrow(/^TRUSTOPS_TIMEZONE: expected an IANA time zone/);
  });

  it('reads a duration as a whole number and a unit, only among the units asked for', () => {
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration(' 2 d ')).toBe(172_800_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('30s', ['m', 'h', 'd'])).toBeUndefined();
    for (const bad of ['', 'soon', '1.5h', '-2d', '2w', 'h']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('reads TRUSTOPS_ALERT_MAX_AGE as a duration (24 h by default), and names a bad one', () => {
    expect(loadConfig({}).TRUSTOPS_ALERT_MAX_AGE).toBe(24 * 3_600_000);
    expect(loadConfig({ TRUSTOPS_ALERT_MAX_AGE: '90m' }).TRUSTOPS_ALERT_MAX_AGE).toBe(90 * 60_000);
    expect(loadConfig({ TRUSTOPS_ALERT_MAX_AGE: '2d' }).TRUSTOPS_ALERT_MAX_AGE).toBe(2 * 86_400_000);
    expect(() => loadConfig({ TRUSTOPS_ALERT_MAX_AGE: '24 hours' })).toThrow(
      'TRUSTOPS_ALERT_MAX_AGE: expected a duration such as 24h, 90m or 2d (got "24 hours")',
    );
    expect(() => loadConfig({ TRUSTOPS_ALERT_MAX_AGE: '30s' })).toThrow('TRUSTOPS_ALERT_MAX_AGE: expected at least 1m (got "30s")');
  });

  it('refuses sandbox mode on a DATABASE_URL unless TRUSTOPS_SANDBOX=true, and lets every other mode through', () => {
    const url = 'postgresql://app@db:5432/trustops';
    expect(() => checkRunMode(loadConfig({ DATABASE_URL: url }))).toThrow(
      new ConfigError(
        'TRUSTOPS_SANDBOX: DATABASE_URL is set but SLACK_BOT_TOKEN is not; set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for Slack mode, or TRUSTOPS_SANDBOX=true to run the sandbox on this database',
      ),
    );
    expect(() => checkRunMode(loadConfig({ DATABASE_URL: url, TRUSTOPS_SANDBOX: 'true' }))).not.toThrow();
    expect(() => checkRunMode(loadConfig({}))).not.toThrow();
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secretsecret', DATABASE_URL: url };
    expect(() => checkRunMode(loadConfig(slack))).not.toThrow();
    expect(loadConfig({}).TRUSTOPS_SANDBOX).toBe(false);
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

  it("keeps an error's stack in the JSON line, with a configured secret redacted from message and stack", () => {
    const lines: string[] = [];
    const c = loadConfig({ TRUSTOPS_INTAKE_TOKEN: 'intake-token-0123456789' });
    const log = createLogger({ secrets: c.secrets, write: (line) => lines.push(line) });
    function failWithSecret(): never {
      throw new Error('refused Bearer intake-token-0123456789', { cause: new Error('inner intake-token-0123456789') });
    }
    try {
      failWithSecret();
    } catch (err) {
      log.error('request failed', { err, nested: { err } });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('intake-token');
    const entry = JSON.parse(lines[0] as string);
    expect(entry.err).toMatchObject({ name: 'Error', message: 'refused Bearer [redacted]', cause: { message: 'inner [redacted]' } });
    expect(entry.err.stack).toMatch(/^Error: refused Bearer \[redacted\]\n\s+at failWithSecret /);
    expect(entry.nested.err.stack).toBe(entry.err.stack);
  });

  it("writes the Slack libraries' log calls as our JSON lines, an Error with its stack, secrets redacted", () => {
    const lines: string[] = [];
    const slack = boltLogger(createLogger({ secrets: ['signing-secret-0123'], write: (line) => lines.push(line) }));
    slack.warn('http request failed', 'fetch failed');
    slack.error('An unhandled error occurred while Bolt processed an event', new Error('bad signing-secret-0123'));
    const [warn, error] = lines.map((l) => JSON.parse(l));
    expect(warn).toMatchObject({ level: 'warn', source: 'slack', msg: 'http request failed fetch failed' });
    expect(error).toMatchObject({
      level: 'error',
      source: 'slack',
      msg: 'An unhandled error occurred while Bolt processed an event bad [redacted]',
      err: { name: 'Error', message: 'bad [redacted]', stack: expect.stringMatching(/^Error: bad \[redacted\]\n\s+at /) },
    });
    expect(lines.join('\n')).not.toContain('signing-secret-0123');
  });

  it('redacts the password of a database URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://app:hunter2hunter2@db:5432/trustops' });
    expect(redact('failed: postgresql://app:hunter2hunter2@db:5432/trustops', c.secrets)).not.toContain('hunter2');
  });
});
