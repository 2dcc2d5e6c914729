import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// The import graph of src/, as written (type-only imports included: a circle of types is still a knot in the layers).
const SRC = path.resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile());
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const imports: string[] = [];
    for (const st of source.statements) {
      const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier;
      const target = spec && ts.isStringLiteral(spec) ? resolveImport(file, spec.text) : undefined;
      if (target) imports.push(target);
    }
    graph.set(file, imports);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function importCircles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

const rel = (p: string) => path.relative(SRC, p);
const graph = importGraph(sourceFiles(SRC));

/** Imports from files under `from` into any folder of `to`, as "file → import". */
function crossings(from: string, to: readonly string[], edges: Map<string, string[]> = graph): string[] {
  return [...edges]
    .filter(([file]) => rel(file).startsWith(from))
    .flatMap(([file, imports]) => imports.filter((i) => to.some((t) => rel(i).startsWith(t))).map((i) => `${rel(file)} → ${rel(i)}`));
}

describe('the import graph of src/', () => {
  it('has no import circles', () => {
    expect(importCircles(graph).map((c) => c.map(rel).join(' ↔ '))).toEqual([]);
  });

  it('keeps Slack listeners off the database: they go through the domain', () => {
    const offending = [...graph]
      .filter(([file]) => rel(file).startsWith('slack/'))
      .flatMap(([file, imports]) => imports.filter((i) => rel(i).startsWith('db/')).map((i) => `${rel(file)} → ${rel(i)}`));
    expect(offending).toEqual([]);
  });

  it('keeps the analytics read model infrastructure: it imports no domain, Slack, HTTP, jobs or sandbox code', () => {
    expect(crossings('analytics/', ['domain/', 'slack/', 'http/', 'jobs/', 'sandbox/'])).toEqual([]);
  });

  it('keeps chart rendering infrastructure: src/render imports no other layer of src/', () => {
    expect(crossings('render/', ['domain/', 'slack/', 'http/', 'jobs/', 'sandbox/', 'db/', 'analytics/'])).toEqual([]);
  });

  it('lets the domain see only the analytics contract (types.ts), never the engine', () => {
    const offending = crossings('domain/', ['analytics/']).filter((edge) => !edge.endsWith('→ analytics/types.ts'));
    expect(offending).toEqual([]);
  });

  it('names a forbidden crossing when there is one (the layer checks can fail)', () => {
    const edges = new Map([[path.join(SRC, 'analytics/x.ts'), [path.join(SRC, 'domain/deps.ts'), path.join(SRC, 'db/client.ts')]]]);
    expect(crossings('analytics/', ['domain/'], edges)).toEqual(['analytics/x.ts → domain/deps.ts']);
  });

  it('finds a circle when there is one (the check can fail)', () => {
    const knot = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(importCircles(knot)).toEqual([['a', 'b', 'c']]);
    expect(importCircles(new Map([['self', ['self']]]))).toEqual([['self']]);
    expect(
      importCircles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });
});
