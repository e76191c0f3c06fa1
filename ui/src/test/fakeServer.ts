import type { AuthResponse, User } from '../api/client';

// Helpers to stand in for the Nexus API in unit tests (fetch is the only
// boundary mocked; everything else is the real code).

export const minji: User = {
  id: '01934e7a-0000-7000-8000-000000000001',
  email: 'minji@example.com',
  name: 'Kim Minji',
  role: 'owner',
  status: 'active',
  language: '',
  timezone: '',
  mfa_enabled: false,
  version: 1,
  created_at: '2025-03-14T09:00:00Z',
  updated_at: '2025-03-14T09:00:00Z',
};

export function json(status: number, body?: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: { code, message, ...(details ? { details } : {}) }, request_id: 'req-test' }, headers);
}

export function auth(token: string, user: User = minji, expiresIn = 900): AuthResponse {
  return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, user };
}

export interface Call {
  method: string;
  path: string;
  /** The query string ("?a=b" or ""). */
  search: string;
  authorization: string | null;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

/** A programmable fake of the API: records every call and answers through `handler`. */
export function fakeServer(handler: Handler) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://nexus.test');
    const headers = new Headers(init.headers);
    const call: Call = {
      method: (init.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      search: url.search,
      authorization: headers.get('Authorization'),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    // Let concurrent callers interleave like real network I/O.
    await Promise.resolve();
    return handler(call);
  };
  return {
    calls,
    fetch: fetch as typeof globalThis.fetch,
    count: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path).length,
  };
}

/** A user as the API returns it, with defaults for the fields a test does not care about. */
export function makeUser(over: Partial<User> & Pick<User, 'id' | 'name' | 'email'>): User {
  return { ...minji, role: 'member', version: 1, ...over };
}

/**
 * A server where `user` already has a session cookie: setup is done, refresh
 * succeeds with token "t1", GET /me answers, and `routes` handles the rest
 * (return undefined for a 404).
 */
export function signedInServer(user: User, routes: (call: Call) => Response | undefined | Promise<Response | undefined> = () => undefined) {
  return fakeServer(async (call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return json(200, auth('t1', user));
    if (call.path === '/api/v1/auth/logout') return json(204);
    if (call.path === '/api/v1/me' && call.method === 'GET') return json(200, user);
    const res = await routes(call);
    return res ?? apiError(404, 'not_found', 'no route');
  });
}
