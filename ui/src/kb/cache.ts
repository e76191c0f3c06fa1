// Small per-tab memory shared by the knowledge base pages.

/** Which space a document lives in (from trees and documents seen), so a document route can show its space at once. */
export const docSpace = new Map<string, string>();

type Listener = () => void;

let docSpaceVersion = 0;
const docSpaceListeners = new Set<Listener>();

/** Records where a document is; pages showing it in another space re-render. */
export function setDocSpace(docId: string, spaceId: string): void {
  if (docSpace.get(docId) === spaceId) return;
  const had = docSpace.has(docId);
  docSpace.set(docId, spaceId);
  if (had) {
    docSpaceVersion += 1;
    docSpaceListeners.forEach((l) => l());
  }
}

export function subscribeDocSpace(cb: Listener): () => void {
  docSpaceListeners.add(cb);
  return () => {
    docSpaceListeners.delete(cb);
  };
}

export const getDocSpaceVersion = () => docSpaceVersion;

/** The space the current page belongs to (the sidebar highlights it). */
let currentSpace: string | null = null;
const listeners = new Set<Listener>();

export function setCurrentSpace(id: string | null): void {
  if (currentSpace === id) return;
  currentSpace = id;
  listeners.forEach((l) => l());
}

export function getCurrentSpace(): string | null {
  return currentSpace;
}

export function subscribeCurrentSpace(cb: Listener): () => void {
  listeners.add(cb);
  return () => {
    listeners.delete(cb);
  };
}

/** Expanded tree nodes per space, remembered across visits on this device. */
export function loadExpanded(spaceId: string): Set<string> {
  try {
    const raw = window.localStorage.getItem(`nexus.kb.expanded.${spaceId}`);
    const list = raw ? (JSON.parse(raw) as unknown) : [];
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function saveExpanded(spaceId: string, ids: ReadonlySet<string>): void {
  try {
    window.localStorage.setItem(`nexus.kb.expanded.${spaceId}`, JSON.stringify([...ids].slice(0, 2000)));
  } catch {
    /* storage full or disabled */
  }
}
