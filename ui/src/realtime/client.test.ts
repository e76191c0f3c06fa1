import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealtimeClient, TicketError, backoffDelay, matches, type SocketLike } from './client';
import { trackPresence } from './presence';

/** A scriptable stand-in for a browser WebSocket. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  // server side
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  frame(f: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(f) }));
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

function setup(opts: { ticket?: () => Promise<string> } = {}) {
  const sockets: FakeSocket[] = [];
  let tickets = 0;
  const rt = new RealtimeClient({
    ticket: opts.ticket ?? (async () => `t${++tickets}`),
    url: (t, seq) => `ws://nexus.test/api/v1/ws?ticket=${t}${seq ? `&last_seq=${seq}` : ''}`,
    socket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: () => 0.5,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    pingIntervalMs: 0,
    environment: null,
  });
  const states: string[] = [];
  rt.onState((s) => states.push(s));
  const last = () => sockets[sockets.length - 1]!;
  return { rt, sockets, last, states };
}

/** Lets the ticket promise resolve and the socket be created. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('matches', () => {
  it.each([
    ['message.created', 'message.created', true],
    ['message.*', 'message.created', true],
    ['message.', 'message.deleted', true],
    ['message.*', 'messages.created', false],
    ['*', 'typing', true],
    ['channel.updated', 'channel.created', false],
  ])('%s ~ %s → %s', (pattern, type, want) => {
    expect(matches(pattern, type)).toBe(want);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 0.999999)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(2000);
    expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, 500, 30_000, () => 0.5)).toBe(22_500);
    expect(backoffDelay(100, 500, 30_000, () => 1)).toBe(30_000);
  });
});

describe('RealtimeClient', () => {
  it('connects with a ticket and adopts the server’s sequence from hello', async () => {
    const { rt, last, states } = setup();
    rt.start();
    await flush();
    expect(last().url).toBe('ws://nexus.test/api/v1/ws?ticket=t1');
    last().open();
    // First connection: nothing to resume.
    expect(last().sent).toEqual([]);
    last().frame({ type: 'hello', user_id: 'u1', seq: 41 });
    expect(rt.state).toBe('online');
    expect(rt.lastSeq).toBe(41);
    expect(states).toEqual(['connecting', 'online']);
  });

  it('delivers events to exact and prefix subscribers, and drops duplicates', async () => {
    const { rt, last } = setup();
    const exact = vi.fn();
    const prefix = vi.fn();
    const all = vi.fn();
    rt.subscribe('message.created', exact);
    rt.subscribe('message.*', prefix);
    const off = rt.subscribe('*', all);
    rt.start();
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 10 });
    last().frame({ seq: 11, type: 'message.created', data: { id: 'm1' } });
    last().frame({ seq: 11, type: 'message.created', data: { id: 'm1' } }); // redelivered
    last().frame({ seq: 9, type: 'message.updated', data: { id: 'm0' } }); // old
    last().frame({ seq: 12, type: 'message.deleted', data: { id: 'm1' } });
    off();
    last().frame({ type: 'typing', channel_id: 'c1', user_id: 'u2' });
    expect(exact).toHaveBeenCalledTimes(1);
    expect(exact.mock.calls[0]![0]).toMatchObject({ seq: 11, data: { id: 'm1' } });
    expect(prefix.mock.calls.map((c) => c[0].seq)).toEqual([11, 12]);
    expect(all.mock.calls.map((c) => c[0].type)).toEqual(['hello', 'message.created', 'message.deleted']);
    expect(rt.lastSeq).toBe(12);
  });

  it('reconnects after a drop with backoff and a fresh ticket, resuming from the last sequence', async () => {
    const { rt, sockets, last, states } = setup();
    rt.start();
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 5 });
    last().frame({ seq: 6, type: 'message.created', data: {} });

    last().drop();
    expect(rt.state).toBe('offline');
    // attempt 0: 500 ms cap, jitter 0.5 → 375 ms
    await vi.advanceTimersByTimeAsync(374);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(sockets).toHaveLength(2);
    // Resuming after the last event seen, so the server replays before anything live.
    expect(last().url).toBe('ws://nexus.test/api/v1/ws?ticket=t2&last_seq=6');
    last().open();
    expect(last().sent).toEqual([]);
    last().frame({ type: 'hello', seq: 9 });
    // Missed events are replayed after the resume.
    const seen: number[] = [];
    rt.subscribe('*', (e) => e.seq && seen.push(e.seq));
    last().frame({ seq: 7, type: 'message.created', data: {} });
    last().frame({ seq: 8, type: 'message.created', data: {} });
    expect(seen).toEqual([7, 8]);
    expect(rt.lastSeq).toBe(8);
    expect(states).toEqual(['connecting', 'online', 'offline', 'online']);
  });

  it('waits longer after each failed attempt, and starts over once connected', async () => {
    const { rt, sockets, last } = setup();
    rt.start();
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 1 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      last().drop();
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before) {
        await vi.advanceTimersByTimeAsync(25);
        await flush();
        waited += 25;
      }
      delays.push(waited);
    }
    // 375, 750, 1500, 3000 (rounded up to the 25 ms steps)
    expect(delays).toEqual([375, 750, 1500, 3000]);
    last().open();
    last().frame({ type: 'hello', seq: 1 });
    last().drop();
    const before = sockets.length;
    await vi.advanceTimersByTimeAsync(375);
    await flush();
    expect(sockets.length).toBe(before + 1);
  });

  it('keeps retrying when the ticket cannot be had, and stops when the session is gone', async () => {
    let mode: 'fail' | 'ok' | 'gone' = 'fail';
    let n = 0;
    const { rt, sockets, states } = setup({
      ticket: async () => {
        if (mode === 'fail') throw new TicketError('failed');
        if (mode === 'gone') throw new TicketError('unauthorized');
        return `t${++n}`;
      },
    });
    rt.start();
    await flush();
    expect(sockets).toHaveLength(0);
    expect(rt.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(375);
    await flush();
    await vi.advanceTimersByTimeAsync(750);
    await flush();
    // The first connection has failed three times: tell the user.
    expect(rt.state).toBe('offline');
    mode = 'gone';
    await vi.advanceTimersByTimeAsync(1500);
    await flush();
    expect(rt.state).toBe('idle');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(0);
    expect(states).toEqual(['connecting', 'offline', 'idle']);
  });

  it('passes resync on to subscribers so they refetch', async () => {
    const { rt, last } = setup();
    const refetch = vi.fn();
    rt.onResync(refetch);
    rt.start();
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 3 });
    last().drop();
    await vi.advanceTimersByTimeAsync(400);
    await flush();
    expect(last().url).toContain('last_seq=3');
    last().open();
    last().frame({ type: 'hello', seq: 900 });
    last().frame({ type: 'resync', seq: 900 });
    expect(refetch).toHaveBeenCalledTimes(1);
    expect(rt.state).toBe('online');
    // The next resume starts from the server's position.
    expect(rt.lastSeq).toBe(900);
  });

  it('asks for a resync when the server’s history is behind what this tab saw (restored backup)', async () => {
    const { rt, last } = setup();
    const refetch = vi.fn();
    rt.onResync(refetch);
    rt.start();
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 100 });
    last().drop();
    await vi.advanceTimersByTimeAsync(400);
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 20 });
    expect(refetch).toHaveBeenCalledTimes(1);
    expect(rt.lastSeq).toBe(20);
    last().frame({ seq: 21, type: 'message.created', data: {} });
    expect(rt.lastSeq).toBe(21);
  });

  it('throttles typing frames per channel and thread', async () => {
    const { rt, last } = setup();
    rt.start();
    await flush();
    last().open();
    rt.typing('c1', null, 1000);
    rt.typing('c1', null, 2000);
    rt.typing('c2', null, 2000);
    rt.typing('c1', 'root', 2100);
    rt.typing('c1', null, 4000);
    expect(last().sent).toEqual([
      { type: 'typing', channel_id: 'c1' },
      { type: 'typing', channel_id: 'c2' },
      { type: 'typing', channel_id: 'c1', parent_id: 'root' },
      { type: 'typing', channel_id: 'c1' },
    ]);
  });

  it('sends presence changes once, and repeats "away" after a reconnect', async () => {
    const { rt, last } = setup();
    rt.start();
    await flush();
    last().open();
    rt.setPresence('away');
    rt.setPresence('away');
    expect(last().sent).toEqual([{ type: 'presence', status: 'away' }]);
    last().drop();
    await vi.advanceTimersByTimeAsync(400);
    await flush();
    last().open();
    expect(last().sent).toEqual([{ type: 'presence', status: 'away' }]);
    rt.setPresence('online');
    expect(last().sent[1]).toEqual({ type: 'presence', status: 'online' });
  });

  it('stop closes the socket and cancels reconnecting', async () => {
    const { rt, sockets, last } = setup();
    rt.start();
    await flush();
    last().open();
    last().frame({ type: 'hello', seq: 1 });
    const s = last();
    rt.stop();
    expect(s.closed).toBe(true);
    expect(rt.state).toBe('idle');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('replaces a connection that stopped answering pings', async () => {
    const sockets: FakeSocket[] = [];
    const rt = new RealtimeClient({
      ticket: async () => 't',
      url: () => 'ws://x',
      socket: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s;
      },
      random: () => 0,
      pingIntervalMs: 10_000,
      silenceTimeoutMs: 25_000,
      environment: null,
    });
    rt.start();
    await flush();
    sockets[0]!.open();
    sockets[0]!.frame({ type: 'hello', seq: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets[0]!.sent).toEqual([{ type: 'ping' }]);
    sockets[0]!.frame({ type: 'pong' });
    // Now silent for longer than the timeout.
    await vi.advanceTimersByTimeAsync(40_000);
    expect(sockets[0]!.closed).toBe(true);
    expect(rt.state).toBe('offline');
    await vi.advanceTimersByTimeAsync(300);
    await flush();
    expect(sockets).toHaveLength(2);
  });
});

describe('trackPresence', () => {
  it('reports away when hidden or idle, and online on return', () => {
    let now = 0;
    let visibility: DocumentVisibilityState = 'visible';
    const doc = document;
    vi.spyOn(doc, 'visibilityState', 'get').mockImplementation(() => visibility);
    const calls: string[] = [];
    const stop = trackPresence({ setPresence: (s) => calls.push(s) }, { window, document: doc }, { idleMs: 60_000, checkEveryMs: 1_000, now: () => now });
    expect(calls).toEqual(['online']);
    visibility = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    visibility = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    now = 61_000;
    vi.advanceTimersByTime(1_000);
    expect(calls.slice(1)).toEqual(['away', 'online', 'away']);
    window.dispatchEvent(new Event('keydown'));
    expect(calls[calls.length - 1]).toBe('online');
    stop();
  });
});
