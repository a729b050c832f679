/** A conversation that cannot be imported as it stands; the run records it (file, line, reason) and goes on. */
export class ImportInputError extends Error {
  override readonly name = 'ImportInputError';
}
