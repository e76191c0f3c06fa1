import { useI18n, LANGS, type Lang } from '../i18n';
import { THEME_PREFERENCES, setThemePreference, useThemePreference, type ThemePreference } from '../theme';
import { MonitorIcon, MoonIcon, SunIcon } from './Icons';

const themeIcons: Record<ThemePreference, typeof SunIcon> = {
  light: SunIcon,
  dark: MoonIcon,
  system: MonitorIcon,
};

/** Compact language and theme pickers for pages shown before sign-in. */
export function Preferences() {
  const { t, lang, setLanguage } = useI18n();
  const theme = useThemePreference();
  return (
    <div className="prefs">
      <div className="segmented" role="group" aria-label={t('language.label')}>
        {LANGS.map((l: Lang) => (
          <button
            key={l}
            type="button"
            className="segmented__item"
            aria-pressed={lang === l}
            lang={l}
            onClick={() => setLanguage(l)}
          >
            {t(`language.${l}`)}
          </button>
        ))}
      </div>
      <div className="segmented" role="group" aria-label={t('theme.label')}>
        {THEME_PREFERENCES.map((p) => {
          const Icon = themeIcons[p];
          return (
            <button
              key={p}
              type="button"
              className="segmented__item segmented__item--icon"
              aria-pressed={theme === p}
              aria-label={t(`theme.${p}`)}
              title={t(`theme.${p}`)}
              onClick={() => setThemePreference(p)}
            >
              <Icon width={16} height={16} />
            </button>
          );
        })}
      </div>
    </div>
  );
}
