import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { MoreIcon } from './Icons';

export interface Action {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/**
 * A "more actions" menu button (WAI-ARIA menu button pattern), for table
 * rows. The menu is positioned fixed so scrolling containers never clip it.
 */
export function ActionMenu({ label, actions, icon }: { label: string; actions: readonly Action[]; icon?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<{ top: number; right: number; up: boolean }>({ top: 0, right: 0, up: false });
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const pending = useRef<'first' | 'last' | null>(null);
  const id = useId();

  const items = () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);

  const close = useCallback((returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  const openMenu = (focus: 'first' | 'last') => {
    const r = buttonRef.current?.getBoundingClientRect();
    if (r) {
      const up = r.bottom + 40 * actions.length + 16 > window.innerHeight && r.top > window.innerHeight / 2;
      setPos({ top: up ? r.top - 4 : r.bottom + 4, right: Math.max(8, window.innerWidth - r.right), up });
    }
    pending.current = focus;
    setOpen(true);
  };

  useLayoutEffect(() => {
    if (!open || !pending.current) return;
    const list = items();
    (pending.current === 'last' ? list[list.length - 1] : list[0])?.focus();
    pending.current = null;
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: Event) => {
      const target = e.target as Node;
      if (menuRef.current?.contains(target) || buttonRef.current?.contains(target)) return;
      close(false);
    };
    const onScroll = () => close(false);
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('focusin', onPointer);
    window.addEventListener('resize', onScroll);
    window.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('focusin', onPointer);
      window.removeEventListener('resize', onScroll);
      window.removeEventListener('scroll', onScroll, true);
    };
  }, [open, close]);

  const onButtonKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openMenu('first');
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      openMenu('last');
    }
  };

  const onMenuKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const list = items();
    const index = list.indexOf(document.activeElement as HTMLElement);
    const focusAt = (i: number) => list[(i + list.length) % list.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focusAt(index + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focusAt(index < 0 ? list.length - 1 : index - 1);
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
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
    }
  };

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="icon-button"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close(false) : openMenu('first'))}
        onKeyDown={onButtonKeyDown}
      >
        {icon ?? <MoreIcon width={18} height={18} />}
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={id}
          role="menu"
          aria-label={label}
          className={`menu menu--actions${pos.up ? ' menu--up' : ''}`}
          style={pos.up ? { bottom: window.innerHeight - pos.top, right: pos.right } : { top: pos.top, right: pos.right }}
          onKeyDown={onMenuKeyDown}
        >
          {actions.map((a) => (
            <button
              key={a.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={`menu__item${a.danger ? ' menu__item--danger' : ''}`}
              onClick={() => {
                close(true);
                a.onSelect();
              }}
            >
              <span className="menu__text">{a.label}</span>
            </button>
          ))}
        </div>
      ) : null}
    </>
  );
}
