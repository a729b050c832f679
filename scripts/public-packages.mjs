// The published packages of the repo: every non-private package under packages/, sorted by folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function publicPackages(root) {
  const dir = join(root, 'packages');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((pkgDir) => existsSync(join(pkgDir, 'package.json')))
    .map((pkgDir) => ({
      dir: pkgDir,
      manifest: JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => !manifest.private);
}
