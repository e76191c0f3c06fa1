// Live updates from the realtime client (ui/src/realtime): document.* and
// space.* events refresh what is on screen when someone else changes it.
// Events carry ids only; the pages refetch through the API (which checks
// permissions again).

import { useRealtimeEvent, useResync, type RealtimeEvent } from '../realtime';

export interface KbEvent {
  type: string;
  documentId: string | null;
  spaceId: string | null;
  /** The user who made the change, when the event says. */
  actorId: string | null;
  /** A document's version after the change. */
  version: number | null;
}

const s = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function toKbEvent(e: RealtimeEvent): KbEvent {
  const data = e.data ?? {};
  const isDoc = e.type.startsWith('document.') || e.resource_type === 'document';
  return {
    type: e.type,
    documentId: s(data.document_id) ?? (isDoc ? (s(e.resource_id) ?? s(data.id)) : null),
    spaceId: s(data.space_id) ?? (e.resource_type === 'space' ? s(e.resource_id) : null) ?? (e.type.startsWith('space.') ? s(data.id) : null),
    actorId: s(data.actor_id) ?? s(data.user_id) ?? s(data.updated_by),
    version: typeof data.version === 'number' ? data.version : null,
  };
}

/** Calls `handler` for knowledge base events (and with type "resync" when events were missed). */
export function useKbEvents(handler: (e: KbEvent) => void): void {
  useRealtimeEvent('document.*', (e) => handler(toKbEvent(e)));
  useRealtimeEvent('space.*', (e) => handler(toKbEvent(e)));
  useResync(() => handler({ type: 'resync', documentId: null, spaceId: null, actorId: null, version: null }));
}
