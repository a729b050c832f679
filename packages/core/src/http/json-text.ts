/** @internal A request body already JSON (the builder vouches), sent as is: Melodi's kept thread JSON. */
export class JsonText {
  constructor(readonly text: string) {}
}
