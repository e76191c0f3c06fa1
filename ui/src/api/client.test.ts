import { afterEach, describe, expect, it, vi } from 'vitest';
import { auth, apiError, fakeServer, json, minji } from '../test/fakeServer';
import { ApiClient, ApiError, NetworkError, type LockManagerLike, type SessionEvent } from './client';

const clients: ApiClient[] = [];
function makeClient(server: ReturnType<typeof fakeServer>, extra: ConstructorParameters<typeof ApiClient>[0] = {}) {
  const c = new ApiClient({ fetch: server.fetch, locks: null, proactiveRefresh: false, ...extra });
  clients.push(c);
  return c;
}

afterEach(() => {
  clients.splice(0).forEach((c) => c.dispose());
  vi.useRealTimers();
});

/**
 * A fake server with one valid access token at a time. Each refresh issues
 * the next token ("t1", "t2", ...) and invalidates the previous one.
 */
function tokenServer(opts: { refreshFails?: boolean; refreshDelay?: Promise<void> } = {}) {
  let valid = 't0';
  let n = 0;
  const server = fakeServer(async (call) => {
    if (call.path === '/api/v1/auth/refresh') {
      if (opts.refreshDelay) await opts.refreshDelay;
      if (opts.refreshFails) return apiError(401, 'unauthorized', 'session expired');
      n += 1;
      valid = `t${n}`;
      return json(200, auth(valid));
    }
    if (call.path === '/api/v1/auth/login') return json(200, auth('t0'));
    if (call.authorization !== `Bearer ${valid}`) return apiError(401, 'unauthorized', 'invalid token');
    if (call.path === '/api/v1/me') return json(200, minji);
    if (call.path === '/api/v1/echo') return json(200, { ok: true, body: call.body });
    return apiError(404, 'not_found', 'no such route');
  });
  return {
    server,
    expire() {
      valid = 'nobody-has-this-token';
    },
  };
}

async function signedInClient(s: ReturnType<typeof tokenServer>, extra = {}) {
  const client = makeClient(s.server, extra);
  await client.login({ email: minji.email, password: 'correct horse' });
  return client;
}

describe('ApiClient authenticated requests', () => {
  it('sends the access token as a Bearer header', async () => {
    const s = tokenServer();
    const client = await signedInClient(s);
    expect(await client.me()).toEqual(minji);
    const me = s.server.calls.find((c) => c.path === '/api/v1/me');
    expect(me?.authorization).toBe('Bearer t0');
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(0);
  });

  it('on 401 refreshes once and retries the request with the new token', async () => {
    const s = tokenServer();
    const client = await signedInClient(s);
    s.expire();
    const user = await client.me();
    expect(user).toEqual(minji);
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(1);
    const meCalls = s.server.calls.filter((c) => c.path === '/api/v1/me');
    expect(meCalls.map((c) => c.authorization)).toEqual(['Bearer t0', 'Bearer t1']);
  });

  it('retries a request body unchanged after refreshing', async () => {
    const s = tokenServer();
    const client = await signedInClient(s);
    s.expire();
    const res = await client.request<{ ok: boolean; body: unknown }>('/api/v1/echo', { method: 'POST', body: { a: 1 } });
    expect(res).toEqual({ ok: true, body: { a: 1 } });
  });

  it('concurrent 401s share a single refresh', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = tokenServer({ refreshDelay: gate });
    const client = await signedInClient(s);
    s.expire();
    const pending = [client.me(), client.me(), client.request('/api/v1/echo'), client.me()];
    // Let every request reach the server and get its 401 before the refresh answers.
    await new Promise((r) => setTimeout(r, 10));
    release();
    const results = await Promise.all(pending);
    expect(results).toHaveLength(4);
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(1);
    const retried = s.server.calls.filter((c) => c.authorization === 'Bearer t1');
    expect(retried).toHaveLength(4);
  });

  it('when the refresh fails, the session ends and the call rejects with 401', async () => {
    const s = tokenServer({ refreshFails: true });
    const client = await signedInClient(s);
    const events: SessionEvent[] = [];
    client.onSession((e) => events.push(e));
    s.expire();

    const results = await Promise.allSettled([client.me(), client.me()]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(401);
    }
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(1);
    expect(client.signedIn).toBe(false);
    expect(client.user).toBeNull();
    expect(events).toEqual([{ user: null, reason: 'expired' }]);
  });

  it('does not loop: a 401 on the retry ends the session without a second refresh', async () => {
    const server = fakeServer((call) => {
      if (call.path === '/api/v1/auth/login') return json(200, auth('a'));
      if (call.path === '/api/v1/auth/refresh') return json(200, auth('b'));
      return apiError(401, 'unauthorized', 'nope');
    });
    const client = makeClient(server);
    await client.login({ email: minji.email, password: 'x' });
    await expect(client.me()).rejects.toMatchObject({ status: 401 });
    expect(server.count('POST', '/api/v1/auth/refresh')).toBe(1);
    expect(server.count('GET', '/api/v1/me')).toBe(2);
    expect(client.signedIn).toBe(false);
  });

  it('a request made while signed out restores the session first', async () => {
    const s = tokenServer();
    const client = makeClient(s.server);
    expect(await client.me()).toEqual(minji);
    expect(s.server.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/v1/auth/refresh', 'GET /api/v1/me']);
  });

  it('keeps the token in memory only', async () => {
    const s = tokenServer();
    await signedInClient(s);
    const stored = JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }) + document.cookie;
    expect(stored).not.toContain('t0');
  });
});

