/** Splits command text into words; "double quotes" (also Slack's curly ones) keep spaces together. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /["“”]([^"“”]*)["“”]|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

/** A user mention as Slack sends it (`<@U123|name>` or `<@U123>`), or a bare user id. */
export function parseUserRef(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const m = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([UW][A-Z0-9]{2,})$/.exec(word);
  return m?.[1];
}

/** A user group mention as Slack sends it in command text (`<!subteam^S123|@name>` or `<!subteam^S123>`). */
export function parseGroupRef(word: string | undefined): string | undefined {
  return /^<!subteam\^(S[A-Z0-9]{2,})(\|[^>]*)?>$/.exec(word ?? '')?.[1];
}

/** Edit distance, for suggesting the subcommand someone probably meant. */
export function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const score = c.startsWith(word) || word.startsWith(c) ? 0 : levenshtein(word, c);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return bestScore <= Math.max(2, Math.floor(word.length / 2)) ? best : undefined;
}
