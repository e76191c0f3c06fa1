import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { kbApi, type KbApi, type Space } from './api';

const apis = new WeakMap<ApiClient, KbApi>();

/** The knowledge base API bound to the session's client. */
export function useKbApi(): KbApi {
  const { client } = useAuth();
  return useMemo(() => {
    let api = apis.get(client);
    if (!api) {
      api = kbApi(client);
      apis.set(client, api);
    }
    return api;
  }, [client]);
}

export interface Loaded<T> {
  data: T | null;
  error: FormError | null;
  loading: boolean;
  reload: () => void;
  /** Replace the data locally (after a change the server answered). */
  set: (next: T | ((prev: T | null) => T)) => void;
}

/** Loads `load()` when `key` changes; stale answers are dropped. `key` null = nothing to load. */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastKey = useRef<string | null>(null);

  useEffect(() => {
    if (key === null) {
      setData(null);
      setLoading(false);
      return;
    }
    // A new key starts empty; a reload of the same key keeps showing the old data.
    if (lastKey.current !== key) setData(null);
    lastKey.current = key;
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    loadRef.current(ctrl.signal).then(
      (v) => {
        if (ctrl.signal.aborted) return;
        setData(v);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(errorFrom(err));
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const set = useCallback((next: T | ((prev: T | null) => T)) => {
    setData((prev) => (typeof next === 'function' ? (next as (p: T | null) => T)(prev) : next));
  }, []);
  return { data, error, loading, reload, set };
}

// ---- spaces: one shared list for the sidebar and the pages ------------------------

interface SpacesState {
  spaces: Space[] | null;
  error: FormError | null;
}

class SpacesStore {
  state: SpacesState = { spaces: null, error: null };
  private listeners = new Set<() => void>();
  private loading: Promise<void> | null = null;
  constructor(private readonly api: KbApi) {}

  subscribe = (cb: () => void) => {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  };

  get = () => this.state;

  load = (force = false): Promise<void> => {
    if (this.loading && !force) return this.loading;
    const run = this.api.spaces().then(
      (spaces) => {
        // Listings do not say what the user may do; keep what GET /spaces/:id said.
        const prev = new Map((this.state.spaces ?? []).map((s) => [s.id, s]));
        this.setState({ spaces: spaces.map((s) => (s.role ? s : { ...s, role: prev.get(s.id)?.role })), error: null });
      },
      (err: unknown) => this.setState({ spaces: this.state.spaces, error: errorFrom(err) }),
    );
    this.loading = run.finally(() => {
      if (this.loading === run) this.loading = null;
    });
    return run;
  };

  /** Updates one space in place (after an edit) or adds it. */
  put(space: Space) {
    const list = this.state.spaces ?? [];
    const next = list.some((s) => s.id === space.id) ? list.map((s) => (s.id === space.id ? space : s)) : [...list, space];
    this.setState({ spaces: next, error: null });
  }

  private setState(s: SpacesState) {
    this.state = s;
    this.listeners.forEach((l) => l());
  }
}

const stores = new WeakMap<KbApi, SpacesStore>();

function spacesStore(api: KbApi): SpacesStore {
  let s = stores.get(api);
  if (!s) {
    s = new SpacesStore(api);
    stores.set(api, s);
  }
  return s;
}

/** The spaces this user can see (shared by the sidebar and the pages), loaded once per session. */
export function useSpaces(): SpacesState & { reload: () => Promise<void>; put: (s: Space) => void } {
  const api = useKbApi();
  const store = spacesStore(api);
  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  useEffect(() => {
    if (store.state.spaces === null && store.state.error === null) void store.load();
  }, [store]);
  const reload = useCallback(() => store.load(true), [store]);
  const put = useCallback((s: Space) => store.put(s), [store]);
  return { ...state, reload, put };
}

/** Sorted for display: by name in the UI language, archived last. */
export function sortSpaces(spaces: readonly Space[], lang: string): Space[] {
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  return [...spaces].sort((a, b) => {
    if (!!a.archived_at !== !!b.archived_at) return a.archived_at ? 1 : -1;
    return collator.compare(a.name, b.name);
  });
}

/** Formats a byte count ("1.2 MB", "834 KB"). */
export function formatBytes(n: number, lang: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${v.toLocaleString(lang, { maximumFractionDigits: digits })} ${units[i]}`;
}

/**
 * Splits a translated sentence around one placeholder so an element (a
 * <time>, a link) can sit where the language puts it: "Edited by {name}
 * {when}" vs "{name}님이 {when} 수정".
 */
export function around(text: (marker: string) => string, node: ReactNode): ReactNode[] {
  const marker = '\u0000';
  const [before = '', after = ''] = text(marker).split(marker);
  return [before, node, after];
}
