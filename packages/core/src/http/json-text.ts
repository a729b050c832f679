/**
 * @internal A request body that is already JSON text: `requestJson` sends it as is instead of
 * serialising an object. The Melodi destination builds its full-thread bodies from message JSON it keeps
 * between turns (see `melodiThreadJson`), so a thread resent on every turn is not re-serialised every time.
 * Whoever builds one vouches that `text` is valid JSON.
 */
export class JsonText {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}
