import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE §3: who may import whom, and no cycles. Checked on the source text so it needs no build.
const ROOT = resolve(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  specs.push(...[...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

function graph(dir: string): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(dir)) g.set(f, imports(f));
  return g;
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of g.get(n) ?? []) {
      if (state.get(m) === 'visiting') found.push(stack.slice(stack.indexOf(m)).concat(m));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of g.keys()) if (!state.has(n)) visit(n);
  return found;
}

const rel = (p: string) => relative(ROOT, p);

describe('import rules', () => {
  const src = graph(join(ROOT, 'src'));

  it('has no import cycles in src/', () => {
    expect(cycles(src).map((c) => c.map(rel).join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself works)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('keeps model/ free of project imports', () => {
    const bad = [...src].filter(([f, deps]) => rel(f).startsWith('src/model/') && deps.some((d) => !rel(d).startsWith('src/model/')));
    expect(bad.map(([f]) => rel(f))).toEqual([]);
  });

  it('keeps SQL in store/ and drivers out of redfish/', () => {
    const bad: string[] = [];
    for (const [f, deps] of src) {
      const r = rel(f);
      if (r.startsWith('src/redfish/') && deps.some((d) => rel(d).startsWith('src/drivers/') || rel(d).startsWith('src/store/db'))) bad.push(r);
      if (!r.startsWith('src/store/') && /\b(prepare|exec)\(\s*[`'"]\s*(SELECT|INSERT|UPDATE|DELETE|CREATE)/i.test(readFileSync(f, 'utf8'))) bad.push(r);
    }
    expect(bad).toEqual([]);
  });

  it('keeps the simulator independent of src/', () => {
    const dir = join(ROOT, 'mock-hardware', 'src');
    let sim: Map<string, string[]>;
    try {
      sim = graph(dir);
    } catch {
      return; // no simulator yet
    }
    const bad = [...sim].filter(([, deps]) => deps.some((d) => rel(d).startsWith('src/')));
    expect(bad.map(([f]) => rel(f))).toEqual([]);
    expect(cycles(sim).map((c) => c.map(rel).join(' -> '))).toEqual([]);
  });
});
