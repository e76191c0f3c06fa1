import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { errorFrom, type FormError, type KnownErrors } from '../auth/formErrors';
import { useI18n } from '../i18n';
import { ErrorAlert, SubmitButton } from './Form';
import { CloseIcon } from './Icons';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), iframe, [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog (WAI-ARIA dialog pattern): focus moves in (to the first
 * field, or an element marked data-autofocus), Tab stays inside, Escape and
 * the backdrop close it, and focus returns to where it was.
 */
export function Dialog({
  title,
  description,
  onClose,
  children,
  size = 'md',
  role = 'dialog',
}: {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  role?: 'dialog' | 'alertdialog';
}) {
  const { t } = useI18n();
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first =
      el?.querySelector<HTMLElement>('[data-autofocus]') ??
      el?.querySelector('.dialog__body')?.querySelector<HTMLElement>(FOCUSABLE) ??
      el?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        closeRef.current();
        return;
      }
      if (e.key !== 'Tab' || !el) return;
      const items = Array.from(el.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((n) => !n.closest('[inert]'));
      if (items.length === 0) return;
      const firstItem = items[0]!;
      const lastItem = items[items.length - 1]!;
      if (e.shiftKey && (document.activeElement === firstItem || !el.contains(document.activeElement))) {
        e.preventDefault();
        lastItem.focus();
      } else if (!e.shiftKey && (document.activeElement === lastItem || !el.contains(document.activeElement))) {
        e.preventDefault();
        firstItem.focus();
      }
    };
    document.addEventListener('keydown', onKey, true);
    document.body.classList.add('has-dialog');
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.body.classList.remove('has-dialog');
      if (previous && document.contains(previous)) previous.focus();
    };
  }, []);

  return createPortal(
    <div className="dialog-layer">
      <div className="dialog-backdrop" aria-hidden="true" onMouseDown={() => closeRef.current()} />
      <div
        ref={ref}
        className={`dialog dialog--${size}`}
        role={role}
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={description ? `${id}-desc` : undefined}
      >
        <div className="dialog__header">
          <h2 id={`${id}-title`} className="dialog__title">
            {title}
          </h2>
          <button type="button" className="icon-button dialog__close" aria-label={t('common.close')} onClick={onClose}>
            <CloseIcon width={18} height={18} />
          </button>
        </div>
        {description ? (
          <div id={`${id}-desc`} className="dialog__desc">
            {description}
          </div>
        ) : null}
        <div className="dialog__body">{children}</div>
      </div>
    </div>,
    document.body,
  );
}

/** Footer row for dialog buttons (cancel on the left of the main action). */
export function DialogActions({ children }: { children: ReactNode }) {
  return <div className="dialog__actions">{children}</div>;
}

/**
 * Asks before a destructive or important action. `onConfirm` runs the
 * action; while it runs the button shows progress, an error stays in the
 * dialog, and success closes it.
 */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
  known,
  children,
}: {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  known?: KnownErrors;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorFrom(err, known));
      setBusy(false);
    }
  }

  return (
    <Dialog title={title} description={body} onClose={onClose} size="sm" role="alertdialog">
      <form className="form form--dialog" onSubmit={submit} noValidate>
        <ErrorAlert error={error} />
        {children}
        <DialogActions>
          <button type="button" className="button" onClick={onClose} data-autofocus={danger ? true : undefined}>
            {t('common.cancel')}
          </button>
          <SubmitButton
            busy={busy}
            className={`button ${danger ? 'button--danger' : 'button--primary'}`}
            data-autofocus={danger ? undefined : true}
          >
            {confirmLabel}
          </SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
