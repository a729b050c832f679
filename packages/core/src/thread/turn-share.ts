/**
 * A pending turn's shared part, linked to the thread's turns before and after it while they are pending.
 * The part is counted in the bounds exactly while there is no `before`: that turn holds those messages.
 */
export interface TurnShare {
  readonly shared: number;
  pending: boolean;
  before: TurnShare | undefined;
  after: TurnShare | undefined;
}
