import type { SpoolFs } from './spool-fs';

// Segment files: `0000000012.jsonl`, numbered in the order they were started; replay reads them so.

export function segmentName(n: number): string {
  return `${String(n).padStart(10, '0')}.jsonl`;
}

export function segmentNumber(path: string): number {
  return Number.parseInt(path.slice(path.lastIndexOf('/') + 1), 10);
}

export function segmentNames(fs: SpoolFs, dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && /^\d{10}\.jsonl$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}
