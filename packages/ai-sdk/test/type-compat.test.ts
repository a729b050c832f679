// Compile-time proof (checked by `tsc --noEmit` in `pnpm typecheck`) that one middleware object is
// accepted by each major's own wrapLanguageModel / wrapProvider types, with no casts; it runs too.
import { wrapLanguageModel as wrap7, wrapProvider as wrapProvider7 } from 'ai';
import { MockLanguageModelV3 as Mock7V3, MockLanguageModelV4, MockProviderV4 } from 'ai/test';
import { wrapLanguageModel as wrap5, wrapProvider as wrapProvider5 } from 'ai-v5';
import { MockLanguageModelV2, MockProviderV2 } from 'ai-v5/test';
import { wrapLanguageModel as wrap6, wrapProvider as wrapProvider6 } from 'ai-v6';
import { MockLanguageModelV3, MockProviderV3 } from 'ai-v6/test';
import { expect, it } from 'vitest';
import { type ChatTrailMiddleware, chatTrailMiddleware } from '../src/index';
import { collectingRecorder } from './recorder';

it('is assignable to the middleware type of ai 5, 6 and 7', () => {
  const middleware: ChatTrailMiddleware = chatTrailMiddleware({ trail: collectingRecorder() });
  const m5 = wrap5({ model: new MockLanguageModelV2(), middleware });
  const m6 = wrap6({ model: new MockLanguageModelV3(), middleware });
  const m7 = wrap7({ model: new MockLanguageModelV4(), middleware });
  const m7FromV3 = wrap7({ model: new Mock7V3(), middleware: [middleware] });
  const p5 = wrapProvider5({ provider: new MockProviderV2(), languageModelMiddleware: middleware });
  const p6 = wrapProvider6({ provider: new MockProviderV3(), languageModelMiddleware: middleware });
  const p7 = wrapProvider7({ provider: new MockProviderV4(), languageModelMiddleware: middleware });
  expect([m5.specificationVersion, m6.specificationVersion, m7.specificationVersion]).toEqual([
    'v2',
    'v3',
    'v4',
  ]);
  expect(m7FromV3.specificationVersion).toBe('v4');
  expect([p5, p6, p7].every((p) => typeof p.languageModel === 'function')).toBe(true);
});
