import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { resetLanguageForTests } from '../i18n';
import { setThemePreference } from '../theme';

// Every test starts in English, system theme, at "/", with nothing stored.
beforeEach(() => {
  window.localStorage.clear();
  resetLanguageForTests('en');
  setThemePreference('system');
  window.history.replaceState(null, '', '/');
  document.title = 'Nexus';
});

afterEach(() => {
  cleanup();
});
