// Applies the saved theme and language before the first paint. A classic,
// render-blocking script because the CSP forbids inline ones; src/theme.ts and
// src/i18n take over once the app loads (same storage keys).
(function () {
  try {
    var root = document.documentElement;
    var theme = localStorage.getItem('nexus.theme');
    if (theme === 'light' || theme === 'dark') root.setAttribute('data-theme', theme);
    var lang = localStorage.getItem('nexus.lang');
    if (lang === 'en' || lang === 'ko') root.lang = lang;
  } catch (e) {
    // Storage unavailable: the stylesheet follows the system theme.
  }
})();
