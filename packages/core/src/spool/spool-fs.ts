/** The `node:fs` calls the spool makes, synchronous so that a file's lines are in the order they happened. */
export interface SpoolFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  writeSync(fd: number, text: string): number;
  writeFileSync(path: string, text: string, options: { flag: string }): void;
  fsyncSync(fd: number): void;
  readFileSync(path: string, encoding: 'utf8'): string;
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: boolean }): unknown;
  rmdirSync(path: string): void;
  readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean }[];
}
