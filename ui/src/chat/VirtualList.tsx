import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type HTMLAttributes,
  type ReactNode,
  type Ref,
} from 'react';
import { anchorAt, anchorToShow, prefixOffsets, scrollTopFor, visibleRange, type Anchor } from './windowing';

export interface Reveal {
  key: string;
  align: 'start' | 'center' | 'end';
  /** Change it to reveal the same key again. */
  token: number;
}

export interface VirtualListHandle {
  scrollToBottom: () => void;
  isAtBottom: () => boolean;
}

interface Props<T> extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  items: readonly T[];
  itemKey: (item: T) => string;
  /** A height guess for a row not measured yet. */
  estimate: (item: T) => number;
  renderItem: (item: T, index: number) => ReactNode;
  /** Keep the newest row in view as rows are added, while the user is at the bottom. */
  follow: boolean;
  reveal?: Reveal | null;
  onStartReached?: () => void;
  onEndReached?: () => void;
  onAtBottomChange?: (atBottom: boolean) => void;
  /** Rows that may hold the view still (default all); keys that move when rows are added are not. */
  anchorable?: (item: T) => boolean;
  /** Rendered above the first row (e.g. "beginning of the channel", a spinner). */
  header?: ReactNode;
  footer?: ReactNode;
  overscan?: number;
  handleRef?: Ref<VirtualListHandle>;
}

/** Within this many pixels of the bottom counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** Load more when within this many pixels of either end. */
const EDGE = 600;
/** Without layout (tests, a hidden tab) render at most this many rows from the end. */
const NO_LAYOUT_ROWS = 200;

/**
 * A windowed list of rows of any height, for chat history: only rows near the
 * viewport are in the DOM, measured as they render. It starts at the bottom,
 * sticks there as rows arrive while the user is there, keeps still when rows
 * are added above or change height, and can reveal a row (a permalink).
 */
