import type { ChatTrailDestination } from '../spec/chat-trail-destination';

/** A built-in destination's plain-data options, from which the delivery worker builds it again. */
export interface DestinationSpec {
  readonly kind: 'mielto' | 'melodi';
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

const specs = new WeakMap<ChatTrailDestination, DestinationSpec>();

/** Remembers `destination`'s spec when every option it was given is plain data. */
export function keepSpec(destination: ChatTrailDestination, kind: DestinationSpec['kind'], options: object) {
  const plain: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const type = typeof value;
    if (type !== 'string' && type !== 'number' && type !== 'boolean') return;
    plain[key] = value;
  }
  specs.set(destination, { kind, options: plain });
}

/** The spec of a built-in destination built from plain options; `undefined` for any other destination. */
export function specOf(destination: ChatTrailDestination): DestinationSpec | undefined {
  return specs.get(destination);
}
