/** Keys the env lines name when the server accepts any key (its default): any non-empty key works. */
const DEFAULT_MIELTO_KEY = 'dev-mielto-key';
const DEFAULT_MELODI_KEY = 'dev-melodi-key';

export interface DevServerEnvOptions {
  /** Default `dev-mielto-key`; pass one of `apiKeys.mielto` when the server accepts only those. */
  mieltoApiKey?: string;
  /** Default `dev-melodi-key`; pass one of `apiKeys.melodi` when the server accepts only those. */
  melodiApiKey?: string;
  /** Default 1. The devserver keeps threads per project and takes any positive integer. */
  melodiProjectId?: number;
}

/** `http://host:port` for a server bound to `host`: one bound to 0.0.0.0 is reached through loopback. */
export function devServerUrl(host: string, port: number): string {
  const name = host.includes(':') ? `[${host}]` : host;
  return `http://${name === '0.0.0.0' ? '127.0.0.1' : name}:${port}`;
}

/**
 * The five variables that point `createChatTrail()` (and `chattrail import`) at a devserver at `url`.
 * The base URLs carry the API prefixes (`/api/v1`, `/api/external`): without them every call is a 404.
 */
export function devServerEnv(url: string, options: DevServerEnvOptions = {}): Record<string, string> {
  return {
    MIELTO_API_KEY: options.mieltoApiKey ?? DEFAULT_MIELTO_KEY,
    MIELTO_BASE_URL: `${url}/api/v1`,
    MELODI_API_KEY: options.melodiApiKey ?? DEFAULT_MELODI_KEY,
    MELODI_PROJECT_ID: String(options.melodiProjectId ?? 1),
    MELODI_BASE_URL: `${url}/api/external`,
  };
}

/** `export NAME=value` lines for a POSIX shell, one per variable, values quoted when they need it. */
export function shellExportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}

function shellQuote(value: string): string {
  return /^[\w.:/@%+=,[\]-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
