import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiClient, ApiError, type LoginResult, type SessionEndReason, type User } from '../api/client';
import { setLanguage } from '../i18n';

export type AuthStatus = 'booting' | 'unreachable' | 'setup' | 'signedOut' | 'signedIn';

/** Whether the signed-in session must enrol in MFA before anything else ('unknown' until GET /me answered). */
export type EnrollmentState = 'unknown' | 'required' | 'ok';

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  enrollment: EnrollmentState;
  /** Why the last session ended, to explain it on the sign-in page. */
  endReason: SessionEndReason | null;
  client: ApiClient;
  /** Re-runs the start-up checks (setup needed? session cookie?). */
  boot: () => Promise<void>;
  setup: (input: { email: string; name: string; password: string }) => Promise<void>;
  login: (input: { email: string; password: string }) => Promise<LoginResult>;
  logout: () => Promise<void>;
  /** Leave the setup page for the sign-in page (setup was completed elsewhere). */
  showSignIn: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

function enrollmentOf(client: ApiClient): EnrollmentState {
  const v = client.mfaEnrollmentRequired;
  return v === null ? 'unknown' : v ? 'required' : 'ok';
}

/** Applies the account's saved language, if it has one ('' follows the browser). */
function applyUserLanguage(user: User) {
  if (user.language === 'en' || user.language === 'ko') setLanguage(user.language);
}

export function AuthProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('booting');
  const [user, setUser] = useState<User | null>(client.user);
  const [enrollment, setEnrollment] = useState<EnrollmentState>(enrollmentOf(client));
  const [endReason, setEndReason] = useState<SessionEndReason | null>(null);
  const bootRun = useRef<Promise<void> | null>(null);
  const checking = useRef<string | null>(null);

  useEffect(
    () =>
      client.onSession(({ user: u, reason }) => {
        setUser(u);
        setEnrollment(enrollmentOf(client));
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

  // Once per session: ask GET /me whether MFA enrolment is required (the
  // sign-in response does not say), and apply the account's language.
  useEffect(() => {
    if (status !== 'signedIn' || !user || enrollment !== 'unknown') return;
    if (checking.current === user.id) return;
    checking.current = user.id;
    client.me().then(
      (me) => {
        checking.current = null;
        applyUserLanguage(me);
      },
      (err: unknown) => {
        checking.current = null;
        // Can't tell (e.g. offline): carry on; a 403 from any later call still routes to enrolment.
        if (!(err instanceof ApiError && err.status === 401) && client.mfaEnrollmentRequired === null && client.signedIn) {
          client.setMfaEnrollmentRequired(false);
        }
      },
    );
  }, [client, status, user, enrollment]);

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

  const login = useCallback((input: { email: string; password: string }) => client.login(input), [client]);

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
    () => ({ status, user, enrollment, endReason, client, boot, setup, login, logout, showSignIn }),
    [status, user, enrollment, endReason, client, boot, setup, login, logout, showSignIn],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The signed-in user (only inside the app frame, where there always is one). */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}
