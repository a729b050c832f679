import type { TurnRecorder } from '@chattrail/core';
import { getContextVariable, registerConfigureHook, setContextVariable } from '@langchain/core/context';
import {
  ChatTrailCallbackHandler,
  type ChatTrailCallbackHandlerOptions,
} from '../handler/chat-trail-callback-handler';

/** Options of {@link registerChatTrail}: the handler's options without the trail. */
export type RegisterChatTrailOptions = Omit<ChatTrailCallbackHandlerOptions, 'trail'>;

/** Calling it stops recording; `handler` is the installed handler (for `pendingRuns`, tests, ...). */
export type ChatTrailRegistration = (() => void) & { readonly handler: ChatTrailCallbackHandler };

/** The LangChain context variable our configure hook reads the handler from. */
const HANDLER_VARIABLE = 'chattrail_callback_handler';
/** Marks a context in which the hook is already registered, so registering twice adds it once. */
const HOOK_REGISTERED = Symbol.for('@chattrail/langchain/configure-hook');

/**
 * Records every LangChain and LangGraph run without passing `callbacks` anywhere: installs a
 * {@link ChatTrailCallbackHandler} through `@langchain/core`'s configure hook, which adds it to every
 * run's callback manager (a handler passed explicitly in `callbacks` takes precedence, since LangChain
 * adds a handler of the same name only once).
 *
 * LangChain keeps configure hooks in its AsyncLocalStorage context, like `setContextVariable`: call this
 * once at startup, before you start serving requests, so every request's async context inherits it.
 * Returns a function that unregisters the handler.
 *
 * @example
 * const unregister = registerChatTrail(trail, { metadata: { app: 'support-bot' } });
 * await agent.invoke(input, { configurable: { thread_id: 'thread-42' } }); // recorded
 */
export function registerChatTrail(
  trail: TurnRecorder,
  options: RegisterChatTrailOptions = {},
): ChatTrailRegistration {
  const handler = new ChatTrailCallbackHandler({ ...options, trail });
  if (getContextVariable(HOOK_REGISTERED) !== true) {
    registerConfigureHook({ contextVar: HANDLER_VARIABLE, inheritable: true });
    setContextVariable(HOOK_REGISTERED, true);
  }
  setContextVariable(HANDLER_VARIABLE, handler);
  const unregister = () => {
    // Async contexts created meanwhile keep a reference to the handler: disabling it covers those too.
    handler.disable();
    if (getContextVariable(HANDLER_VARIABLE) === handler) setContextVariable(HANDLER_VARIABLE, undefined);
  };
  return Object.assign(unregister, { handler });
}
