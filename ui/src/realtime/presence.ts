// Tells the server when this tab's user is away: the tab is hidden, or nobody
// has touched it for a while. The server combines tabs (a user is online while
// any tab says so) and broadcasts presence; see docs/realtime.md.

export interface PresenceTarget {
  setPresence(status: 'online' | 'away'): void;
}

const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

/** Idle after 5 minutes without input, like most chat apps. */
export const IDLE_MS = 5 * 60_000;

/**
 * Starts watching visibility and input; returns the function that stops it.
 * `now` and the check interval are injectable for tests.
 */
export function trackPresence(
  target: PresenceTarget,
  env: { window: Window; document: Document },
  { idleMs = IDLE_MS, checkEveryMs = 15_000, now = () => Date.now() }: { idleMs?: number; checkEveryMs?: number; now?: () => number } = {},
): () => void {
  let lastActive = now();
  const update = () => {
    const hidden = env.document.visibilityState === 'hidden';
    target.setPresence(hidden || now() - lastActive >= idleMs ? 'away' : 'online');
  };
  const onActivity = () => {
    const wasIdle = now() - lastActive >= idleMs;
    lastActive = now();
    if (wasIdle) update();
  };
  const onVisibility = () => {
    if (env.document.visibilityState === 'visible') lastActive = now();
    update();
  };
  for (const type of ACTIVITY) env.window.addEventListener(type, onActivity, { passive: true, capture: true });
  env.document.addEventListener('visibilitychange', onVisibility);
  const timer = setInterval(update, checkEveryMs);
  update();
  return () => {
    for (const type of ACTIVITY) env.window.removeEventListener(type, onActivity, { capture: true });
    env.document.removeEventListener('visibilitychange', onVisibility);
    clearInterval(timer);
  };
}
