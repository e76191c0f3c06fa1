// React side of the realtime client: one client per ApiClient (so one socket
// per tab), started by the first component that needs it while signed in and
// stopped when the session ends.
//
// Any module may subscribe:
//
//   useRealtimeEvent('document.*', (e) => { if (e.data?.id === docId) reload(); });
//   useResync(reload);  // events were missed: refetch what is on screen
//
// Event types and payloads are listed in docs/realtime.md.

import { useEffect, useRef, useSyncExternalStore } from 'react';
import { ApiClient, ApiError, NetworkError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { RealtimeClient, TicketError, type ConnectionState, type Handler, type RealtimeEvent } from './client';
import { trackPresence } from './presence';

export { RealtimeClient, matches, backoffDelay } from './client';
export type { ConnectionState, RealtimeEvent, Handler } from './client';

interface Entry {
  rt: RealtimeClient;
  stopPresence: (() => void) | null;
}

const clients = new WeakMap<ApiClient, Entry>();

/** Asks the API for a WebSocket ticket, mapping failures to what the client should do. */
async function fetchTicket(api: ApiClient): Promise<string> {
  try {
    const res = await api.request<{ ticket: string }>('/api/v1/ws/ticket', { method: 'POST' });
    if (!res || typeof res.ticket !== 'string') throw new TicketError('failed');
    return res.ticket;
  } catch (err) {
    if (err instanceof TicketError) throw err;
    if (err instanceof ApiError) {
      if (err.status === 401) throw new TicketError('unauthorized', err);
      if (err.status === 404 || err.status === 405 || err.status === 501) throw new TicketError('unavailable', err);
    }
    if (err instanceof NetworkError) throw new TicketError('failed', err);
    throw new TicketError('failed', err);
  }
}

/** The realtime client of this tab's API client (created on first use, not started). */
export function realtimeFor(api: ApiClient): RealtimeClient {
  let entry = clients.get(api);
  if (!entry) {
    const rt = new RealtimeClient({ ticket: () => fetchTicket(api) });
    const created: Entry = { rt, stopPresence: null };
    entry = created;
    clients.set(api, created);
    api.onSession(({ user }) => {
      if (user) return;
      created.stopPresence?.();
      created.stopPresence = null;
      rt.stop();
    });
  }
  return entry.rt;
}

/** Starts the client (and presence reporting) if signed in; safe to call repeatedly. */
export function ensureStarted(api: ApiClient): RealtimeClient {
  const rt = realtimeFor(api);
  const entry = clients.get(api)!;
  if (!api.signedIn) return rt;
  if (typeof WebSocket === 'undefined') return rt;
  rt.start();
  if (!entry.stopPresence && typeof window !== 'undefined') {
    entry.stopPresence = trackPresence(rt, { window, document });
  }
  return rt;
}

/** This tab's realtime client, connected while signed in. */
export function useRealtime(): RealtimeClient {
  const { client } = useAuth();
  const rt = realtimeFor(client);
  useEffect(() => {
    ensureStarted(client);
  }, [client]);
  return rt;
}

/**
 * Calls `handler` for each event matching `pattern` ("message.created",
 * "message.*", "*"). The latest handler is always used; the subscription
 * itself only changes with the pattern.
 */
export function useRealtimeEvent(pattern: string, handler: Handler, enabled = true): void {
  const rt = useRealtime();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return;
    return rt.subscribe(pattern, (e: RealtimeEvent) => ref.current(e));
  }, [rt, pattern, enabled]);
}

/** Calls `refetch` when the server says events were missed (beyond its replay window). */
export function useResync(refetch: () => void): void {
  useRealtimeEvent('resync', () => refetch());
}

/** The connection state, re-rendering on changes. */
export function useConnectionState(): ConnectionState {
  const rt = useRealtime();
  return useSyncExternalStore(
    (cb) => rt.onState(cb),
    () => rt.state,
    () => rt.state,
  );
}
