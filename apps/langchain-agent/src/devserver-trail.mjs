// A trail that delivers to a devserver's Mielto and Melodi emulations (any non-empty key is accepted).
// Against the real services: `createChatTrail()` reads MIELTO_API_KEY, MELODI_API_KEY and MELODI_PROJECT_ID.
import { createChatTrail, melodi, mielto } from '@chattrail/core';

/**
 * @param {{ mieltoBaseUrl: string, melodiBaseUrl: string }} server
 * @param {import('@chattrail/core').ChatTrailOptions} [options]
 */
export function createDevServerTrail(server, options = {}) {
  return createChatTrail({
    destinations: [
      mielto({ apiKey: 'demo', baseUrl: server.mieltoBaseUrl }),
      melodi({ apiKey: 'demo', projectId: 1, baseUrl: server.melodiBaseUrl }),
    ],
    ...options,
  });
}
