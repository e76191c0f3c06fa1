// Autosave of the server-side draft while editing. Every change restarts a
// short timer; when typing pauses, the latest text is PUT. Saves never
// overlap (a change during a save is sent right after it), a failed save is
// retried with backoff, and flush() sends whatever is pending at once (before
// publishing, leaving the page or hiding the tab). A copy of unsaved text
// also goes to localStorage, so even a crash before the first save loses
// nothing on this device.

import type { Draft } from './api';

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export interface AutosaveOptions {
  save: (draft: Draft) => Promise<unknown>;
  /** Pause after the last change before saving. */
  delay?: number;
  /** Key for the local safety copy; null disables it. */
  localKey?: string | null;
  onState?: (state: SaveState, savedAt: number | null) => void;
  now?: () => number;
}

const RETRY_MS = [2_000, 5_000, 15_000, 30_000];

export class DraftAutosave {
  private readonly save: (draft: Draft) => Promise<unknown>;
  private readonly delay: number;
  private readonly localKey: string | null;
  private readonly onState: (state: SaveState, savedAt: number | null) => void;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: Draft | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private disposed = false;
  private suspended = false;
  state: SaveState = 'idle';
  savedAt: number | null = null;

  constructor(opts: AutosaveOptions) {
    this.save = opts.save;
    this.delay = opts.delay ?? 800;
    this.localKey = opts.localKey ?? null;
    this.onState = opts.onState ?? (() => undefined);
    this.now = opts.now ?? Date.now;
  }

  /** Records a change; it is saved once changes pause for `delay` ms. */
  update(draft: Draft): void {
    if (this.disposed) return;
    this.pending = draft;
    this.writeLocal(draft);
    this.set('pending');
    if (!this.suspended) this.schedule(this.delay);
  }

  /**
   * Holds automatic saves (while publishing: a draft saved after the
   * publish would bring back a draft the server just cleared). Changes are
   * still recorded; resume() saves them.
   */
  suspend(): void {
    this.suspended = true;
    this.clearTimer();
  }

  resume(): void {
    this.suspended = false;
    if (this.pending && !this.disposed) this.schedule(this.delay);
  }

  /** Saves any pending change now; resolves when nothing is left to save (or the save failed). */
  async flush(): Promise<void> {
    this.clearTimer();
    // Wait for a save in flight, then send what arrived meanwhile.
    while (this.inFlight) await this.inFlight;
    if (this.pending) await this.run();
  }

  /** True while a change has not reached the server. */
  get dirty(): boolean {
    return this.pending !== null || this.inFlight !== null;
  }

  /** Stops timers; pending text stays in the local copy. */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  /** Forgets pending changes and the local copy (after publishing or discarding). */
  reset(): void {
    this.clearTimer();
    this.pending = null;
    this.failures = 0;
    this.clearLocal();
    this.set('idle');
  }

  private schedule(ms: number) {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.inFlight || this.suspended) return; // run() re-schedules when the save in flight ends
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    const draft = this.pending;
    if (!draft || this.inFlight) return;
    this.pending = null;
    this.set('saving');
    const attempt = (async () => {
      try {
        await this.save(draft);
        this.failures = 0;
        this.savedAt = this.now();
        if (!this.pending) {
          this.clearLocal();
          this.set('saved');
        }
      } catch {
        // Keep the text: a newer change wins, else retry this one.
        if (!this.pending) this.pending = draft;
        this.failures += 1;
        this.set('error');
        if (!this.disposed) this.schedule(RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)] as number);
      }
    })();
    this.inFlight = attempt;
    await attempt;
    this.inFlight = null;
    if (this.pending && this.state !== 'error' && !this.disposed && !this.suspended) {
      this.set('pending');
      this.schedule(this.delay);
    }
  }

  private set(state: SaveState) {
    this.state = state;
    this.onState(state, this.savedAt);
  }

  private clearTimer() {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private writeLocal(draft: Draft) {
    if (!this.localKey) return;
    try {
      window.localStorage.setItem(this.localKey, JSON.stringify({ ...draft, saved_locally_at: this.now() }));
    } catch {
      // Storage full or disabled: the server copy is still coming.
    }
  }

  private clearLocal() {
    if (!this.localKey) return;
    try {
      window.localStorage.removeItem(this.localKey);
    } catch {
      /* ignore */
    }
  }
}

export const localDraftKey = (docId: string, userId: string) => `nexus.kb.draft.${userId}.${docId}`;

/** The unsaved local copy of a draft, if this device has one. */
export function readLocalDraft(key: string): (Draft & { saved_locally_at: number }) | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as Draft & { saved_locally_at?: number };
    if (typeof v.body !== 'string' || typeof v.title !== 'string') return null;
    return { ...v, saved_locally_at: typeof v.saved_locally_at === 'number' ? v.saved_locally_at : 0 };
  } catch {
    return null;
  }
}

export function clearLocalDraft(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    /* ignore */
  }
}
