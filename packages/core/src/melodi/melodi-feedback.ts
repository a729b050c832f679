import type { RequestOptions } from '../http/http-options';
import type { Requester } from '../http/request-json';
import type { MelodiFeedbackCreate, MelodiFeedbackResult } from './melodi-models';

/** `client.feedback`: Melodi's `/feedback` endpoint. */
export class MelodiFeedback {
  readonly #request: Requester;
  readonly #projectId: number | undefined;

  /** @internal Built by `MelodiClient`. */
  constructor(request: Requester, projectId: number | undefined) {
    this.#request = request;
    this.#projectId = projectId;
  }

  /** A thumbs up or down (`POST /feedback`) on a message, or on the thread's last one. */
  create(feedback: MelodiFeedbackCreate, options?: RequestOptions): Promise<MelodiFeedbackResult> {
    const projectId = feedback.projectId ?? this.#projectId;
    const body: MelodiFeedbackCreate = projectId === undefined ? feedback : { ...feedback, projectId };
    return this.#request<MelodiFeedbackResult>({ method: 'POST', path: '/feedback', body }, options);
  }
}
