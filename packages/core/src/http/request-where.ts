import { APIUserAbortError } from '../errors';

/** What a request's errors name. */
export interface Where {
  backend: string;
  method: string;
  path: string;
}

export function describe(where: Where): string {
  return `${where.backend} ${where.method} ${where.path}`;
}

export function abortError(where: Where): APIUserAbortError {
  return new APIUserAbortError({ ...where, message: `${describe(where)} was aborted by the caller` });
}
