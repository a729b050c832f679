import { describe, expect, it } from 'vitest';
import { ImportProgress, type ProgressSnapshot, progressText, ttyLine } from './import-progress';

const snapshot: ProgressSnapshot = {
  read: 1300,
  imported: 1200,
  skipped: 34,
  failed: 2,
  messages: 12_340,
  bytesRead: 42_000_000,
  totalBytes: 100_000_000,
  elapsedMs: 10_000,
};

describe('import progress', () => {
  it('on a TTY: one line with bar, counts, rate and ETA from bytes read against the input size', () => {
    expect(ttyLine(snapshot, 200, false)).toBe(
      '[=======>            ]  42%  1,234 conv  12,340 msg  1,234 msg/s  34 skipped  2 failed  ETA 14s',
    );
    // Cut to the terminal's width so that `\r` redraws a single row.
    expect(ttyLine(snapshot, 40, false)).toHaveLength(39);
    // Colours add escape codes, not width.
    const coloured = ttyLine(snapshot, 200, true);
    expect(coloured).toContain('\x1b[31m2 failed\x1b[0m');
    const { totalBytes: _, ...unknownSize } = snapshot;
    expect(ttyLine(unknownSize, 200, false)).toBe(
      '1,234 conv  12,340 msg  1,234 msg/s  34 skipped  2 failed',
    );
  });

  it('redraws in place on a TTY and erases its line when it stops; plain and JSON write whole lines', () => {
    const written: string[] = [];
    const tty = new ImportProgress({ mode: 'tty', write: (t) => written.push(t), snapshot: () => snapshot });
    tty.render();
    tty.render();
    tty.stop();
    expect(written).toHaveLength(3);
    expect(written[0]!.startsWith('\r\x1b[2K[=')).toBe(true);
    expect(written[0]).not.toContain('\n');
    expect(written[2]).toBe('\r\x1b[2K');

    const lines: string[] = [];
    new ImportProgress({ mode: 'plain', write: (t) => lines.push(t), snapshot: () => snapshot }).render();
    expect(lines).toEqual([`chattrail import: ${progressText(snapshot)}\n`]);
    expect(lines[0]).toContain('42%, ETA 14s');
    const json: string[] = [];
    new ImportProgress({ mode: 'json', write: (t) => json.push(t), snapshot: () => snapshot }).render();
    expect(JSON.parse(json[0]!)).toMatchObject({
      type: 'progress',
      imported: 1200,
      percent: 42,
      etaSeconds: 14,
    });
  });
});
