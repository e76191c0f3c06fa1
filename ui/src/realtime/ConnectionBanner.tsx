import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { useConnectionState, useRealtime } from './index';

/** How long "Back online" stays after reconnecting. */
const BACK_MS = 3000;

/**
 * "Offline — reconnecting…" while the realtime connection is down (with a
 * button to try at once), then "Back online" for a moment. Announced politely.
 */
export function ConnectionBanner() {
  const { t } = useI18n();
  const rt = useRealtime();
  const state = useConnectionState();
  const [back, setBack] = useState(false);
  const wasOffline = useRef(false);

  useEffect(() => {
    if (state === 'offline') {
      wasOffline.current = true;
      setBack(false);
      return;
    }
    if (state === 'online' && wasOffline.current) {
      wasOffline.current = false;
      setBack(true);
      const timer = setTimeout(() => setBack(false), BACK_MS);
      return () => clearTimeout(timer);
    }
  }, [state]);

  const offline = state === 'offline';
  return (
    <div className="conn-banner-region" role="status" aria-live="polite">
      {offline ? (
        <div className="conn-banner conn-banner--offline">
          <span className="conn-banner__dot" aria-hidden="true" />
          <span>{t('realtime.offline')}</span>
          <button type="button" className="conn-banner__retry" onClick={() => rt.retryNow()}>
            {t('realtime.retry')}
          </button>
        </div>
      ) : back ? (
        <div className="conn-banner conn-banner--online">
          <span className="conn-banner__dot" aria-hidden="true" />
          <span>{t('realtime.online')}</span>
        </div>
      ) : null}
    </div>
  );
}
