import { createSignal } from 'solid-js';

/**
 * Forward/back paging over a Relay connection: the cursors of the pages already seen are kept,
 * so "previous" returns exactly the page that was shown before.
 */
export function createCursorPager(pageSize: number) {
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [seen, setSeen] = createSignal<(string | null)[]>([]);
  return {
    pageSize,
    variables: () => ({ first: pageSize, after: cursor() }),
    offset: () => seen().length * pageSize,
    hasPrevious: () => seen().length > 0,
    next(endCursor: string | null) {
      if (!endCursor) return;
      setSeen([...seen(), cursor()]);
      setCursor(endCursor);
    },
    previous() {
      const list = seen();
      setCursor(list[list.length - 1] ?? null);
      setSeen(list.slice(0, -1));
    },
    reset() {
      setSeen([]);
      setCursor(null);
    },
  };
}

export type CursorPager = ReturnType<typeof createCursorPager>;

/** Calls `apply` once typing has paused, so a search box does not query on every keystroke. */
export function debounce<A extends unknown[]>(apply: (...args: A) => void, ms = 300) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => apply(...args), ms);
  };
}
