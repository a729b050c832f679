import { describe, expect, it } from 'vitest';
import { SerialByKey } from './serial-by-key';

describe('SerialByKey', () => {
  it('runs the tasks of a key one at a time, in order, past failures; other keys freely', async () => {
    const serial = new SerialByKey();
    const log: string[] = [];
    const gates: (() => void)[] = [];
    const task =
      (name: string, fail = false) =>
      () =>
        new Promise<string>((resolve, reject) => {
          log.push(`start ${name}`);
          gates.push(() => {
            log.push(`end ${name}`);
            if (fail) reject(new Error(name));
            else resolve(name);
          });
        });
    const a1 = serial.run('a', task('a1', true));
    const a2 = serial.run('a', task('a2'));
    const b1 = serial.run('b', task('b1'));
    expect(log).toEqual(['start a1', 'start b1']);
    gates.shift()!(); // a1 fails
    await expect(a1).rejects.toThrow('a1');
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    gates.shift()!();
    gates.shift()!();
    expect(await Promise.all([a2, b1])).toEqual(['a2', 'b1']);
    await Promise.resolve();
    expect(serial.size).toBe(0);
  });
});
