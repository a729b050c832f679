import { ChatTrailError } from '../errors';
import type { DropReason } from '../spec/chat-trail';

/** What {@link ChatTrailDeliveryError} says about the failure. */
export interface ChatTrailDeliveryErrorInit {
  reason: DropReason;
  /** The destination's name, when the failure belongs to one. */
  destination?: string;
  /** The HTTP status the backend answered, when there was one. */
  status?: number;
  /** How many turns (or feedback items) this first report covers. */
  count: number;
  cause?: unknown;
}

/**
 * What `onError` receives when the trail gives up on turns: the destination, the reason, the HTTP status
 * and, in the message, the server's explanation (from the client error, which never carries the key).
 */
export class ChatTrailDeliveryError extends ChatTrailError {
  override name = 'ChatTrailDeliveryError';
  readonly reason: DropReason;
  readonly destination: string | undefined;
  readonly status: number | undefined;
  readonly count: number;

  constructor(message: string, init: ChatTrailDeliveryErrorInit) {
    super(message, init.cause === undefined ? {} : { cause: init.cause });
    this.reason = init.reason;
    this.destination = init.destination;
    this.status = init.status;
    this.count = init.count;
  }
}
