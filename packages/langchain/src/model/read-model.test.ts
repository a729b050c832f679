import { describe, expect, it } from 'vitest';
import { readModel } from './read-model';

describe('readModel', () => {
  it('prefers invocation_params, then ls_model_name, then the response', () => {
    expect(
      readModel(
        { invocation_params: { model: 'gpt-4o' } },
        { ls_provider: 'openai', ls_model_name: 'x' },
        {},
      ),
    ).toEqual({
      provider: 'openai',
      id: 'gpt-4o',
    });
    expect(readModel({ invocation_params: { model_name: 'old-style' } }, undefined, undefined)).toEqual({
      id: 'old-style',
    });
    expect(readModel({}, { ls_model_name: 'claude-x', ls_provider: 'anthropic' }, undefined)).toEqual({
      provider: 'anthropic',
      id: 'claude-x',
    });
    expect(readModel(undefined, undefined, { model_name: 'served', model_provider: 'groq' })).toEqual({
      provider: 'groq',
      id: 'served',
    });
    expect(readModel(undefined, undefined, undefined)).toBeUndefined();
  });
});
