import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuAction {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  /** Starts a new group (a separator above). */
  separated?: boolean;
  disabled?: boolean;
}

/**
 * A context menu at a point (right-click, Shift+F10, or under a "more"
 * button): WAI-ARIA menu keyboard behaviour, fixed position kept on screen,
 * closes on Escape, Tab, outside clicks and scrolling, and gives focus back.
 */
export function PopupMenu({
  label,
  actions,
  at,
  onClose,
  returnFocus,
}: {
  label: string;
  actions: readonly MenuAction[];
  at: { x: number; y: number };
  onClose: () => void;
  returnFocus?: HTMLElement | null;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number }>({ left: at.x, top: at.y });
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const back = useRef(returnFocus ?? (document.activeElement as HTMLElement | null));

  const items = () => Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    const left = Math.max(8, Math.min(at.x, window.innerWidth - r.width - 8));
    const top = at.y + r.height + 8 > window.innerHeight ? Math.max(8, at.y - r.height) : at.y;
    setPos({ left, top });
    items()[0]?.focus();
  }, [at.x, at.y]);

  useEffect(() => {
    const close = (restore: boolean) => {
      closeRef.current();
      if (restore) back.current?.focus();
    };
    const onPointer = (e: Event) => {
      if (ref.current?.contains(e.target as Node)) return;
      close(false);
    };
    const onScroll = (e: Event) => {
      if (ref.current?.contains(e.target as Node)) return;
      close(false);
    };
    document.addEventListener('mousedown', onPointer);
    window.addEventListener('resize', onScroll);
    window.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      window.removeEventListener('resize', onScroll);
      window.removeEventListener('scroll', onScroll, true);
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const list = items();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const focusAt = (n: number) => list[(n + list.length) % list.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focusAt(i + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focusAt(i < 0 ? list.length - 1 : i - 1);
        break;
      case 'Home':
        e.preventDefault();
        focusAt(0);
        break;
      case 'End':
        e.preventDefault();
        focusAt(list.length - 1);
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        onClose();
        back.current?.focus();
        break;
      case 'Tab':
        e.preventDefault();
        onClose();
        back.current?.focus();
        break;
      default:
        if (e.key.length === 1 && /\S/.test(e.key)) {
          const k = e.key.toLocaleLowerCase();
          const start = i + 1;
          for (let n = 0; n < list.length; n++) {
            const el = list[(start + n) % list.length];
            if (el?.textContent?.trim().toLocaleLowerCase().startsWith(k)) {
              el.focus();
              break;
            }
          }
        }
    }
  };

  return createPortal(
    <div ref={ref} role="menu" aria-label={label} className="menu menu--actions kb-popup" style={{ left: pos.left, top: pos.top, right: 'auto' }} onKeyDown={onKeyDown}>
      {actions.map((a, i) => (
        <div key={`${i}-${a.label}`} role="none">
          {a.separated && i > 0 ? <div className="menu__separator" role="separator" /> : null}
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            aria-disabled={a.disabled || undefined}
            className={`menu__item${a.danger ? ' menu__item--danger' : ''}`}
            onClick={() => {
              if (a.disabled) return;
              onClose();
              back.current?.focus();
              a.onSelect();
            }}
          >
            <span className="menu__text">{a.label}</span>
          </button>
        </div>
      ))}
    </div>,
    document.body,
  );
}

/** A "more actions" button that opens a PopupMenu below it. */
export function MoreButton({
  label,
  actions,
  className = 'icon-button',
  children,
  tabIndex,
}: {
  label: string;
  actions: readonly MenuAction[];
  className?: string;
  children: ReactNode;
  tabIndex?: number;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const open = () => {
    const r = ref.current?.getBoundingClientRect();
    if (r) setAt({ x: Math.max(8, r.right - 220), y: r.bottom + 4 });
  };
  return (
    <>
      <button
        ref={ref}
        type="button"
        className={className}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={at !== null}
        tabIndex={tabIndex}
        onClick={(e) => {
          e.stopPropagation();
          if (at) setAt(null);
          else open();
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            open();
          }
        }}
      >
        {children}
      </button>
      {at ? <PopupMenu label={label} actions={actions} at={at} onClose={() => setAt(null)} returnFocus={ref.current} /> : null}
    </>
  );
}
