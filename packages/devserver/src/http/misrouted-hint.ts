/** Where each emulated backend's API lives on the devserver, and the variable that points a client there. */
const BACKENDS = [
  { backend: 'mielto', name: 'Mielto', prefix: '/api/v1', variable: 'MIELTO_BASE_URL' },
  { backend: 'melodi', name: 'Melodi', prefix: '/api/external', variable: 'MELODI_BASE_URL' },
] as const;

export interface MisroutedHint {
  backend: 'mielto' | 'melodi';
  message: string;
}

/**
 * Explains a request for a path that no route serves but that ends like one that does: a client whose
 * base URL lacks `/api/v1` or `/api/external` (`MIELTO_BASE_URL=http://127.0.0.1:4477` asks for
 * `GET /conversations`), repeats it, or names the other backend's. A bare "not found" gives no clue why.
 * `routes` are the served `METHOD /path` keys; `origin` is what the client called (`http://host:port`).
 */
export function misroutedHint(
  method: string,
  path: string,
  routes: readonly string[],
  origin: string,
): MisroutedHint | undefined {
  if (path === '/' || path.startsWith('/_devserver')) return undefined;
  const candidates = routes
    .map((key) => {
      const space = key.indexOf(' ');
      return { method: key.slice(0, space), path: key.slice(space + 1) };
    })
    .filter((route) => route.path !== path)
    .map((route) => {
      const home = BACKENDS.find((b) => route.path.startsWith(`${b.prefix}/`));
      return home && { ...route, home, tail: route.path.slice(home.prefix.length) };
    })
    .filter((route) => route !== undefined && path.endsWith(route.tail));
  // The same method first: `GET /conversations` means the list, not `POST`.
  const match = candidates.find((route) => route?.method === method) ?? candidates[0];
  if (!match) return undefined;
  const { home } = match;
  return {
    backend: home.backend,
    message:
      `No devserver route ${method} ${path}. ${home.name}'s API is under ${home.prefix}: did you mean ` +
      `${match.method} ${match.path}? Set ${home.variable}=${origin}${home.prefix} (the base URL includes ` +
      `${home.prefix}; \`chattrail-devserver --print-env\` prints every variable).`,
  };
}
