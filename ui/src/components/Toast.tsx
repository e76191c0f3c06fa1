import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { AlertIcon, CheckIcon, CloseIcon } from './Icons';

type Tone = 'success' | 'error';
interface Toast {
  id: number;
  text: string;
  tone: Tone;
}

type Show = (text: string, tone?: Tone) => void;
const ToastContext = createContext<Show>(() => undefined);

const DURATION_MS = 5000;

/** Short confirmations ("Saved") in a polite live region at the bottom of the screen. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((x) => x.id !== id)), []);

  const show = useCallback<Show>(
    (text, tone = 'success') => {
      const id = next.current++;
      setToasts((list) => [...list.slice(-2), { id, text, tone }]);
      setTimeout(() => dismiss(id), DURATION_MS);
    },
    [dismiss],
  );

  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((x) => (
          <div key={x.id} className={`toast toast--${x.tone}`}>
            {x.tone === 'success' ? <CheckIcon width={18} height={18} /> : <AlertIcon width={18} height={18} />}
            <span className="toast__text">{x.text}</span>
            <button type="button" className="toast__close" aria-label={t('common.dismiss')} onClick={() => dismiss(x.id)}>
              <CloseIcon width={16} height={16} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** Shows a toast: toast(t('…')) or toast(text, 'error'). */
export function useToast(): Show {
  return useContext(ToastContext);
}
