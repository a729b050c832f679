const warned = new Set<string>();

/** `console.warn('[chattrail] …')` once per `key` per process, not once per trail or request. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`[chattrail] ${message}`);
}
