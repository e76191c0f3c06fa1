import { useI18n } from '../i18n';
import type { PresenceStatus } from './types';

/** A small online/away/offline dot with a text alternative. */
export function PresenceDot({ status, className = '' }: { status: PresenceStatus | undefined; className?: string }) {
  const { t } = useI18n();
  const s = status ?? 'offline';
  return (
    <span className={`presence presence--${s} ${className}`} role="img" aria-label={t(`chat.presence.${s}`)} title={t(`chat.presence.${s}`)} />
  );
}
