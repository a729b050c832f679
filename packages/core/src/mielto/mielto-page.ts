import { ChatTrailError } from '../errors';

/** Fetches the page that starts at offset `skip`. */
export type MieltoPageLoader<T> = (skip: number) => Promise<MieltoPage<T>>;

/**
 * One page of an offset-paginated Mielto list (`{ data, total_count }`, paged by `skip`/`limit`).
 *
 * Iterating a page with `for await` yields its items and then those of every following page, fetching
 * them one at a time as the loop reaches them. Offset pagination is not a snapshot: items created or
 * deleted while iterating can shift the pages, so an item may be seen twice or missed.
 */
export class MieltoPage<T> implements AsyncIterable<T> {
  /** Items of this page. */
  readonly data: T[];
  /** Items matching the filters across all pages, as of this page's request. */
  readonly total_count: number;
  /** Offset of this page's first item. */
  readonly skip: number;
  readonly #loadPage: MieltoPageLoader<T>;

  constructor(body: { data: T[]; total_count: number }, skip: number, loadPage: MieltoPageLoader<T>) {
    this.data = Array.isArray(body.data) ? body.data : [];
    this.total_count = typeof body.total_count === 'number' ? body.total_count : this.data.length;
    this.skip = skip;
    this.#loadPage = loadPage;
  }

  /** Whether more items follow this page. An empty page is always the last (guards against a server that
   * over-reports `total_count`). */
  hasNextPage(): boolean {
    return this.data.length > 0 && this.skip + this.data.length < this.total_count;
  }

  /** Fetches the page after this one. Throws {@link ChatTrailError} when there is none. */
  getNextPage(): Promise<MieltoPage<T>> {
    if (!this.hasNextPage()) return Promise.reject(new ChatTrailError('There is no next page'));
    return this.#loadPage(this.skip + this.data.length);
  }

  /** This page and every following one, fetched lazily. */
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
 * What a list method returns: `await` it for the first page, or `for await` over it for every item of
 * every page (openai-node's pattern).
 *
 * Nothing is requested until it is awaited or iterated, so a list that is built and never used costs no
 * request and cannot produce an unhandled rejection.
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
