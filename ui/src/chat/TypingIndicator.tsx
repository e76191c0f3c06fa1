import { useI18n } from '../i18n';
import type { TypingEntry } from './store';

/** "Minji is typing…", "Minji and Jiho are typing…", "Several people are typing…". */
export function typingText(
  entries: readonly TypingEntry[] | undefined,
  t: (key: 'chat.typing.one' | 'chat.typing.two' | 'chat.typing.many', params?: Record<string, string>) => string,
  unknown: string,
): string {
  const live = (entries ?? []).filter((e) => e.until > Date.now());
  const names = live.map((e) => e.user.name || unknown);
  if (names.length === 0) return '';
  if (names.length === 1) return t('chat.typing.one', { name: names[0]! });
  if (names.length === 2) return t('chat.typing.two', { a: names[0]!, b: names[1]! });
  return t('chat.typing.many');
}

export function TypingIndicator({ entries }: { entries: readonly TypingEntry[] | undefined }) {
  const { t } = useI18n();
  const text = typingText(entries, t, t('chat.unknownUser'));
  return (
    <div className="typing" aria-live="polite">
      {text ? (
        <>
          <span className="typing__dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span>{text}</span>
        </>
      ) : null}
    </div>
  );
}
