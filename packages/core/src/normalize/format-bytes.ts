const KB = 1024;
const MB = KB * 1024;
const GB = MB * 1024;

/** A short size in binary units: `512 B`, `34 KB`, `1.2 MB`, `3.0 GB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown size';
  if (bytes < KB) return `${Math.round(bytes)} B`;
  if (bytes < MB - KB / 2) return `${Math.max(1, Math.round(bytes / KB))} KB`;
  if (bytes < GB - MB / 2) return `${(bytes / MB).toFixed(1)} MB`;
  return `${(bytes / GB).toFixed(1)} GB`;
}
