import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of `src/`, lowest first. A module may import its own layer's modules' files only within its
 * own folder, and any module of a LOWER layer; never one above it, never a peer on the same row:
 *
 *  1. spec/                                  types only: Turn, the destination and trail specs; imports nothing
 *  2. internal/, version.ts                  LRU, deque, timers, concurrency: generic and private
 *  3. errors.ts                              ChatTrailError and the HTTP error hierarchy
 *  4. env/ normalize/ redact/ context/       pure functions on values, the ambient context (peers)
 *     options/                               the options policy: checks that throw, warn-once
 *  5. http/                                  requests, retries of standalone clients, the transport seam
 *  6. mielto/ melodi/                        the typed clients (peers)
 *  7. thread/                                what the trail knows of each thread (history, numbering)
 *  8. destinations/                          the Mielto and Melodi destinations
 *  9. spool/                                 the durable spool: queued items on disk (fs at run time)
 * 10. pipeline/                              the trail: createChatTrail, lanes, options, stats
 * 11. node/                                  Node-only (`@chattrail/core/node`)
 * 12. worker/                                the delivery worker thread's entry (bundled on its own)
 * 13. adapter/                               helpers the adapter packages share (`@chattrail/core/adapter`)
 * 14. index.ts, node.ts, adapter.ts          the package's entry points
 *
 * Tests (`*.test.ts`) are integration harnesses at the top: they may import any layer and the kits in
 * `test/`. Production code may import neither a test nor a kit.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['spec'],
  ['internal', 'version.ts'],
  ['errors.ts'],
  ['env', 'normalize', 'redact', 'context', 'options'],
  ['http'],
  ['mielto', 'melodi'],
  ['thread'],
  ['destinations'],
  ['spool'],
  ['pipeline'],
  ['node'],
  ['worker'],
  ['adapter'],
  ['index.ts', 'node.ts', 'adapter.ts'],
];

const srcDir = import.meta.dirname;

/** The module a file belongs to: its top folder under src/, or its own name for a file at the root. */
function moduleOf(path: string): string | undefined {
  const rel = relative(srcDir, path);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep)[0];
}

function layerOf(module: string): number {
  return LAYERS.findIndex((row) => row.includes(module));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative specifier of a file's static imports and re-exports, side-effect and dynamic imports. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]*)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]*)['"]/g,
    /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function resolveImport(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate)) return candidate;
  }
  return `${base}.ts`;
}

/** What is wrong with one import, or undefined when it respects the layers. */
function layerViolation(file: string, target: string): string | undefined {
  const isTest = file.endsWith('.test.ts');
  const fromModule = moduleOf(file)!;
  const toModule = moduleOf(target);
  if (toModule === undefined || target.endsWith('.test.ts')) {
    return isTest ? undefined : 'production code imports a test or a test kit';
  }
  if (isTest) return undefined;
  const from = layerOf(fromModule);
  const to = layerOf(toModule);
  if (from < 0) return `${fromModule} is in no layer: add it to LAYERS in src/layers.test.ts`;
  if (to < 0) return `${toModule} is in no layer: add it to LAYERS in src/layers.test.ts`;
  if (fromModule === toModule) return undefined;
  if (to === from)
    return `${fromModule} and ${toModule} are peers (layer ${from + 1}): neither imports the other`;
  if (to > from) return `${fromModule} (layer ${from + 1}) imports ${toModule} (layer ${to + 1}), above it`;
  return undefined;
}

describe('layers of src/', () => {
  const files = sourceFiles(srcDir);

  it('finds the sources, and every top folder or root file has a layer', () => {
    expect(files.length).toBeGreaterThan(50);
    const unplaced = [...new Set(files.map((file) => moduleOf(file)!))].filter(
      (module) => layerOf(module) < 0 && !module.endsWith('.test.ts'),
    );
    expect(unplaced, 'modules missing from LAYERS').toEqual([]);
  });

  it('every import points to the same module or a lower layer', () => {
    const offences: string[] = [];
    for (const file of files) {
      for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
        const target = resolveImport(file, specifier);
        const problem = layerViolation(file, target);
        if (problem !== undefined) offences.push(`${relative(srcDir, file)} → '${specifier}': ${problem}`);
      }
    }
    expect(offences, `imports against the layers:\n${offences.join('\n')}\n`).toEqual([]);
  });

  it('reads the import forms the sources use', () => {
    const source = [
      "import type { A } from '../spec/turn';",
      "import {\n  b,\n  type C,\n} from './b';",
      "export { d } from '../d';",
      "export * from './e';",
      "import './f';",
      "const g = await import('./g');",
      "import { h } from 'node:fs';",
    ].join('\n');
    expect(relativeImports(source).sort()).toEqual(['../d', '../spec/turn', './b', './e', './f', './g']);
  });

  it('flags an import that points up, across peers, or out of spec/', () => {
    const at = (path: string) => join(srcDir, path);
    expect(layerViolation(at('spec/turn.ts'), at('errors.ts'))).toMatch(
      /spec \(layer 1\) imports errors\.ts/,
    );
    expect(layerViolation(at('http/request-json.ts'), at('destinations/x.ts'))).toMatch(/above it/);
    expect(layerViolation(at('mielto/a.ts'), at('melodi/b.ts'))).toMatch(/peers/);
    expect(layerViolation(at('thread/a.ts'), at('../test/kit.ts'))).toMatch(/test kit/);
    expect(layerViolation(at('pipeline/a.ts'), at('thread/b.ts'))).toBeUndefined();
    expect(layerViolation(at('pipeline/a.test.ts'), at('node/b.ts'))).toBeUndefined();
  });
});
