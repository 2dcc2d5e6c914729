import { PAGE_CLIENT_JS } from '../../src/sandbox/page/client';
import { pageHtml } from '../../src/sandbox/page/html';

// Checks that need no browser, so a machine without Chromium still catches them.
describe('the sandbox page’s script', () => {
  it('parses as JavaScript', () => {
    expect(() => new Function(PAGE_CLIENT_JS)).not.toThrow();
  });

  it('never uses an HTML sink: every piece of text goes in as text', () => {
    for (const sink of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
      'new Function',
      'srcdoc',
      'createContextualFragment',
    ]) {
      expect(PAGE_CLIENT_JS).not.toContain(sink);
    }
  });

  it('sets every link from safeHref, so only http(s) and mailto URLs become links (file downloads too)', () => {
    const values = [...PAGE_CLIENT_JS.matchAll(/\bhref: ([^,}]+)/g)].map((m) => m[1]);
    expect(values.length).toBeGreaterThanOrEqual(3);
    for (const value of values) expect(value).toBe('href');
    const assigned = [...PAGE_CLIENT_JS.matchAll(/\bhref = ([^;]+)/g)].map((m) => m[1]);
    expect(assigned.length).toBeGreaterThanOrEqual(3);
    for (const value of assigned) expect(value).toMatch(/^safeHref\(/);
  });

  it('is loaded from its own URL, with no inline script or handler the CSP would have to allow', () => {
    const html = pageHtml();
    expect(html).toContain('<script src="/sandbox/page.js" defer></script>');
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/style="/);
  });
});
