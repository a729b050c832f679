import { describe, expect, it } from 'vitest';
import * as adapter from './adapter';
import * as root from './index';

// The root entry is what an app and a destination author need; every runtime value there is a promise
// kept for every user, so it stays small (issue 25: at most 30). Types do not count: they cost nothing at
// run time. Helpers the adapter packages share live in `@chattrail/core/adapter`.
describe('public API', () => {
  it('the root exports at most 30 runtime values, these ones', () => {
    const names = Object.keys(root).sort();
    expect(names.length).toBeLessThanOrEqual(30);
    expect(names).toEqual(
      [
        // The trail and its destinations.
        'createChatTrail',
        'mielto',
        'melodi',
        // Context.
        'withChatTrail',
        'getChatTrailContext',
        // Redaction.
        'redactText',
        'maskApiKeys',
        'maskCardNumbers',
        'maskEmails',
        'maskPhoneNumbers',
        // Standalone clients.
        'MieltoClient',
        'MelodiClient',
        // What users catch.
        'ChatTrailError',
        'ChatTrailConnectionError',
        'ChatTrailDeliveryError',
        'APIError',
        'APIConnectionError',
        'APIConnectionTimeoutError',
        'APIUserAbortError',
        'InvalidResponseError',
        'BadRequestError',
        'AuthenticationError',
        'PaymentRequiredError',
        'PermissionDeniedError',
        'NotFoundError',
        'ConflictError',
        'PayloadTooLargeError',
        'UnprocessableEntityError',
        'RateLimitError',
        'InternalServerError',
      ].sort(),
    );
  });

  it('the adapter subpath holds what the adapter packages share, none of it also in the root', () => {
    const names = Object.keys(adapter);
    for (const name of [
      'contentPartPlaceholder',
      'toJsonSafe',
      'turnMessageId',
      'messageId',
      'formatBytes',
    ]) {
      expect(names).toContain(name);
    }
    expect(names.filter((name) => name in root)).toEqual([]);
  });
});
