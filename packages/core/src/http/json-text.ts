/**
 * @internal A request body that is already JSON text, sent as is: the Melodi destination keeps a thread's
 * message JSON between turns instead of re-serialising it. The builder vouches that `text` is valid JSON.
 */
export class JsonText {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}
