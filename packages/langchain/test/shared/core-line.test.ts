import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import corePackage from '@langchain/core/package.json';
import { describe, expect, it } from 'vitest';
import { ChatTrailCallbackHandler } from '../../src/index';
import { coreLine, recordingTrail } from '../support/recording-trail';

describe(`the @langchain/core line under test (${coreLine})`, () => {
  it('is the one the handler extends', () => {
    expect(corePackage.version.startsWith(coreLine === '0.3' ? '0.3.' : '1.')).toBe(true);
    const handler = new ChatTrailCallbackHandler({ trail: recordingTrail() });
    expect(handler).toBeInstanceOf(BaseCallbackHandler);
    expect(handler.awaitHandlers).toBe(true);
    expect(handler.copy()).toBe(handler);
  });

  it('is what the built ESM package resolves when it is loaded in this project', async () => {
    const built = await import('../../dist/index.js');
    const handler = new built.ChatTrailCallbackHandler({ trail: recordingTrail() });
    expect(handler).toBeInstanceOf(BaseCallbackHandler);
  });
});
