/**
 * Paginators: every list action (Offset/Limit in, TotalCount and one list out) as an async
 * iterator over its items, fetching pages of the largest allowed Limit as the loop asks.
 *
 *   for await (const instance of bms.paginate('DescribeInstances', { Filters })) …
 */
import type { BaseClient, CallOptions } from './client.ts';

export interface PageOptions extends CallOptions {
  /** Items per request (default: the action's largest Limit, or 100). */
  pageSize?: number;
  /** Where to start (default 0). */
  offset?: number;
}

export async function* paginate<T>(client: BaseClient, action: string, params: object = {}, options: PageOptions = {}): AsyncGenerator<T, void, undefined> {
  const meta = client.actions[action];
  if (!meta?.p) throw new TypeError(`${client.service}:${action} is not a paginated action`);
  const limit = options.pageSize ?? meta.l ?? 100;
  let offset = options.offset ?? 0;
  for (;;) {
    const page = await client.request<Record<string, unknown>>(action, { ...params, Offset: offset, Limit: limit }, options);
    const items = (page[meta.p] as T[] | null | undefined) ?? [];
    for (const item of items) yield item;
    offset += items.length;
    const total = page.TotalCount;
    if (items.length === 0 || items.length < limit || (typeof total === 'number' && offset >= total)) return;
  }
}
