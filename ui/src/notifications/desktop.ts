// Desktop (browser) notifications are a per-device choice, kept in
// localStorage; the browser's own permission is asked when turned on.

const KEY = 'nexus.notifications.desktop';

export function desktopSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function desktopEnabled(): boolean {
  try {
    return window.localStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

export function setDesktopEnabled(on: boolean): void {
  try {
    if (on) window.localStorage.setItem(KEY, 'on');
    else window.localStorage.removeItem(KEY);
  } catch {
    /* private mode: this page only */
  }
}
