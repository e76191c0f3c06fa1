import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';

export interface Paged<T> {
  items: T[] | null;
  error: FormError | null;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  /** Replaces one item in place (after an update the server answered with the new item). */
  replace: (match: (item: T) => boolean, next: T) => void;
}

/** Appends ?limit and ?cursor to a path that may already have a query. */
export function withParams(path: string, params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  if (!s) return path;
  return path + (path.includes('?') ? '&' : '?') + s;
}

/**
 * A cursor-paginated list (`{items, next_cursor}`): the first page loads when
 * `path` changes; loadMore appends the next one. Stale answers are dropped.
 */
export function usePaged<T>(path: string | null, limit = 50): Paged<T> {
  const { client } = useAuth();
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [loading, setLoading] = useState(false);
  const [nonce, setNonce] = useState(0);
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null, gen: number, append: boolean) => {
      if (!path) return;
      setLoading(true);
      setError(null);
      try {
        const res = await client.request<Page<T>>(withParams(path, { limit, cursor: after }));
        if (gen !== generation.current) return;
        setItems((prev) => (append && prev ? [...prev, ...res.items] : res.items));
        setCursor(res.next_cursor || null);
      } catch (err) {
        if (gen !== generation.current) return;
        setError(errorFrom(err));
        if (!append) setItems((prev) => prev ?? null);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [client, path, limit],
  );

  useEffect(() => {
    generation.current += 1;
    void fetchPage(null, generation.current, false);
  }, [fetchPage, nonce]);

  const loadMore = useCallback(() => {
    if (cursor && !loading) void fetchPage(cursor, generation.current, true);
  }, [cursor, loading, fetchPage]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);

  const replace = useCallback((match: (item: T) => boolean, next: T) => {
    setItems((prev) => prev?.map((it) => (match(it) ? next : it)) ?? prev);
  }, []);

  return { items, error, loading, hasMore: cursor !== null, loadMore, reload, replace };
}

/** The value, once it has stopped changing for `ms` (search boxes). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}
