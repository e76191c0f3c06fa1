// The realtime client: one WebSocket per tab to /api/v1/ws (see docs/realtime.md).
//
// - Connects with a single-use ticket (POST /api/v1/ws/ticket, valid 30 s),
//   fetched afresh for every attempt.
// - Every event carries a sequence number. A reconnect asks to resume after
//   the last one seen (?last_seq=N on the socket URL, so the server replays
//   before anything live); the server replays what was missed, or answers
//   {"type":"resync"} when that is beyond its window — subscribers then
//   refetch what they show.
// - Reconnects by itself with exponential backoff and full jitter, at once
//   when the browser comes back online or the tab becomes visible again.
// - Events are delivered at least once: anything at or below the last seen
//   sequence is a duplicate and dropped.
// - Ephemeral frames (typing, presence) have no sequence and are passed on as
//   they come.
//
// It knows nothing about React or chat: see ./index.tsx for the hooks.

/** A frame from the server: an event (with seq) or a control/ephemeral frame. */
export interface RealtimeEvent {
  type: string;
  seq?: number;
  data?: Record<string, unknown>;
  resource_type?: string;
  resource_id?: string;
  at?: string;
  [key: string]: unknown;
}

export type Handler = (event: RealtimeEvent) => void;

/**
 * idle: not started (or stopped); connecting: first connection in progress;
 * online: connected; offline: lost, reconnecting; unavailable: the server has
 * no realtime endpoint (404) — nothing to show, try again much later.
 */
export type ConnectionState = 'idle' | 'connecting' | 'online' | 'offline' | 'unavailable';

/** The subset of the browser WebSocket this client uses (so tests can fake it). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

/** Why a ticket could not be had: the session is gone, the endpoint does not exist, or anything else (retry). */
export class TicketError extends Error {
  constructor(readonly kind: 'unauthorized' | 'unavailable' | 'failed', cause?: unknown) {
    super(`ticket: ${kind}`);
    this.name = 'TicketError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

export interface RealtimeOptions {
  /** Returns a fresh single-use ticket; throws TicketError. */
  ticket: () => Promise<string>;
  /** The socket URL for a ticket, resuming after lastSeq (0: nothing to resume). Default: same origin /api/v1/ws?ticket=…&last_seq=… */
  url?: (ticket: string, lastSeq: number) => string;
  socket?: SocketFactory;
  /** First retry delay (ms) before jitter. */
  baseDelayMs?: number;
  /** Longest retry delay (ms). */
  maxDelayMs?: number;
  /** Random in [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
  /** How often typing frames may go out per channel (ms). */
  typingThrottleMs?: number;
  /** Client ping interval (ms); 0 disables it. */
  pingIntervalMs?: number;
  /**
   * With pings answered by pongs, a connection that has been silent for this
   * long is considered dead (half-open TCP after a network change) and replaced.
   */
  silenceTimeoutMs?: number;
  /** Where to listen for online/visibility changes; null in tests that do not want it. */
  environment?: { window: Window; document: Document } | null;
}

const OPEN = 1;
/** Close codes that mean "do not come back with this session" (ticket refused, signed out). */
const AUTH_CLOSE_CODES = new Set([4001, 4003, 4401, 4403]);

/** The next retry delay: exponential in the attempt, capped, with "full jitter" in [cap/2, cap). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  // Half fixed, half random: spreads a crowd of clients reconnecting after a
  // server restart, while never retrying in a tight loop.
  return Math.round(cap / 2 + (cap / 2) * random());
}

/** True when an event type matches a subscription pattern: exact, "prefix.*", "prefix." or "*". */
export function matches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('.')) return type.startsWith(pattern);
  return false;
}

