import { readEnv } from '../env/read-env';
import { ChatTrailDeliveryError, ChatTrailError } from '../errors';
import { messageOf } from '../internal/message-of';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { openSpool } from '../spool/spool';
import type { ChatTrailOptions } from './chat-trail-options';
import { estimateTurnBytes } from './estimate-turn-bytes';
import type { TrailErrors } from './trail-errors';
import type { TrailLane } from './trail-lane';

/** Opens the trail's spool (see `Spool`), if asked for, and queues in the lanes what an earlier process left. */
export function startTrailSpool(options: ChatTrailOptions, lanes: readonly TrailLane[], errors: TrailErrors) {
  const spool = openSpool(
    options.spool,
    readEnv('CHATTRAIL_SPOOL_DIR', options.env),
    lanes.map((lane) => ({ name: lane.name, feedback: lane.destination.acceptsFeedback === true })),
    {
      failed: (error) => {
        const message = `spool: ${messageOf(error)}; the trail goes on in memory, and turns queued from now on do not survive a restart`;
        errors.reportOnce('spool:failed', new ChatTrailError(message, { cause: error }));
      },
      dropped: (lane, count) => {
        const destination = lanes[lane]!.name;
        const message = `spool: its directory reached spool.maxBytes; ${count} ${destination} deliveries not yet acknowledged lost their copy on disk (spool_full)`;
        const init = { reason: 'spool_full', destination, count } as const;
        errors.reportOnce(`spool_full:${destination}`, new ChatTrailDeliveryError(message, init));
      },
    },
  );
  const replay = spool?.takeReplay() ?? [];
  for (const { item, lanes: due } of replay) {
    const bytes = deliveryItemBytes(item);
    for (const lane of due) lanes[lane]!.enqueue(item, bytes);
  }
  return { spool, replayed: replay.length > 0 };
}

export function deliveryItemBytes(item: DeliveryItem): number {
  return item.type === 'feedback' ? 256 + (item.feedback.text?.length ?? 0) : estimateTurnBytes(item.turn);
}
