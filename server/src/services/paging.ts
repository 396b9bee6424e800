/**
 * Keyset paging for the newest-first listings (alerts, drift events): rows come in descending
 * id order, which is insertion order, and `before` is the last id of the previous page, so a page
 * never repeats or skips a row while new ones arrive.
 */
export interface Page<T> {
  items: T[];
  /** Pass as `before` for the next page; null when this page was the last. */
  nextBefore: number | null;
}

export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextBefore: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