function defaultUrl(ticket: string, lastSeq: number): string {
  const { protocol, host } = window.location;
  const resume = lastSeq > 0 ? `&last_seq=${lastSeq}` : '';
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v1/ws?ticket=${encodeURIComponent(ticket)}${resume}`;
}

function defaultEnvironment(): { window: Window; document: Document } | null {
  return typeof window !== 'undefined' && typeof document !== 'undefined' ? { window, document } : null;
}

export class RealtimeClient {
  private readonly opts: Required<Omit<RealtimeOptions, 'environment'>> & { environment: RealtimeOptions['environment'] };
  private socket: SocketLike | null = null;
  private stateValue: ConnectionState = 'idle';
  private running = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private onlineTimer: ReturnType<typeof setTimeout> | null = null;
  private lastSeqValue = 0;
  /** The server answered our pings at least once: silence means a dead connection. */
  private pongsSeen = false;
  private lastFrameAt = 0;
  private everOnline = false;
  private presence: 'online' | 'away' = 'online';
  private readonly typingSent = new Map<string, number>();
  private readonly handlers = new Set<{ pattern: string; fn: Handler }>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  /** Bumped on every (re)connect, so callbacks of an old socket are ignored. */
  private generation = 0;

  constructor(options: RealtimeOptions) {
    this.opts = {
      ticket: options.ticket,
      url: options.url ?? defaultUrl,
      socket: options.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      baseDelayMs: options.baseDelayMs ?? 500,
      // Short enough to be back soon after a server restart; the jitter
      // still spreads thousands of clients over several seconds.
      maxDelayMs: options.maxDelayMs ?? 10_000,
      random: options.random ?? Math.random,
      typingThrottleMs: options.typingThrottleMs ?? 3_000,
      pingIntervalMs: options.pingIntervalMs ?? 25_000,
      silenceTimeoutMs: options.silenceTimeoutMs ?? 70_000,
      environment: options.environment === undefined ? defaultEnvironment() : options.environment,
    };
  }

  // ---- lifecycle -----------------------------------------------------------

  /** Connects (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const env = this.opts.environment;
    env?.window.addEventListener('online', this.onBrowserOnline);
    env?.document.addEventListener('visibilitychange', this.onVisibility);
    this.setState(this.everOnline ? 'offline' : 'connecting');
    void this.connect();
  }

  /** Disconnects and stops reconnecting (sign-out). Subscriptions stay; the position is forgotten (the next user starts afresh). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.lastSeqValue = 0;
    this.everOnline = false;
    this.attempt = 0;
    this.presence = 'online';
    this.typingSent.clear();
    const env = this.opts.environment;
    env?.window.removeEventListener('online', this.onBrowserOnline);
    env?.document.removeEventListener('visibilitychange', this.onVisibility);
    this.clearTimers();
    this.generation += 1;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onopen = s.onmessage = s.onerror = s.onclose = null;
      try {
        s.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    this.setState('idle');
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The last event sequence seen (what a resume asks to continue from). */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  // ---- the event bus -------------------------------------------------------

  /**
   * Calls `fn` for every frame whose type matches `pattern`: an exact type
   * ("message.created"), a prefix ("message.*" or "message."), or "*".
   * Control frames are types too: "hello", "resync", "typing", "presence".
   * Returns the unsubscribe function.
   */
  subscribe(pattern: string, fn: Handler): () => void {
    const entry = { pattern, fn };
    this.handlers.add(entry);
    return () => {
      this.handlers.delete(entry);
    };
  }

  /** Calls `fn` when events may have been missed and what is on screen should be refetched. */
  onResync(fn: () => void): () => void {
    return this.subscribe('resync', () => fn());
  }

  // ---- client frames -------------------------------------------------------

  /** Sends a frame if connected; returns whether it went out. */
  send(frame: Record<string, unknown>): boolean {
    const s = this.socket;
    if (!s || s.readyState !== OPEN) return false;
    try {
      s.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** "I am typing in this channel (thread)": at most once per throttle window per channel and thread. */
  typing(channelId: string, parentId?: string | null, now = Date.now()): void {
    const key = parentId ? `${channelId}/${parentId}` : channelId;
    const last = this.typingSent.get(key);
    if (last !== undefined && now - last < this.opts.typingThrottleMs) return;
    const frame: Record<string, unknown> = { type: 'typing', channel_id: channelId };
    if (parentId) frame.parent_id = parentId;
    if (this.send(frame)) this.typingSent.set(key, now);
  }

  /** Tells the server this tab's user is away (hidden, idle) or back; repeated after reconnects. */
  setPresence(status: 'online' | 'away'): void {
    if (status === this.presence) return;
    this.presence = status;
    this.send({ type: 'presence', status });
  }

  // ---- internals -----------------------------------------------------------

  private readonly onBrowserOnline = () => this.retryNow();

  private readonly onVisibility = () => {
    if (this.opts.environment?.document.visibilityState === 'visible') this.retryNow();
  };

  /** Skips the remaining backoff wait (the network is back, the user is looking, or asked to). */
  retryNow(): void {
    if (!this.running || this.socket || this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const gen = ++this.generation;
    let ticket: string;
    try {
      ticket = await this.opts.ticket();
    } catch (err) {
      if (gen !== this.generation || !this.running) return;
      if (err instanceof TicketError && err.kind === 'unauthorized') {
        // The session ended; the app signs out and stops us.
        this.running = false;
        this.setState('idle');
        return;
      }
      if (err instanceof TicketError && err.kind === 'unavailable') {
        this.setState('unavailable');
        this.scheduleRetry(this.opts.maxDelayMs * 4);
        return;
      }
      this.lost();
      return;
    }
    if (gen !== this.generation || !this.running) return;

    let socket: SocketLike;
    try {
      socket = this.opts.socket(this.opts.url(ticket, this.lastSeqValue));
    } catch {
      this.lost();
      return;
    }
    this.socket = socket;
    this.pongsSeen = false;
    socket.onopen = () => {
      if (gen !== this.generation) return;
      this.lastFrameAt = Date.now();
      if (this.presence === 'away') this.send({ type: 'presence', status: 'away' });
      this.startPing(gen);
      // Servers say hello first thing; if one does not, count the open socket as online shortly.
      this.onlineTimer = setTimeout(() => {
        this.onlineTimer = null;
        if (gen === this.generation) this.becameOnline();
      }, 3_000);
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (gen !== this.generation) return;
      this.lastFrameAt = Date.now();
      let frame: RealtimeEvent;
      try {
        frame = JSON.parse(String(ev.data)) as RealtimeEvent;
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== 'string') return;
      this.receive(frame);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    socket.onclose = (ev: CloseEvent) => {
      if (gen !== this.generation) return;
      this.socket = null;
      this.stopPing();
      if (!this.running) return;
      if (AUTH_CLOSE_CODES.has(ev.code)) {
        // The ticket or session was refused: the next attempt fetches a new
        // ticket, which tells whether the session still exists.
        this.attempt = Math.max(this.attempt, 1);
      }
      this.lost();
    };
  }

  private receive(frame: RealtimeEvent): void {
    switch (frame.type) {
      case 'hello': {
        const latest = typeof frame.seq === 'number' ? frame.seq : null;
        const first = this.lastSeqValue === 0;
        if (latest !== null) {
          if (first) {
            this.lastSeqValue = latest;
          } else if (latest < this.lastSeqValue) {
            // The server's history is behind what we saw (restored from a
            // backup): nothing can be resumed, start over from its position.
            this.lastSeqValue = latest;
            this.becameOnline();
            this.dispatch({ type: 'resync' });
            return;
          }
        }
        this.becameOnline();
        this.dispatch(frame);
        return;
      }
      case 'pong':
        this.pongsSeen = true;
        return;
      case 'resync':
        // Live events continue after the server's position; resuming from an
        // older one next time would only ask for another resync.
        if (typeof frame.seq === 'number' && frame.seq > this.lastSeqValue) this.lastSeqValue = frame.seq;
        this.becameOnline();
        this.dispatch(frame);
        return;
    }
    if (typeof frame.seq === 'number') {
      if (frame.seq <= this.lastSeqValue) return; // a duplicate (at-least-once delivery)
      this.lastSeqValue = frame.seq;
    }
    this.becameOnline();
    this.dispatch(frame);
  }

  private becameOnline(): void {
    if (this.onlineTimer !== null) {
      clearTimeout(this.onlineTimer);
      this.onlineTimer = null;
    }
    if (this.stateValue === 'online') return;
    this.attempt = 0;
    this.everOnline = true;
    this.setState('online');
  }

  /** The connection failed or dropped: show "offline" and try again after a backoff. */
  private lost(): void {
    if (!this.running) return;
    this.clearOnlineTimer();
    // A drop after being online shows at once; the very first connection gets
    // a couple of quiet attempts before the user is told.
    this.setState(this.everOnline || this.attempt >= 2 ? 'offline' : 'connecting');
    const delay = backoffDelay(this.attempt, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.attempt += 1;
    this.scheduleRetry(delay);
  }

  private scheduleRetry(delay: number): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private startPing(gen: number): void {
    this.stopPing();
    if (this.opts.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      if (gen !== this.generation) return;
      if (this.pongsSeen && Date.now() - this.lastFrameAt > this.opts.silenceTimeoutMs) {
        // Half-open: the server is gone but TCP has not noticed. Replace it.
        const s = this.socket;
        this.socket = null;
        this.generation += 1;
        this.stopPing();
        if (s) {
          s.onopen = s.onmessage = s.onerror = s.onclose = null;
          try {
            s.close(4000, 'silent');
          } catch {
            /* ignore */
          }
        }
        this.lost();
        return;
      }
      this.send({ type: 'ping' });
    }, this.opts.pingIntervalMs);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) {
      clearInterval(this.pingTimer);
      this.pingTimer = null;
    }
  }

  private clearOnlineTimer(): void {
    if (this.onlineTimer !== null) {
      clearTimeout(this.onlineTimer);
      this.onlineTimer = null;
    }
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.clearOnlineTimer();
    this.stopPing();
  }

  private setState(s: ConnectionState): void {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.stateListeners.forEach((l) => l(s));
  }

  private dispatch(frame: RealtimeEvent): void {
    for (const h of Array.from(this.handlers)) {
      if (!matches(h.pattern, frame.type)) continue;
      try {
        h.fn(frame);
      } catch (err) {
        // One broken subscriber must not starve the others.
        console.error('realtime subscriber failed', frame.type, err);
      }
    }
  }
}
