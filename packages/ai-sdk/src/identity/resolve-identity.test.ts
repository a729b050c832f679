import { describe, expect, it } from 'vitest';
import { resolveIdentity } from './resolve-identity';

describe('resolveIdentity', () => {
  const wrap = { threadId: 'w', user: { id: 'wu' }, metadata: { a: 'wrap', b: 'wrap', c: 'wrap' } };
  const context = { threadId: 'c', user: { id: 'cu' }, metadata: { b: 'ctx', c: 'ctx' } };

  it('per call > context > wrap time, field by field, metadata merged key by key', () => {
    expect(resolveIdentity({ userId: 'pu', metadata: { c: 'call' } }, context, wrap)).toEqual({
      threadId: 'c',
      user: { id: 'pu' },
      metadata: { a: 'wrap', b: 'ctx', c: 'call' },
    });
    expect(resolveIdentity(undefined, undefined, wrap)).toEqual({
      threadId: 'w',
      user: { id: 'wu' },
      metadata: wrap.metadata,
    });
  });

  it('turnMessages: per call > context > wrap time; anything but history or new is ignored', () => {
    const mode = (call: unknown, ctx: unknown, at: unknown) =>
      resolveIdentity({ turnMessages: call }, { turnMessages: ctx } as never, { turnMessages: at } as never)
        .turnMessages;
    expect(mode('new', 'history', 'history')).toBe('new');
    expect(mode(undefined, 'new', 'history')).toBe('new');
    expect(mode('sometimes', undefined, 'new')).toBe('new');
    expect(mode(undefined, undefined, undefined)).toBeUndefined();
  });

  it('a full user wins over userId', () => {
    expect(resolveIdentity({ userId: 'x', user: { id: 'u', name: 'Ada' } }, undefined, {}).user).toEqual({
      id: 'u',
      name: 'Ada',
    });
  });

  it('ignores malformed values instead of trusting or throwing on them', () => {
    const resolved = resolveIdentity(
      { threadId: '', user: { name: 'no id' }, metadata: ['not', 'an', 'object'] },
      undefined,
      wrap,
    );
    expect(resolved).toEqual({ threadId: 'w', user: { id: 'wu' }, metadata: wrap.metadata });
    expect(resolveIdentity('nonsense', undefined, {})).toEqual({
      threadId: undefined,
      user: undefined,
      metadata: undefined,
    });
    expect(resolveIdentity({ threadId: 42, userId: 7 }, undefined, {})).toMatchObject({
      threadId: '42',
      user: { id: '7' },
    });
  });
});
