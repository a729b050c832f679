import { describe, expect, it } from 'vitest';
import { FaultInjector, validateFaultRule } from './fault-injector.js';

describe('FaultInjector', () => {
  it('matches routes by backend, path and method+path', () => {
    const f = new FaultInjector();
    f.set([{ route: 'POST /api/v1/messages', status: 500 }]);
    expect(f.decide('GET', '/api/v1/messages').kind).toBe('none');
    expect(f.decide('POST', '/api/v1/messages').kind).toBe('status');
    f.set([{ route: 'melodi', drop: true }]);
    expect(f.decide('PUT', '/api/external/threads').kind).toBe('drop');
    expect(f.decide('GET', '/api/v1/conversations').kind).toBe('none');
  });

  it('decides the faults that run the route first', () => {
    const f = new FaultInjector();
    f.set([{ route: 'POST /api/v1/messages', after: 'drop', times: 1 }]);
    expect(f.decide('POST', '/api/v1/messages').kind).toBe('after-drop');
    expect(f.decide('POST', '/api/v1/messages').kind).toBe('none');
    f.set([{ route: 'mielto', after: 'hang' }]);
    expect(f.decide('POST', '/api/v1/conversations').kind).toBe('after-hang');
    f.set([{ route: 'mielto', replaceBody: 'not json' }]);
    expect(f.decide('POST', '/api/v1/conversations').kind).toBe('replace-body');
  });

  it('is reproducible for a seed', () => {
    const run = () => {
      const f = new FaultInjector(42);
      f.set([{ route: '*', status: 503, rate: 0.5 }]);
      return Array.from({ length: 50 }, () => f.decide('GET', '/x').kind).join();
    };
    expect(run()).toBe(run());
  });

  it('validates rules', () => {
    expect(validateFaultRule({ route: '*', status: 503 })).toBeUndefined();
    expect(validateFaultRule({ route: '*' })).toMatch(/needs one of/);
    expect(validateFaultRule({ route: '', status: 500 })).toMatch(/route/);
    expect(validateFaultRule({ route: '*', status: 42 })).toMatch(/status/);
    expect(validateFaultRule({ route: '*', status: 500, times: -1 })).toMatch(/times/);
    expect(validateFaultRule({ route: '*', after: 'drop' })).toBeUndefined();
    expect(validateFaultRule({ route: '*', after: 'reset' })).toMatch(/after/);
    expect(validateFaultRule({ route: '*', replaceBody: '<html>' })).toBeUndefined();
    expect(validateFaultRule({ route: '*', replaceBody: 42 })).toMatch(/replaceBody/);
  });
});
