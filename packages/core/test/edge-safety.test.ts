import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The core must load on Edge runtimes and in browsers: no module of it may import a Node built-in or
 * call require(). Node facilities are reached only through lookups that fail softly at run time
 * (`process.getBuiltinModule` in context/context-store.ts).
 */
const srcDir = join(import.meta.dirname, '..', 'src');
// The `@chattrail/core/node` subpath (src/node.ts, src/node/) is Node-only by design; nothing else may
// reach it (checked below), so the main entry never loads it. Nor the delivery worker's entry: it is bundled
// on its own and embedded as a string (bundle-worker.mjs), never imported.
const nodeOnly = (path: string) =>
  path === join(srcDir, 'node.ts') ||
  path.startsWith(`${join(srcDir, 'node')}/`) ||
  path === join(srcDir, 'worker', 'worker-main.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (nodeOnly(path)) return [];
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('edge safety', () => {
  const files = sourceFiles(srcDir);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((file) => [relative(srcDir, file), file]))(
    '%s imports nothing Node-only',
    (_name, file) => {
      const source = readFileSync(file, 'utf8');
      expect(source).not.toMatch(
        /\bfrom\s+['"](node:|fs|path|http|https|crypto|async_hooks|util|events|stream)['"/]/,
      );
      expect(source).not.toMatch(/\bimport\s*\(\s*['"]node:/);
      expect(source).not.toMatch(/\brequire\s*\(/);
      expect(source).not.toMatch(/\bBuffer\./);
    },
  );

  it('never reaches the Node-only subpath', () => {
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), relative(srcDir, file)).not.toMatch(
        /from\s+['"](?:\.\.?\/)+(?:node(?:\/|['"])|worker\/worker-main)/,
      );
    }
  });

  it('has only relative imports (zero runtime dependencies)', () => {
    let checked = 0;
    for (const file of files) {
      // Statements only: TSDoc examples legitimately show `import OpenAI from 'openai'`.
      const statements = /^(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms;
      const specifiers = [...readFileSync(file, 'utf8').matchAll(statements)].map((m) => m[1]!);
      for (const specifier of specifiers) expect(specifier, relative(srcDir, file)).toMatch(/^\.\.?\//);
      checked += specifiers.length;
    }
    expect(checked).toBeGreaterThan(30);
  });
});
