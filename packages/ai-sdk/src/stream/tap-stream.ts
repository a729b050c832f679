import type { ModelCall } from '../middleware/model-call';

/**
 * A pass-through tap over a model stream: every part reaches the caller unchanged and in order, the call
 * observes it on the way.
 *
 * It is a pull-based ReadableStream with `highWaterMark: 0` rather than a TransformStream: it reads from
 * the model only when the caller asks for the next part, so it never buffers or reads ahead, and on
 * Node it costs a fraction of a `pipeThrough` (see bench/README). The call ends exactly once:
 * - the source ends → `ok` (or `error` when the model finished with reason "error");
 * - an in-band `error` part → `error` (the part and everything after it still flow to the caller);
 * - the source errors → `error`, or `aborted` for an AbortError / the caller's aborted signal; the very
 *   same error object is handed to the caller;
 * - the caller cancels → `aborted`, and the cancel is forwarded to the model stream;
 * - the caller's abort signal fires → `aborted`, even if the model stream never closes.
 */
export function tapStream(source: ReadableStream<unknown>, call: ModelCall): ReadableStream<unknown> {
  const reader = source.getReader();
  return new ReadableStream<unknown>(
    {
      pull(controller) {
        return reader.read().then(
          (result) => {
            if (result.done) {
              call.end('ok');
              controller.close();
              return;
            }
            const part = result.value;
            if (!call.done) call.observe(part);
            controller.enqueue(part);
          },
          (error: unknown) => {
            call.end('error', error);
            controller.error(error);
          },
        );
      },
      cancel(reason) {
        call.end('aborted', reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
