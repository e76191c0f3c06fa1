// The API client: talks to /api/v1, keeps the access token in memory only,
// and keeps the session alive through the HttpOnly refresh cookie.
//
// Rules (see the contract):
// - Any authenticated call that gets 401 triggers exactly one refresh and one
//   retry. If the refresh fails the session ends (listeners hear `null`).
// - Concurrent 401s share one in-flight refresh.
// - Refreshes are serialized across tabs with the Web Locks API
//   ('nexus-refresh'): the server treats a reused refresh token as theft and
//   revokes the session, so two tabs must never send the same cookie.
// - The token is refreshed proactively shortly before it expires.

export type Role = 'owner' | 'admin' | 'member' | 'guest';

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  /** '' follows the browser. */
  language: string;
  /** IANA zone, or '' for the browser's. */
  timezone: string;
  avatar_url?: string;
  mfa_enabled: boolean;
  deleted?: boolean;
  version: number;
  last_seen_at?: string;
  created_at: string;
  updated_at: string;
  /** Only on GET /me: an administrator requires MFA and this user has not enrolled. */
  mfa_enrollment_required?: boolean;
}

/** The password step of a sign-in: either signed in, or a second factor is needed. */
export type LoginResult =
  | { kind: 'signedIn'; user: User }
  | { kind: 'mfa'; token: string; methods: string[] };

export interface MfaChallengeResponse {
  mfa_required: true;
  mfa_token: string;
  methods?: string[];
}

export interface AuthResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  user: User;
}

export interface ErrorDetails {
  field?: string;
  [key: string]: unknown;
}

