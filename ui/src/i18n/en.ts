// English messages. This dictionary defines the set of keys; every other
// language must provide exactly the same keys (see i18n.test.ts).
// Placeholders look like {name}. Keys ending in _one / _other are plural forms
// chosen with Intl.PluralRules.
export const en = {
  'app.name': 'Nexus',
  'app.loading': 'Loading Nexus…',
  'app.skipToContent': 'Skip to content',
  'app.titleFormat': '{page} · Nexus',

  'unreachable.docTitle': 'Connection problem',
  'unreachable.title': 'Can’t reach Nexus',
  'unreachable.body':
    'The server didn’t respond. Check that Nexus is running and that your connection works, then try again.',
  'unreachable.retry': 'Try again',

  'setup.docTitle': 'Set up Nexus',
  'setup.eyebrow': 'Welcome to Nexus',
  'setup.title': 'Create the owner account',
  'setup.lead': 'This first account owns the workspace and can manage everything in it.',
  'setup.name': 'Name',
  'setup.namePlaceholder': 'Kim Minji',
  'setup.email': 'Email',
  'setup.password': 'Password',
  'setup.passwordHint': 'At least 8 characters.',
  'setup.submit': 'Create account',
  'setup.submitting': 'Creating account…',
  'setup.alreadyDone': 'Nexus has already been set up. Sign in with your account instead.',
  'setup.goToSignIn': 'Go to sign in',

  'signIn.docTitle': 'Sign in',
  'signIn.title': 'Sign in to Nexus',
  'signIn.lead': 'Welcome back. Enter your email and password to continue.',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',

  'password.show': 'Show password',
  'password.hide': 'Hide password',

  'validation.nameRequired': 'Enter your name.',
  'validation.nameTooLong': 'This name is too long. Use a shorter one.',
  'validation.emailRequired': 'Enter your email address.',
  'validation.emailInvalid': 'Enter a valid email address, like name@example.com.',
  'validation.passwordRequired': 'Enter your password.',
  'validation.passwordTooShort': 'Use at least 8 characters.',
  'validation.passwordTooLong': 'Use at most 1,024 characters.',
  'validation.fieldInvalid': 'Check this field.',
  'validation.summary': 'Some details need attention.',

  'errors.incorrectCredentials': 'Incorrect email or password.',
  'errors.accountDisabled': 'This account is disabled. Ask an administrator to enable it.',
  'errors.rateLimited_one': 'Too many attempts. Try again in {count} second.',
  'errors.rateLimited_other': 'Too many attempts. Try again in {count} seconds.',
  'errors.rateLimitedSoon': 'Too many attempts. Try again in a moment.',
  'errors.network': 'Can’t connect to the server. Check your connection and try again.',
  'errors.server': 'Something went wrong on the server. Please try again.',
  'errors.unexpected': 'Something went wrong. Please try again.',
  'errors.sessionEnded': 'Your session has ended. Please sign in again.',

  'language.label': 'Language',
  'language.en': 'English',
  'language.ko': '한국어',

  'theme.label': 'Theme',
  'theme.light': 'Light',
  'theme.dark': 'Dark',
  'theme.system': 'System',

  'userMenu.button': 'Account menu, {name}',
  'userMenu.menu': 'Account',
  'userMenu.profile': 'Profile',
  'userMenu.signOut': 'Sign out',

  'nav.label': 'Main navigation',
  'nav.toggle': 'Menu',
  'nav.home': 'Home',
  'header.homeLink': 'Nexus, go to Home',

  'home.docTitle': 'Home',
  'home.greeting.morning': 'Good morning, {name}',
  'home.greeting.afternoon': 'Good afternoon, {name}',
  'home.greeting.evening': 'Good evening, {name}',
  'home.lead': 'Your Nexus workspace is up and running.',
  'home.start.title': 'Getting started',
  'home.start.lead': 'This first release of Nexus sets up the foundation of your workspace: accounts, sign-in and your profile.',
  'home.start.personalize.title': 'Make it yours',
  'home.start.personalize.body':
    'Open the account menu in the top-right corner to switch between English and 한국어, or to choose a light or dark theme.',
  'home.start.profile.title': 'Check your profile',
  'home.start.profile.body': 'Your profile shows the name, email and role your teammates will see.',
  'home.start.profile.link': 'Open your profile',
  'home.start.team.title': 'Add your teammates',
  'home.start.team.body': 'Accounts are added on the server from the command line:',
  'home.start.backup.title': 'Back up one folder',
  'home.start.backup.body':
    'Everything Nexus stores lives in its data directory. A copy of that directory, taken while the server is stopped, is a complete backup.',

  'profile.docTitle': 'Profile',
  'profile.title': 'Profile',
  'profile.lead': 'Your account details.',
  'profile.name': 'Name',
  'profile.email': 'Email',
  'profile.role': 'Role',
  'profile.memberSince': 'Member since',
  'profile.refreshError': 'Couldn’t load the latest details. Showing what was loaded at sign-in.',

  'role.owner': 'Owner',
  'role.admin': 'Admin',
  'role.member': 'Member',
  'role.guest': 'Guest',

  'notFound.docTitle': 'Page not found',
  'notFound.code': 'Error 404',
  'notFound.title': 'Page not found',
  'notFound.body': 'The page you’re looking for doesn’t exist or may have moved.',
  'notFound.home': 'Go to Home',
} as const;

export type MessageKey = keyof typeof en;
