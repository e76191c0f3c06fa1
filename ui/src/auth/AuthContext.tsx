import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiClient, type SessionEndReason, type User } from '../api/client';

export type AuthStatus = 'booting' | 'unreachable' | 'setup' | 'signedOut' | 'signedIn';

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  /** Why the last session ended, to explain it on the sign-in page. */
  endReason: SessionEndReason | null;
  client: ApiClient;
  /** Re-runs the start-up checks (setup needed? session cookie?). */
  boot: () => Promise<void>;
  setup: (input: { email: string; name: string; password: string }) => Promise<void>;
  login: (input: { email: string; password: string }) => Promise<void>;
  logout: () => Promise<void>;
  /** Leave the setup page for the sign-in page (setup was completed elsewhere). */
  showSignIn: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('booting');
  const [user, setUser] = useState<User | null>(client.user);
  const [endReason, setEndReason] = useState<SessionEndReason | null>(null);
  const bootRun = useRef<Promise<void> | null>(null);

  useEffect(
    () =>
      client.onSession(({ user: u, reason }) => {
        setUser(u);
        if (u) {
          setEndReason(null);
          setStatus('signedIn');
        } else {
          if (reason) setEndReason(reason);
          setStatus((s) => (s === 'setup' || s === 'booting' || s === 'unreachable' ? s : 'signedOut'));
        }
      }),
    [client],
  );

  const boot = useCallback((): Promise<void> => {
    // Shared while running, so a double-mounted effect never refreshes twice.
    if (bootRun.current) return bootRun.current;
    const run = (async () => {
      setStatus('booting');
      try {
        const { needed } = await client.setupStatus();
        if (needed) {
          setStatus('setup');
          return;
        }
        const u = await client.restore();
        setUser(u);
        setStatus(u ? 'signedIn' : 'signedOut');
      } catch {
        setStatus('unreachable');
      }
    })();
    bootRun.current = run.finally(() => {
      bootRun.current = null;
    });
    return bootRun.current;
  }, [client]);

  useEffect(() => {
    if (client.signedIn) {
      setStatus('signedIn');
      return;
    }
    void boot();
  }, [boot, client]);

  const setup = useCallback(
    async (input: { email: string; name: string; password: string }) => {
      await client.setup(input);
    },
    [client],
  );

  const login = useCallback(
    async (input: { email: string; password: string }) => {
      await client.login(input);
    },
    [client],
  );

  const logout = useCallback(async () => {
    try {
      await client.logout();
    } catch {
      // The local session is already gone; nothing else to do.
    }
    setEndReason(null);
    setStatus('signedOut');
  }, [client]);

  const showSignIn = useCallback(() => {
    setEndReason(null);
    setStatus('signedOut');
  }, []);

  const value = useMemo<AuthState>(
    () => ({ status, user, endReason, client, boot, setup, login, logout, showSignIn }),
    [status, user, endReason, client, boot, setup, login, logout, showSignIn],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
