import type { FlushReport } from '../spec/chat-trail';
import type { Spool } from '../spool/spool';
import type { TrailLane } from './trail-lane';

/** Once, on stderr, counts only: what an exit could not deliver. Never throws. */
export function reportLost(
  lanes: readonly TrailLane[],
  spool: Spool | undefined,
  report: FlushReport,
  why: string,
  waitedMs: number,
): void {
  try {
    const pending = lanes.filter((lane) => lane.pending > 0).map((lane) => `${lane.name} ${lane.pending}`);
    const left = [
      pending.length > 0 ? `${report.pendingTurns} turn deliveries pending (${pending.join(', ')})` : '',
      report.droppedTurns !== undefined ? `${report.droppedTurns} dropped` : '',
    ].filter((part) => part !== '');
    console.error(
      `[chattrail] ${why}: after ${waitedMs} ms (exitFlushMs), ${left.join(', ')}; ${spool?.stats().state === 'on' ? `these stay in the spool (${spool.dir}) for the next start` : 'these are lost'}.`,
    );
  } catch {
    // Reporting must never throw into the host.
  }
}
