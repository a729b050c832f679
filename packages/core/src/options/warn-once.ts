const warned = new Set<string>();

/**
 * `console.warn('[chattrail] …')` the first time `key` is seen in this process: a deprecated option or a
 * bad environment variable is worth one line, not one per trail or per request.
 */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`[chattrail] ${message}`);
}
