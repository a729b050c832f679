import { ChatTrailError } from '../errors';

/** What {@link ChatTrailConnectionError} says about the failure. */
export interface ChatTrailConnectionErrorInit {
  /** The destination's name. */
  destination: string;
  /** The system or transport code (`ENOTFOUND`, `ECONNREFUSED`, ...), when there is one. */
  code?: string;
  /** `host:port` the destination could not reach. */
  host?: string;
  /** The client's `APIConnectionError`. */
  cause?: unknown;
}

/**
 * What `onError` receives when a destination cannot reach its backend (no such host, refused or reset, no
 * response in time). Nothing is dropped for it (the turns stay queued and are retried); it is said once
 * per destination and cause, at the first failed attempt: `mielto: cannot resolve host api.example`.
 */
export class ChatTrailConnectionError extends ChatTrailError {
  override name = 'ChatTrailConnectionError';
  readonly destination: string;
  readonly code: string | undefined;
  readonly host: string | undefined;

  constructor(message: string, init: ChatTrailConnectionErrorInit) {
    super(message, init.cause === undefined ? {} : { cause: init.cause });
    this.destination = init.destination;
    this.code = init.code;
    this.host = init.host;
  }
}