/** An error response from the server: HTTP status plus the {"error":{...}} body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails;
  /** Seconds from the Retry-After header, when the server sent one. */
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details: ErrorDetails = {},
    retryAfter: number | null = null,
    requestId: string | null = null,
  ) {
    super(message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

/** The server could not be reached at all (offline, server down, connection reset). */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network error');
    this.name = 'NetworkError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** Why a session ended: the user signed out (here or in another tab), or it expired / was revoked. */
export type SessionEndReason = 'signedOut' | 'expired';

export interface SessionEvent {
  user: User | null;
  reason?: SessionEndReason;
}

type Listener = (e: SessionEvent) => void;

export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

interface ChannelLike {
  postMessage(msg: unknown): void;
  close(): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Web Locks for cross-tab refresh serialization; null disables it. Default: navigator.locks. */
  locks?: LockManagerLike | null;
  /** Cross-tab sign-in/sign-out notices; null disables it. Default: none. */
  channel?: ChannelLike | null;
  /** Proactive refresh; disable in tests that control time themselves. */
  proactiveRefresh?: boolean;
}

export interface RequestOptions {
  method?: string;
  /** JSON-encoded, unless it is FormData (sent as multipart/form-data). */
  body?: unknown;
  signal?: AbortSignal;
}

/** The reason the server gives (403) when a session must enrol in MFA before anything else. */
export const MFA_ENROLLMENT_REQUIRED = 'mfa_enrollment_required';

const REFRESH_LOCK = 'nexus-refresh';
/** Refresh this long before the access token expires (capped at half its lifetime). */
const REFRESH_MARGIN_MS = 90_000;
/** After a failed proactive refresh (e.g. offline), try again after this long. */
const RETRY_AFTER_FAILURE_MS = 20_000;

function defaultLocks(): LockManagerLike | null {
  if (typeof navigator === 'undefined') return null;
  const locks = (navigator as Navigator & { locks?: LockManagerLike }).locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return null;
}

async function toApiError(res: Response): Promise<ApiError> {
  let code = 'internal';
  let message = '';
  let details: ErrorDetails = {};
  let requestId: string | null = null;
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: ErrorDetails };
      request_id?: string;
    };
    if (body && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? '';
      details = body.error.details ?? {};
    }
    requestId = body?.request_id ?? null;
  } catch {
    // Not JSON (e.g. a proxy error page): keep the status only.
  }
  return new ApiError(res.status, code, message, details, parseRetryAfter(res.headers.get('Retry-After')), requestId);
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly locks: LockManagerLike | null;
  private readonly channel: ChannelLike | null;
  private readonly proactive: boolean;

  private accessToken: string | null = null;
  private currentUser: User | null = null;
  private enrollment: boolean | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private expiresAt = 0;
  private readonly listeners = new Set<Listener>();
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible' && this.accessToken && Date.now() > this.expiresAt - REFRESH_MARGIN_MS) {
      void this.refresh().catch(() => undefined);
    }
  };

  constructor(opts: ApiClientOptions = {}) {
    this.baseUrl = opts.baseUrl ?? '';
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.locks = opts.locks === undefined ? defaultLocks() : opts.locks;
    this.channel = opts.channel ?? null;
    this.proactive = opts.proactiveRefresh ?? true;
    if (this.channel) {
      this.channel.onmessage = (ev: MessageEvent) => this.onChannelMessage(ev.data);
    }
    if (this.proactive && typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this.onVisible);
    }
  }

  /** Stops timers and listeners (tests, hot reload). */
  dispose(): void {
    this.clearTimer();
    this.channel?.close();
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisible);
    this.listeners.clear();
  }

  get user(): User | null {
    return this.currentUser;
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** Subscribe to session changes; returns an unsubscribe function. */
  onSession(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- public endpoints -------------------------------------------------

  async setupStatus(): Promise<{ needed: boolean }> {
    return this.json<{ needed: boolean }>(await this.send('/api/v1/setup', { method: 'GET' }, null));
  }

  async setup(input: { email: string; name: string; password: string }): Promise<User> {
    return this.adopt(await this.publicJson<AuthResponse>('/api/v1/setup', { method: 'POST', body: input }));
  }

  /** The password step. With MFA on, the server answers with a challenge instead of a session. */
  async login(input: { email: string; password: string }): Promise<LoginResult> {
    const res = await this.send('/api/v1/auth/login', { method: 'POST', body: input }, null);
    const body = await this.json<AuthResponse | MfaChallengeResponse>(res);
    if ('mfa_required' in body && body.mfa_required) {
      return { kind: 'mfa', token: body.mfa_token, methods: body.methods ?? ['totp', 'recovery_code'] };
    }
    return { kind: 'signedIn', user: this.adopt(body as AuthResponse) };
  }

  /** The second step of an MFA sign-in: a TOTP code or a recovery code. */
  async loginMfa(input: { mfa_token: string; code?: string; recovery_code?: string }): Promise<User> {
    return this.adopt(await this.publicJson<AuthResponse>('/api/v1/auth/mfa', { method: 'POST', body: input }));
  }

  /** Self-registration (when the workspace allows it); signs the new account in. */
  async register(input: { email: string; name: string; password: string }): Promise<User> {
    return this.adopt(await this.publicJson<AuthResponse>('/api/v1/auth/register', { method: 'POST', body: input }));
  }

  /** Accepts an invitation: creates the account and signs it in. */
  async acceptInvitation(token: string, input: { name: string; password: string }): Promise<User> {
    const path = `/api/v1/invitations/${encodeURIComponent(token)}/accept`;
    return this.adopt(await this.publicJson<AuthResponse>(path, { method: 'POST', body: input }));
  }

  /** A call that needs no session (sign-in options, password reset, invitations). */
  async publicJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.json<T>(await this.send(path, opts, null));
  }

  /**
   * null until known; true when the server says this session must enrol in
   * MFA first (GET /me, or a 403 with reason mfa_enrollment_required).
   */
  get mfaEnrollmentRequired(): boolean | null {
    return this.enrollment;
  }

  /** Marks enrolment as done (or needed) and tells listeners. */
  setMfaEnrollmentRequired(required: boolean): void {
    if (this.enrollment === required) return;
    this.enrollment = required;
    if (this.currentUser) this.emit({ user: this.currentUser });
  }

  /**
   * Restores the session from the refresh cookie (page load).
   * Resolves to the user, or null when there is no valid session.
   * Rejects with NetworkError / ApiError when the server can't answer.
   */
  async restore(): Promise<User | null> {
    const ok = await this.refresh();
    return ok ? this.currentUser : null;
  }

  /** Signs out on the server and ends the local session, even if the server can't be reached. */
  async logout(): Promise<void> {
    const token = this.accessToken;
    try {
      const res = await this.send('/api/v1/auth/logout', { method: 'POST' }, token);
      if (!res.ok && res.status !== 401) throw await toApiError(res);
    } finally {
      this.endSession('signedOut');
      this.channel?.postMessage({ type: 'signed-out' });
    }
  }

  /** GET /api/v1/me */
  async me(signal?: AbortSignal): Promise<User> {
    const user = await this.request<User>('/api/v1/me', { signal });
    if (this.accessToken) {
      this.enrollment = user.mfa_enrollment_required === true;
      this.currentUser = user;
      this.emit({ user });
    }
    return user;
  }

  /** Replaces the signed-in user after an update the server answered with the new user (PATCH /me, avatar…). */
  updateUser(user: User): void {
    if (!this.accessToken || !this.currentUser || user.id !== this.currentUser.id) return;
    this.currentUser = { ...user, mfa_enrollment_required: this.currentUser.mfa_enrollment_required };
    this.emit({ user: this.currentUser });
  }

  // ---- authenticated requests --------------------------------------------

  /**
   * An authenticated JSON request. A 401 leads to exactly one refresh (shared
   * with any other caller that is refreshing) and one retry.
   */
  async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.json<T>(await this.fetchAuthed(path, opts));
  }

  /** An authenticated download (e.g. a CSV export or an avatar): the body as a Blob plus the file name the server suggests. */
  async blob(path: string, opts: RequestOptions = {}): Promise<{ blob: Blob; filename: string | null }> {
    const res = await this.fetchAuthed(path, opts);
    if (!res.ok) throw await this.toError(res);
    const disposition = res.headers.get('Content-Disposition') ?? '';
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    const plain = /filename="?([^";]+)"?/i.exec(disposition);
    let filename: string | null = null;
    try {
      filename = star?.[1] ? decodeURIComponent(star[1]) : (plain?.[1] ?? null);
    } catch {
      filename = plain?.[1] ?? null;
    }
    return { blob: await res.blob(), filename };
  }

  /** Sends with the access token; a 401 leads to one (shared) refresh and one retry. */
  private async fetchAuthed(path: string, opts: RequestOptions): Promise<Response> {
    let token = this.accessToken;
    if (!token) {
      if (!(await this.refresh())) throw new ApiError(401, 'unauthorized', 'not signed in');
      token = this.accessToken;
    }
    let res = await this.send(path, opts, token);
    if (res.status === 401) {
      // If another call already refreshed while this one was in flight, just
      // retry with the newer token; otherwise refresh (once, shared).
      const newer = this.accessToken !== null && this.accessToken !== token;
      if (!newer && !(await this.refresh())) {
        throw await toApiError(res);
      }
      res = await this.send(path, opts, this.accessToken);
      if (res.status === 401) {
        // A brand-new token was refused: the session is gone.
        this.endSession('expired');
      }
    }
    return res;
  }

  /**
   * Refreshes the access token with the refresh cookie. Concurrent callers in
   * this tab share one request; across tabs the Web Lock serializes them.
   * Resolves true on success, false when the session is gone (and ends it).
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      const run = () => this.doRefresh();
      const p = this.locks ? this.locks.request(REFRESH_LOCK, run) : run();
      this.refreshing = p.finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  // ---- internals ----------------------------------------------------------

  private async doRefresh(): Promise<boolean> {
    const res = await this.send('/api/v1/auth/refresh', { method: 'POST' }, null);
    if (res.ok) {
      this.startSession(await this.json<AuthResponse>(res));
      return true;
    }
    if (res.status === 401) {
      this.endSession('expired');
      return false;
    }
    throw await toApiError(res);
  }

  private async send(path: string, opts: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | FormData | undefined;
    if (typeof FormData !== 'undefined' && opts.body instanceof FormData) {
      // The browser sets multipart/form-data with its boundary.
      body = opts.body;
    } else if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await this.fetchImpl(this.baseUrl + path, {
        method: opts.method ?? 'GET',
        headers,
        body,
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new NetworkError(err);
    }
  }

  /** Turns an error response into an ApiError, noting a required MFA enrolment on the way. */
  private async toError(res: Response): Promise<ApiError> {
    const err = await toApiError(res);
    if (err.status === 403 && err.details.reason === MFA_ENROLLMENT_REQUIRED && this.accessToken) {
      this.setMfaEnrollmentRequired(true);
    }
    return err;
  }

  private async json<T>(res: Response): Promise<T> {
    if (!res.ok) throw await this.toError(res);
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new ApiError(res.status, 'internal', 'invalid JSON from server', {}, null, null);
    }
  }

  /** Starts a session from a sign-in response (this tab) and tells the other tabs. */
  private adopt(auth: AuthResponse): User {
    this.startSession(auth);
    this.channel?.postMessage({ type: 'signed-in' });
    return auth.user;
  }

  private startSession(auth: AuthResponse): void {
    const sameUser = this.currentUser !== null && this.currentUser.id === auth.user.id && this.accessToken !== null;
    if (!sameUser) this.enrollment = null;
    this.accessToken = auth.access_token;
    // A refresh returns the plain user; keep what GET /me added.
    this.currentUser = sameUser
      ? { ...auth.user, mfa_enrollment_required: this.currentUser?.mfa_enrollment_required }
      : auth.user;
    const lifetimeMs = Math.max(1, auth.expires_in) * 1000;
    this.expiresAt = Date.now() + lifetimeMs;
    this.schedule(Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2));
    this.emit({ user: this.currentUser });
  }

  private endSession(reason: SessionEndReason): void {
    const had = this.accessToken !== null;
    this.accessToken = null;
    this.currentUser = null;
    this.enrollment = null;
    this.expiresAt = 0;
    this.clearTimer();
    // Tell listeners even if nothing was signed in, so a failed restore is visible too.
    this.emit({ user: null, reason: had ? reason : undefined });
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (!this.proactive) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh().catch(() => {
        // Offline or server error: keep the session and try again later; a
        // request made meanwhile will still refresh on 401.
        if (this.accessToken) this.schedule(RETRY_AFTER_FAILURE_MS);
      });
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private emit(e: SessionEvent): void {
    this.listeners.forEach((l) => l(e));
  }

  private onChannelMessage(data: unknown): void {
    const type = (data as { type?: string } | null)?.type;
    if (type === 'signed-out' && this.accessToken) {
      // Another tab signed out; the cookie is gone, so end this tab's session too.
      this.endSession('signedOut');
    } else if (type === 'signed-in') {
      // Another tab signed in: adopt the new session (refresh is lock-serialized).
      void this.refresh().catch(() => undefined);
    }
  }
}
