/** Where an import stands, for the progress display. */
export interface ProgressSnapshot {
  /** Conversations read (this run). */
  read: number;
  imported: number;
  skipped: number;
  failed: number;
  messages: number;
  /** Bytes of input read so far, and in all (unknown for stdin). */
  bytesRead: number;
  totalBytes?: number;
  elapsedMs: number;
}

export interface ImportProgressOptions {
  /** `tty`: one line redrawn in place; `plain`: a line every `intervalMs`; `json`: a JSON line every `intervalMs`. */
  mode: 'tty' | 'plain' | 'json';
  /** Writes text as it is (the display adds its own `\n` or `\r`). */
  write: (text: string) => void;
  snapshot: () => ProgressSnapshot;
  intervalMs?: number;
  /** Terminal width; the line is cut to it so that `\r` redraws one row. */
  columns?: () => number | undefined;
  color?: boolean;
}

/** A TTY redraws often enough to look alive, rarely enough to cost nothing. */
const TTY_INTERVAL_MS = 200;
const BAR_WIDTH = 20;
// `\r` back to the start of the row, then erase it: a shorter line leaves nothing of the last one.
const CLEAR_LINE = '\r\x1b[2K';
const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * The progress display of `chattrail import`. On a TTY it is a single line redrawn in place (bar, counts,
 * rate and ETA when the input's size is known); otherwise a plain line every few seconds, since a log file
 * or CI output wants lines, not carriage returns. A few lines of `\r` and one ANSI code; a progress-bar
 * library would add dependencies and not know where the ETA comes from (bytes read against file size).
 */
export class ImportProgress {
  readonly #options: ImportProgressOptions;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(options: ImportProgressOptions) {
    this.#options = options;
  }

  start(): void {
    const interval = this.#options.mode === 'tty' ? TTY_INTERVAL_MS : (this.#options.intervalMs ?? 5_000);
    this.#timer = setInterval(() => this.render(), interval);
    this.#timer.unref();
  }

  /** Draws (TTY) or writes one progress line now. */
  render(): void {
    const snapshot = this.#options.snapshot();
    switch (this.#options.mode) {
      case 'json':
        this.#options.write(`${JSON.stringify({ type: 'progress', ...jsonProgress(snapshot) })}\n`);
        return;
      case 'plain':
        this.#options.write(`chattrail import: ${progressText(snapshot)}\n`);
        return;
      case 'tty': {
        const line = ttyLine(snapshot, this.#options.columns?.() ?? 80, this.#options.color === true);
        this.#options.write(`${CLEAR_LINE}${line}`);
        this.#drawn = true;
      }
    }
  }

  /** Stops the timer and, on a TTY, erases the line so that the summary starts on a clean row. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#options.write(CLEAR_LINE);
    this.#drawn = false;
  }
}

function rates(s: ProgressSnapshot) {
  const seconds = Math.max(s.elapsedMs / 1000, 0.001);
  const fraction =
    s.totalBytes === undefined || s.totalBytes === 0 ? undefined : Math.min(1, s.bytesRead / s.totalBytes);
  const bytesPerSecond = s.bytesRead / seconds;
  const etaSeconds =
    fraction === undefined || bytesPerSecond === 0 || s.totalBytes === undefined
      ? undefined
      : (s.totalBytes - s.bytesRead) / bytesPerSecond;
  return {
    seconds,
    conversationsPerSecond: (s.imported + s.skipped) / seconds,
    messagesPerSecond: s.messages / seconds,
    fraction,
    etaSeconds,
  };
}

function jsonProgress(s: ProgressSnapshot) {
  const r = rates(s);
  const { elapsedMs: _, ...counts } = s;
  return {
    ...counts,
    seconds: Math.round(r.seconds * 10) / 10,
    messagesPerSecond: Math.round(r.messagesPerSecond),
    ...(r.fraction === undefined ? {} : { percent: Math.floor(r.fraction * 100) }),
    ...(r.etaSeconds === undefined ? {} : { etaSeconds: Math.ceil(r.etaSeconds) }),
  };
}

/** The plain line: counts, rate, and percentage and ETA when the input's size is known. */
export function progressText(s: ProgressSnapshot): string {
  const r = rates(s);
  const parts = [
    `${s.read} conversations read, ${s.imported} imported, ${s.skipped} skipped, ${s.failed} failed; ${s.messages} messages (${Math.round(r.messagesPerSecond)}/s)`,
  ];
  if (r.fraction !== undefined) parts.push(`${Math.floor(r.fraction * 100)}%`);
  if (r.etaSeconds !== undefined) parts.push(`ETA ${duration(r.etaSeconds)}`);
  return parts.join(', ');
}

/** The TTY line: `[=====>     ] 42% 1,234 conv 12,340 msg 5,120 msg/s ETA 1m20s`, cut to the terminal's width. */
export function ttyLine(s: ProgressSnapshot, columns: number, color: boolean): string {
  const r = rates(s);
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const parts: string[] = [];
  if (r.fraction !== undefined) {
    const filled = Math.round(r.fraction * BAR_WIDTH);
    const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === BAR_WIDTH ? '=' : '>') : ''}`;
    parts.push(
      `[${paint('36', bar.padEnd(BAR_WIDTH))}] ${String(Math.floor(r.fraction * 100)).padStart(3)}%`,
    );
  }
  parts.push(
    `${count(s.imported + s.skipped)} conv`,
    `${count(s.messages)} msg`,
    `${count(r.messagesPerSecond)} msg/s`,
  );
  if (s.skipped > 0) parts.push(`${count(s.skipped)} skipped`);
  if (s.failed > 0) parts.push(paint('31', `${count(s.failed)} failed`));
  if (r.etaSeconds !== undefined) parts.push(`ETA ${duration(r.etaSeconds)}`);
  const line = parts.join('  ');
  // Escape codes take no room on screen; only cut when the visible text is too wide.
  const visible = line.replace(ANSI_COLOR, '');
  return visible.length < columns ? line : visible.slice(0, Math.max(0, columns - 1));
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