describe('ApiClient refresh', () => {
  it('serializes refreshes across tabs with the nexus-refresh Web Lock', async () => {
    const s = tokenServer();
    const order: string[] = [];
    const request = vi.fn(async (name: string, cb: () => Promise<unknown>) => {
      order.push(`lock:${name}`);
      const r = await cb();
      order.push('unlock');
      return r;
    });
    const locks = { request } as unknown as LockManagerLike;
    const client = makeClient(s.server, { locks });
    const user = await client.restore();
    expect(user).toEqual(minji);
    expect(request).toHaveBeenCalledTimes(1);
    expect(request.mock.calls[0]?.[0]).toBe('nexus-refresh');
    expect(order).toEqual(['lock:nexus-refresh', 'unlock']);
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(1);
  });

  it('restore resolves null when there is no session cookie', async () => {
    const server = fakeServer(() => apiError(401, 'unauthorized', 'no session'));
    const client = makeClient(server);
    expect(await client.restore()).toBeNull();
  });

  it('restore rejects with NetworkError when the server is unreachable, keeping no session', async () => {
    const client = makeClient({
      fetch: (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch,
      calls: [],
      count: () => 0,
    });
    await expect(client.restore()).rejects.toBeInstanceOf(NetworkError);
    expect(client.signedIn).toBe(false);
  });

  it('refreshes proactively before the access token expires', async () => {
    vi.useFakeTimers();
    const s = tokenServer();
    const client = makeClient(s.server, { proactiveRefresh: true });
    await client.login({ email: minji.email, password: 'x' }); // expires_in 900 s
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(0);
    await vi.advanceTimersByTimeAsync(800_000);
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000); // 820 s: 80 s before expiry
    expect(s.server.count('POST', '/api/v1/auth/refresh')).toBe(1);
    await client.me();
    expect(s.server.calls.at(-1)?.authorization).toBe('Bearer t1');
  });
});

describe('ApiClient errors and sign-out', () => {
  it('turns error bodies into ApiError with code, details and Retry-After', async () => {
    const server = fakeServer(() =>
      apiError(429, 'rate_limited', 'Too many attempts.', undefined, { 'Retry-After': '42' }),
    );
    const client = makeClient(server);
    const err = await client.login({ email: 'a@b.c', password: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 42, requestId: 'req-test' });
  });

  it('sends JSON with a Content-Type, and bodiless POSTs without one', async () => {
    const seen: { path: string; contentType: string | null; body: unknown }[] = [];
    const client = makeClient({
      fetch: (async (input: RequestInfo | URL, init: RequestInit = {}) => {
        seen.push({
          path: String(input),
          contentType: new Headers(init.headers).get('Content-Type'),
          body: init.body,
        });
        return String(input).endsWith('/logout') ? json(204) : json(200, auth('t'));
      }) as typeof fetch,
      calls: [],
      count: () => 0,
    });
    await client.login({ email: 'a@b.c', password: 'x' });
    await client.logout();
    expect(seen[0]).toEqual({
      path: '/api/v1/auth/login',
      contentType: 'application/json',
      body: JSON.stringify({ email: 'a@b.c', password: 'x' }),
    });
    expect(seen[1]).toEqual({ path: '/api/v1/auth/logout', contentType: null, body: undefined });
  });

  it('logout ends the session even when the server cannot be reached', async () => {
    let online = true;
    const client = makeClient({
      fetch: (async () => {
        if (!online) throw new TypeError('Failed to fetch');
        return json(200, auth('t'));
      }) as typeof fetch,
      calls: [],
      count: () => 0,
    });
    const events: SessionEvent[] = [];
    client.onSession((e) => events.push(e));
    await client.login({ email: 'a@b.c', password: 'x' });
    online = false;
    await expect(client.logout()).rejects.toBeInstanceOf(NetworkError);
    expect(client.signedIn).toBe(false);
    expect(events.at(-1)).toEqual({ user: null, reason: 'signedOut' });
  });

  it('a sign-out in another tab ends this tab’s session', async () => {
    const s = tokenServer();
    let deliver: ((ev: MessageEvent) => void) | null = null;
    const channel = {
      postMessage: vi.fn(),
      close: vi.fn(),
      set onmessage(fn: ((ev: MessageEvent) => void) | null) {
        deliver = fn;
      },
      get onmessage() {
        return deliver;
      },
    };
    const client = await signedInClient(s, { channel });
    expect(channel.postMessage).toHaveBeenCalledWith({ type: 'signed-in' });
    deliver!(new MessageEvent('message', { data: { type: 'signed-out' } }));
    expect(client.signedIn).toBe(false);
  });
});
