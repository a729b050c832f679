export declare const WORKER_SOURCE_FILE: RegExp;
export declare function workerSourceModule(define: Record<string, string>): Promise<string>;
