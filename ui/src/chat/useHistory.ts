import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { listMessages } from './api';
import { mergeMessages, upsertMessage } from './timeline';
import type { Message } from './types';

export const PAGE = 50;

export interface History {
  messages: Message[];
  status: 'loading' | 'ready' | 'error';
  error: FormError | null;
  /** Older messages exist that are not loaded. */
  moreBefore: boolean;
  /** Newer messages exist that are not loaded (after jumping into the past). */
  moreAfter: boolean;
  loadingBefore: boolean;
  loadingAfter: boolean;
  /** Bumped when a fresh page replaced the list (the view re-positions). */
  generation: number;
  loadBefore: () => Promise<void>;
  loadAfter: () => Promise<void>;
  /** Loads the newest page (leaving a permalink, or "jump to latest"). */
  reload: () => void;
  upsert: (m: Message) => void;
  update: (id: string, fn: (m: Message) => Message) => void;
}

/**
 * A channel's thread roots, loaded a page at a time in either direction:
 * the newest page, or the page around `around` (a permalink).
 */
export function useHistory(channelId: string, around: string | null): History {
  const { client, user } = useAuth();
  const myId = user?.id ?? '';
  const [messages, setMessages] = useState<Message[]>([]);
  const [status, setStatus] = useState<History['status']>('loading');
  const [error, setError] = useState<FormError | null>(null);
  const [moreBefore, setMoreBefore] = useState(false);
  const [moreAfter, setMoreAfter] = useState(false);
  const [loadingBefore, setLoadingBefore] = useState(false);
  const [loadingAfter, setLoadingAfter] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [nonce, setNonce] = useState(0);
  const gen = useRef(0);
  const list = useRef<Message[]>([]);
  list.current = messages;
  const busy = useRef({ before: false, after: false });

  useEffect(() => {
    const g = ++gen.current;
    busy.current = { before: false, after: false };
    setStatus('loading');
    setError(null);
    setMessages([]);
    setLoadingBefore(false);
    setLoadingAfter(false);
    listMessages(client, channelId, around ? { around, limit: PAGE } : { limit: PAGE }, myId).then(
      (page) => {
        if (g !== gen.current) return;
        setMessages(page.items);
        setMoreBefore(page.moreBefore ?? (around ? true : page.items.length >= PAGE));
        setMoreAfter(around ? (page.moreAfter ?? true) : false);
        setStatus('ready');
        setGeneration((x) => x + 1);
      },
      (err: unknown) => {
        if (g !== gen.current) return;
        setError(errorFrom(err));
        setStatus('error');
      },
    );
  }, [client, channelId, around, myId, nonce]);

  const loadBefore = useCallback(async () => {
    const first = list.current[0];
    if (!first || busy.current.before) return;
    const g = gen.current;
    busy.current.before = true;
    setLoadingBefore(true);
    try {
      const page = await listMessages(client, channelId, { before: first.id, limit: PAGE }, myId);
      if (g !== gen.current) return;
      setMessages((prev) => mergeMessages(prev, page.items));
      setMoreBefore(page.moreBefore ?? page.items.length >= PAGE);
    } catch {
      // Leave "more" as it was: scrolling up again retries.
    } finally {
      if (g === gen.current) {
        busy.current.before = false;
        setLoadingBefore(false);
      }
    }
  }, [client, channelId, myId]);

  const loadAfter = useCallback(async () => {
    const last = list.current[list.current.length - 1];
    if (!last || busy.current.after) return;
    const g = gen.current;
    busy.current.after = true;
    setLoadingAfter(true);
    try {
      const page = await listMessages(client, channelId, { after: last.id, limit: PAGE }, myId);
      if (g !== gen.current) return;
      setMessages((prev) => mergeMessages(prev, page.items));
      setMoreAfter(page.moreAfter ?? page.items.length >= PAGE);
    } catch {
      /* retried on the next scroll */
    } finally {
      if (g === gen.current) {
        busy.current.after = false;
        setLoadingAfter(false);
      }
    }
  }, [client, channelId, myId]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const upsert = useCallback((m: Message) => setMessages((prev) => upsertMessage(prev, m)), []);
  const update = useCallback(
    (id: string, fn: (m: Message) => Message) => setMessages((prev) => prev.map((m) => (m.id === id ? fn(m) : m))),
    [],
  );

  return {
    messages,
    status,
    error,
    moreBefore,
    moreAfter,
    loadingBefore,
    loadingAfter,
    generation,
    loadBefore,
    loadAfter,
    reload,
    upsert,
    update,
  };
}
