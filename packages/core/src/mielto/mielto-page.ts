import { ChatTrailError } from '../errors';

type MieltoPageLoader<T> = (skip: number) => Promise<MieltoPage<T>>;

/**
 * One page of a Mielto list; `for await` yields its items and those of the following pages, fetched as
 * the loop reaches them. Offset pagination is no snapshot: concurrent changes can repeat or skip an item.
 */
export class MieltoPage<T> implements AsyncIterable<T> {
  readonly data: T[];
  /** Items matching the filters across all pages, as of this page's request. */
  readonly total_count: number;
  readonly skip: number;
  readonly #loadPage: MieltoPageLoader<T>;

  constructor(body: { data: T[]; total_count: number }, skip: number, loadPage: MieltoPageLoader<T>) {
    this.data = Array.isArray(body.data) ? body.data : [];
    this.total_count = typeof body.total_count === 'number' ? body.total_count : this.data.length;
    this.skip = skip;
    this.#loadPage = loadPage;
  }

  /** An empty page is always the last, whatever `total_count` claims. */
  hasNextPage(): boolean {
    return this.data.length > 0 && this.skip + this.data.length < this.total_count;
  }

  /** Rejects with {@link ChatTrailError} when there is no next page. */
  getNextPage(): Promise<MieltoPage<T>> {
    if (!this.hasNextPage()) return Promise.reject(new ChatTrailError('There is no next page'));
    return this.#loadPage(this.skip + this.data.length);
  }

  async *iterPages(): AsyncGenerator<MieltoPage<T>> {
    let page: MieltoPage<T> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

/**
 * `await` it for the first page, or `for await` over every item (openai-node's pattern). Requests nothing
 * until used, so an unused list cannot produce an unhandled rejection.
 */
export class MieltoPagePromise<T> implements PromiseLike<MieltoPage<T>>, AsyncIterable<T> {
  readonly #loadFirst: () => Promise<MieltoPage<T>>;
  #first: Promise<MieltoPage<T>> | undefined;

  constructor(loadFirst: () => Promise<MieltoPage<T>>) {
    this.#loadFirst = loadFirst;
  }

  // biome-ignore lint/suspicious/noThenProperty: deliberately thenable so `await client.conversations.list()` yields the page.
  then<R1 = MieltoPage<T>, R2 = never>(
    onFulfilled?: ((page: MieltoPage<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<MieltoPage<T> | R> {
    return this.#firstPage().catch(onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield* await this.#firstPage();
  }

  #firstPage(): Promise<MieltoPage<T>> {
    this.#first ??= this.#loadFirst();
    return this.#first;
  }
}
