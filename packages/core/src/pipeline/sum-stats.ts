import type { ChatTrailStats, DropCounts, DropReason } from '../spec/chat-trail';
import type { Spool } from '../spool/spool';
import type { TrailLane } from './trail-lane';

const SUMMED = ['sent', 'sentMessages', 'requests', 'retried', 'ambiguous', 'queuedTurns'] as const;

/** A trail's `stats()`: its own counts (before any queue) plus every lane's; `queuedBytes` counts each item once. */
export function sumStats(
  counts: Pick<ChatTrailStats, 'recorded' | 'sampledOut' | 'redactedOut' | 'truncatedMessages'>,
  droppedBeforeQueue: Readonly<DropCounts>,
  feedback: { recorded: number; dropped: number },
  lanes: readonly TrailLane[],
  queuedBytes: number,
  spool?: Spool,
): ChatTrailStats {
  const destinations: ChatTrailStats['destinations'] = {};
  const dropped: DropCounts = { ...droppedBeforeQueue };
  const stats: ChatTrailStats = {
    ...counts,
    sent: 0,
    sentMessages: 0,
    requests: 0,
    retried: 0,
    ambiguous: 0,
    dropped,
    queuedTurns: 0,
    queuedBytes,
    feedback: { recorded: feedback.recorded, sent: 0, dropped: feedback.dropped },
    destinations,
  };
  for (const [i, lane] of lanes.entries()) {
    const snapshot = lane.snapshot();
    if (spool !== undefined) snapshot.dropped.spool_full = spool.dropped[i]!;
    destinations[lane.name] = snapshot;
    for (const key of SUMMED) stats[key] += snapshot[key];
    stats.feedback.sent += snapshot.feedback.sent;
    stats.feedback.dropped += snapshot.feedback.dropped;
    for (const reason of Object.keys(dropped) as DropReason[]) dropped[reason] += snapshot.dropped[reason];
  }
  if (spool !== undefined) stats.spool = spool.stats();
  return stats;
}
