import type { ChatTrailStats, DropCounts, DropReason } from '../spec/chat-trail';
import type { TrailLane } from './trail-lane';

/** A trail's `stats()`: its own counts (before any queue) plus every lane's. */
export function sumStats(
  counts: Pick<ChatTrailStats, 'recorded' | 'sampledOut' | 'redactedOut' | 'truncatedMessages'>,
  droppedBeforeQueue: Readonly<DropCounts>,
  feedback: { recorded: number; dropped: number },
  lanes: readonly TrailLane[],
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
    queuedBytes: 0,
    feedback: { recorded: feedback.recorded, sent: 0, dropped: feedback.dropped },
    destinations,
  };
  for (const lane of lanes) {
    const snapshot = lane.snapshot();
    destinations[lane.name] = snapshot;
    stats.sent += snapshot.sent;
    stats.sentMessages += snapshot.sentMessages;
    stats.requests += snapshot.requests;
    stats.retried += snapshot.retried;
    stats.ambiguous += snapshot.ambiguous;
    stats.queuedTurns += snapshot.queuedTurns;
    stats.queuedBytes += snapshot.queuedBytes;
    stats.feedback.sent += snapshot.feedback.sent;
    stats.feedback.dropped += snapshot.feedback.dropped;
    for (const reason of Object.keys(dropped) as DropReason[]) dropped[reason] += snapshot.dropped[reason];
  }
  return stats;
}
