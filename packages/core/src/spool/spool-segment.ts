/** A destination of the trail, as the spool knows it. */
export type SpoolLane = { readonly name: string; readonly feedback: boolean };

/** A segment file and what the spool knows of it. */
export interface Segment {
  readonly path: string;
  fd?: number;
  size: number;
  /** Per lane of this trail, its bit in the segment's header; 0 when the header does not name it. */
  readonly bits: number[];
  /** Per lane of this trail, its deliveries not yet acknowledged. */
  readonly pending: number[];
  /** Per lane of this trail, acknowledged record numbers not yet written. */
  acks?: number[][];
  /** Written since the last fsync. */
  dirty: boolean;
  /** Ends in a line cut by a crash: the next write starts a new line. */
  torn: boolean;
}

/** Where a queued item is spooled, and the lanes (the segment's bits) still due to acknowledge it. */
export type SpoolRef = { readonly segment: Segment; readonly n: number; mask: number };

export function segmentState(path: string, bits: number[], size: number): Segment {
  return { path, size, bits, pending: bits.map(() => 0), dirty: false, torn: false };
}

/** Segment files are `0000000012.jsonl`, numbered in the order they were started; replay reads them so. */
export function segmentName(n: number): string {
  return `${String(n).padStart(10, '0')}.jsonl`;
}