export function VirtualList<T>({
  items,
  itemKey,
  estimate,
  renderItem,
  follow,
  reveal,
  onStartReached,
  onEndReached,
  onAtBottomChange,
  anchorable,
  header,
  footer,
  overscan = 800,
  handleRef,
  className,
  ...rest
}: Props<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const [, setMeasured] = useState(0);
  const [view, setView] = useState({ top: 0, height: 0 });
  const anchor = useRef<Anchor | null>(null);
  const atBottom = useRef(true);
  const lastReveal = useRef<number | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  const pendingMeasure = useRef(false);

  const keys = useMemo(() => items.map(itemKey), [items, itemKey]);
  const hs = items.map((it, i) => heights.current.get(keys[i]!) ?? estimate(it));
  const offsets = prefixOffsets(hs);
  const n = items.length;
  const headerHeight = headerRef.current?.offsetHeight ?? 0;
  const layout = useRef({ offsets, keys, items });
  layout.current = { offsets, keys, items };

  const noLayout = view.height === 0;
  const range = noLayout
    ? { start: Math.max(0, n - NO_LAYOUT_ROWS), end: n }
    : visibleRange(offsets, Math.max(0, view.top - headerHeight), view.height, overscan);

  const setAtBottom = useCallback(
    (v: boolean) => {
      if (atBottom.current === v) return;
      atBottom.current = v;
      onAtBottomChange?.(v);
    },
    [onAtBottomChange],
  );

  // Rows report their height; several changes in one frame re-render once.
  // The observer is created on first use: row refs attach before effects run.
  const getObserver = useCallback((): ResizeObserver | null => {
    if (observer.current || typeof ResizeObserver === 'undefined') return observer.current;
    observer.current = new ResizeObserver((entries) => {
      let changed = false;
      for (const e of entries) {
        const el = e.target as HTMLElement;
        const key = el.dataset.vkey;
        if (key === undefined) {
          // The scroll container itself.
          const h = el.clientHeight;
          setView((v) => (v.height === h ? v : { top: el.scrollTop, height: h }));
          continue;
        }
        const h = e.borderBoxSize?.[0]?.blockSize ?? el.getBoundingClientRect().height;
        if (h > 0 && Math.abs((heights.current.get(key) ?? -1) - h) > 0.5) {
          heights.current.set(key, h);
          changed = true;
        }
      }
      if (changed && !pendingMeasure.current) {
        pendingMeasure.current = true;
        setMeasured((x) => x + 1);
      }
    });
    return observer.current;
  }, []);

  useEffect(() => {
    const el = scrollRef.current;
    const ro = getObserver();
    if (el && ro) ro.observe(el);
    return () => {
      if (el) ro?.unobserve(el);
    };
  }, [getObserver]);

  const rowRef = useCallback(
    (el: HTMLDivElement | null) => {
      if (!el) return;
      const ro = getObserver();
      ro?.observe(el);
      return () => ro?.unobserve(el);
    },
    [getObserver],
  );

  // After every render, before paint: put the viewport where it belongs.
  useLayoutEffect(() => {
    pendingMeasure.current = false;
    const el = scrollRef.current;
    if (!el) return;
    const { offsets: off, keys: ks } = layout.current;
    const hh = headerRef.current?.offsetHeight ?? 0;
    let target: number | null = null;
    if (reveal && reveal.token !== lastReveal.current && ks.includes(reveal.key)) {
      lastReveal.current = reveal.token;
      anchor.current = anchorToShow(off, ks, reveal.key, el.clientHeight || 600, reveal.align);
      setAtBottom(false);
    }
    if (atBottom.current && follow) {
      target = el.scrollHeight - el.clientHeight;
    } else if (anchor.current) {
      // Where the anchor row really is now (rows just rendered may not match
      // their estimates yet); the computed offsets only when it is not rendered.
      const row = rowElement(el, anchor.current.key);
      if (row) target = row.offsetTop + anchor.current.delta;
      else {
        const t = scrollTopFor(off, ks, anchor.current);
        if (t !== null) target = t + hh;
      }
    }
    if (target !== null) {
      const clamped = Math.max(0, Math.min(target, el.scrollHeight - el.clientHeight));
      if (Math.abs(el.scrollTop - clamped) > 1) el.scrollTop = clamped;
    }
    if (el.clientHeight !== view.height || Math.abs(el.scrollTop - view.top) > 1) {
      setView({ top: el.scrollTop, height: el.clientHeight });
    }
  });

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const { offsets: off, keys: ks, items: its } = layout.current;
    const hh = headerRef.current?.offsetHeight ?? 0;
    const canAnchor = anchorable ? (i: number) => i >= 0 && anchorable(its[i]!) : undefined;
    anchor.current =
      domAnchor(el, (key) => (canAnchor ? canAnchor(ks.indexOf(key)) : true)) ??
      anchorAt(off, ks, Math.max(0, el.scrollTop - hh), canAnchor);
    const bottom = atBottomOf(el);
    setAtBottom(bottom);
    setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    if (el.scrollTop < EDGE) onStartReached?.();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < EDGE) onEndReached?.();
  };

  // A short list that does not fill the viewport can't be scrolled: ask for more at once.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || noLayout) return;
    if (el.scrollHeight <= el.clientHeight + EDGE) {
      onStartReached?.();
    }
  });

  if (handleRef) {
    const handle: VirtualListHandle = {
      scrollToBottom: () => {
        const el = scrollRef.current;
        if (!el) return;
        setAtBottom(true);
        anchor.current = null;
        el.scrollTop = el.scrollHeight;
      },
      isAtBottom: () => atBottom.current,
    };
    if (typeof handleRef === 'function') handleRef(handle);
    else (handleRef as { current: VirtualListHandle | null }).current = handle;
  }

  const top = offsets[range.start] ?? 0;
  const bottom = (offsets[n] ?? 0) - (offsets[range.end] ?? 0);
  return (
    <div ref={scrollRef} className={className} onScroll={onScroll} {...rest} style={{ position: 'relative', ...rest.style }}>
      <div ref={headerRef}>{header}</div>
      <div style={{ height: top }} aria-hidden="true" />
      {items.slice(range.start, range.end).map((item, i) => {
        const index = range.start + i;
        return (
          <div key={keys[index]} data-vkey={keys[index]} ref={rowRef} className="vlist__row">
            {renderItem(item, index)}
          </div>
        );
      })}
      <div style={{ height: bottom }} aria-hidden="true" />
      {footer}
    </div>
  );
}

/** The rendered row element for a key. */
function rowElement(container: HTMLElement, key: string): HTMLElement | null {
  for (const child of Array.from(container.children) as HTMLElement[]) {
    if (child.dataset.vkey === key) return child;
  }
  return null;
}

/** The anchor read from the DOM: the first rendered row (that may anchor) reaching below the top of the viewport. */
function domAnchor(container: HTMLElement, canAnchor: (key: string) => boolean): Anchor | null {
  const top = container.scrollTop;
  for (const child of Array.from(container.children) as HTMLElement[]) {
    const key = child.dataset.vkey;
    if (key === undefined || child.offsetTop + child.offsetHeight <= top) continue;
    if (!canAnchor(key)) continue;
    return { key, delta: top - child.offsetTop };
  }
  return null;
}

function atBottomOf(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK;
}
