import type { DestinationStats, DropReason } from '../spec/chat-trail';
import { emptyDropCounts } from './lane-host';

export function emptyStats(): DestinationStats {
  return {
    sent: 0,
    sentMessages: 0,
    requests: 0,
    retried: 0,
    ambiguous: 0,
    dropped: emptyDropCounts(),
    queuedTurns: 0,
    queuedBytes: 0,
    feedback: { recorded: 0, sent: 0, dropped: 0 },
    backoffMs: 0,
  };
}

/** The counts of two workers (one that ended, the one after it) added up; queue and backoff are `a`'s. */
export function addStats(a: DestinationStats, b: DestinationStats): DestinationStats {
  const dropped = { ...a.dropped };
  for (const reason of Object.keys(dropped) as DropReason[]) dropped[reason] += b.dropped[reason] ?? 0;
  return {
    ...a,
    sent: a.sent + b.sent,
    sentMessages: a.sentMessages + b.sentMessages,
    requests: a.requests + b.requests,
    retried: a.retried + b.retried,
    ambiguous: a.ambiguous + b.ambiguous,
    dropped,
    feedback: {
      recorded: 0,
      sent: a.feedback.sent + b.feedback.sent,
      dropped: a.feedback.dropped + b.feedback.dropped,
    },
  };
}
