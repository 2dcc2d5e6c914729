import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromiumMissing } from './harness';

// Runs without a browser: when the browser tests may skip, and when they must fail instead (CI).
describe('the browser tests without Chromium', () => {
  const none = () => false;

  it('skip on a developer machine, saying where Chromium was looked for', () => {
    expect(chromiumMissing({ CHROMIUM_PATH: '/opt/no/chromium' }, none)).toBe(
      "no Chromium at /opt/no/chromium (install Debian's chromium or set CHROMIUM_PATH)",
    );
  });

  it('fail when TRUSTOPS_REQUIRE_BROWSER is set, as .ci/run sets it', () => {
    expect(() => chromiumMissing({ TRUSTOPS_REQUIRE_BROWSER: '1' }, none)).toThrow(
      /^browser tests cannot run: no Chromium at \/usr\/bin\/chromium .*TRUSTOPS_REQUIRE_BROWSER is set$/,
    );
  });

  it('run when Chromium is there, required or not', () => {
    expect(
      chromiumMissing({ TRUSTOPS_REQUIRE_BROWSER: '1', CHROMIUM_PATH: '/bin/chromium' }, (f) => f === '/bin/chromium'),
    ).toBeUndefined();
  });
});

describe('CI', () => {
  it('requires the browser tests once it has installed Chromium, before it runs the suite', () => {
    const script = readFileSync(path.resolve(__dirname, '../../.ci/run'), 'utf8');
    const required = script.indexOf('\nexport TRUSTOPS_REQUIRE_BROWSER=1\n');
    expect(required).toBeGreaterThan(script.indexOf('apt-get install -y -qq chromium'));
    expect(required).toBeLessThan(script.indexOf('\nnpm test\n'));
  });
});
