import { describe, expect, it } from 'vitest';
import { parseIsoDate } from './parse-iso-date';

/** Each input's result differs from Date.parse's: an empty list is the pass. */
const mismatches = (inputs: Iterable<string>) =>
  [...inputs].filter((text) => !Object.is(parseIsoDate(text), Date.parse(text)));

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('parseIsoDate', () => {
  it('equals Date.parse on toISOString() of instants from year 0 to 9999', () => {
    const inputs: string[] = [];
    const from = Date.parse('0000-01-01T00:00:00.000Z');
    const to = Date.parse('9999-12-31T23:59:59.999Z');
    for (let i = 0; i < 20_000; i++) inputs.push(new Date(from + Math.random() * (to - from)).toISOString());
    for (let i = 0; i < 5_000; i++)
      inputs.push(new Date(Date.now() + (Math.random() - 0.5) * 1e11).toISOString());
    inputs.push('0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z');
    expect(inputs.every((text) => text.length === 24)).toBe(true);
    expect(mismatches(inputs)).toEqual([]);
  });

  it('equals Date.parse on every day, month and leap rule, in range and out', () => {
    const inputs: string[] = [];
    for (const year of [
      0, 4, 99, 100, 400, 1600, 1700, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9996, 9999,
    ]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++)
          inputs.push(`${pad(year, 4)}-${pad(month)}-${pad(day)}T12:34:56.789Z`);
      }
    }
    expect(mismatches(inputs)).toEqual([]);
  });

  it('equals Date.parse on times out of range', () => {
    const inputs: string[] = [];
    for (let hour = 0; hour <= 25; hour++) {
      for (const minute of [0, 1, 59, 60, 99]) {
        for (const second of [0, 59, 60, 99]) {
          for (const ms of ['000', '999'])
            inputs.push(`2024-02-29T${pad(hour)}:${pad(minute)}:${pad(second)}.${ms}Z`);
        }
      }
    }
    expect(mismatches(inputs)).toEqual([]);
  });

  it('equals Date.parse on forms that are not toISOString()', () => {
    const inputs = [
      '',
      'not a date',
      '2024-05-06',
      '2024-05-06T07:08:09Z',
      '2024-05-06T07:08:09.1Z',
      '2024-05-06T07:08:09.12Z',
      '2024-05-06T07:08:09.1234Z',
      '2024-05-06T07:08:09.123z',
      '2024-05-06t07:08:09.123Z',
      '2024-05-06 07:08:09.123Z',
      '2024-05-06T07:08:09.123+00:00',
      '2024-05-06T07:08:09.123+02:00',
      '2024-05-06T07:08:09.123',
      ' 2024-05-06T07:08:09.123Z',
      '2024-05-06T07:08:09.123Z ',
      '+002024-05-06T07:08:09.123Z',
      '-000001-05-06T07:08:09.123Z',
      '2024/05/06T07:08:09.123Z',
      '2024-05-06T07-08-09.123Z',
      '2024-05-06T07:08:09,123Z',
      '2024-0a-06T07:08:09.123Z',
      '2024-05-0:T07:08:09.123Z',
      '2024-05-06T07:08:0/.123Z',
      '2024-05-06T07:08:09.12/Z',
      '２０２４-05-06T07:08:09.123Z',
      'Mon, 06 May 2024 07:08:09 GMT',
      'Mon May 06 2024 07:08:09 GMT+0000',
      '1715000000000',
    ];
    expect(mismatches(inputs)).toEqual([]);
    // A turn from outside TypeScript may hold anything: what Date.parse makes of it.
    for (const value of [undefined, null, 0, 1715000000000, {}]) {
      expect(parseIsoDate(value as unknown as string)).toBe(Date.parse(value as unknown as string));
    }
  });
});
