import { rowToBody } from '../../../src/domain/intake/import';
import { ruleMatches } from '../../../src/domain/intake/routing';
import { bodyHash, validateIntake } from '../../../src/domain/intake/schemas';

describe('intake rules', () => {
  it('turn a spreadsheet row into the JSON body the API takes', () => {
    expect(
      rowToBody({
        external_id: 'x',
        case_id: '12',
        automated: 'Yes',
        own_initiative: 'maybe',
        mcp_server_name: 'n',
        mcp_server_url: 'https://u',
        description: '',
        language: undefined,
      }),
    ).toEqual({ external_id: 'x', case_id: 12, automated: true, own_initiative: 'maybe', mcp_server: { name: 'n', url: 'https://u' } });
  });

  it('hash a body the same whatever the key order, and differently when a value changes', () => {
    expect(bodyHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(bodyHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(bodyHash({ a: 1 })).not.toBe(bodyHash({ a: 2 }));
  });

  it.each([
    [{ reportType: 'mcp_server' }, { reportType: 'mcp_server', surface: 'api' }, true],
    [{ reportType: 'mcp_server' }, { reportType: 'other' }, false],
    [{ language: 'de' }, { language: 'de-at' }, true],
    [{ language: 'de' }, { language: 'dea' }, false],
    [{ jurisdiction: 'DE', surface: 'api' }, { jurisdiction: 'de', surface: 'api' }, true],
    [{ jurisdiction: 'DE', surface: 'api' }, { jurisdiction: 'DE', surface: 'mobile' }, false],
    [{ language: 'fr' }, { language: null }, false],
  ])('match rule %j against report %j: %s', (rule, report, expected) => {
    expect(ruleMatches(rule, report)).toBe(expected);
  });

  it.each([
    ['2026-02-28T10:00:00Z', true],
    ['2026-02-29T10:00:00Z', false],
    ['2028-02-29T10:00:00+01:00', true],
    ['2026-11-27T24:00:00Z', false],
    ['2026-11-27T10:00:00', false],
  ])('accept %s as a received_at: %s', (receivedAt, ok) => {
    const body = { external_id: 'x', surface: 'api', report_type: 'other', content_ref: 'ref', received_at: receivedAt };
    const result = validateIntake('report', body, new Date('2030-01-01T00:00:00Z'));
    expect('data' in result).toBe(ok);
  });
});
