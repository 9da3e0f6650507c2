/**
 * The import graph of src/ and its cycles, for the test that keeps it acyclic. Every import counts: static,
 * type-only (`import type`, `export ... from`) and literal dynamic ones (`import('./x.js')`, also in types);
 * TypeScript's own scanner finds them, so imports in comments and strings are not mistaken for real ones.
 * Test-only: not in the package.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** file (relative to the root, '/'-separated) -> the files it imports, relative to the same root. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The relative imports of every .ts file under root ('./x.js' resolves to 'x.ts'; packages are left out). */
export function importGraph(root: string): ImportGraph {
  const graph = new Map<string, string[]>();
  const rel = (p: string) => relative(root, p).split('\\').join('/');
  for (const file of tsFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => rel(resolve(dirname(file), name.replace(/\.js$/, '.ts'))));
    graph.set(rel(file), [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The cycles: each strongly connected component of more than one file (or a file importing itself), its
 * files sorted, the components sorted by their first file. Tarjan's algorithm.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
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
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}
