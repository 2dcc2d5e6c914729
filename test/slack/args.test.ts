import { closest, parseUserRef, tokenize } from '../../src/slack/listeners/commands/args';

describe('command arguments', () => {
  it('keeps quoted words together, including Slack’s curly quotes', () => {
    expect(tokenize('surface add mcp_apps "MCP Apps"')).toEqual(['surface', 'add', 'mcp_apps', 'MCP Apps']);
    expect(tokenize('surface add x “Curly Name”')).toEqual(['surface', 'add', 'x', 'Curly Name']);
    expect(tokenize('  ')).toEqual([]);
  });

  it('reads mentions as Slack escapes them, and bare ids', () => {
    expect(parseUserRef('<@U123ABC|jane>')).toBe('U123ABC');
    expect(parseUserRef('<@U123ABC>')).toBe('U123ABC');
    expect(parseUserRef('U123ABC')).toBe('U123ABC');
    expect(parseUserRef('@jane')).toBeUndefined();
  });

  it('suggests the closest subcommand, or nothing when none is close', () => {
    const names = ['help', 'surface', 'role', 'metrics'];
    expect(closest('surfce', names)).toBe('surface');
    expect(closest('hlep', names)).toBe('help');
    expect(closest('metric', names)).toBe('metrics');
    expect(closest('zzzzzzzz', names)).toBeUndefined();
  });
});
