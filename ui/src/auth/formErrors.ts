import { ApiError, NetworkError } from '../api/client';
import type { MessageKey } from '../i18n';

// Errors are kept as message keys (not strings) so they re-translate when the
// user switches language while an error is on screen.

export type FormError =
  | { kind: 'message'; key: MessageKey }
  /** 429: the server's Retry-After in seconds (null if it did not say). */
  | { kind: 'rateLimited'; seconds: number | null }
  /** The server's own message (English), for errors this UI has no translation for. */
  | { kind: 'server'; text: string };

export interface Failure<F extends string> {
  form: FormError | null;
  fields: Partial<Record<F, MessageKey>>;
}

export interface FailureOptions<F extends string> {
  fields: readonly F[];
  /** What a 401 means on this form (e.g. wrong credentials on sign-in). */
  unauthorized?: MessageKey;
  /** What a 403 means on this form (e.g. a disabled account on sign-in). */
  forbidden?: MessageKey;
  /** The message for a field the server rejected (400 with details.field). */
  fieldMessage: (field: F) => MessageKey;
}

export function failureFrom<F extends string>(err: unknown, opts: FailureOptions<F>): Failure<F> {
  const message = (key: MessageKey): Failure<F> => ({ form: { kind: 'message', key }, fields: {} });
  if (err instanceof NetworkError) return message('errors.network');
  if (!(err instanceof ApiError)) return message('errors.unexpected');
  if (err.status === 429) {
    return {
      form: { kind: 'rateLimited', seconds: err.retryAfter },
      fields: {},
    };
  }
  if (err.status === 401) return message(opts.unauthorized ?? 'errors.sessionEnded');
  if (err.status === 403 && opts.forbidden) return message(opts.forbidden);
  if (err.status === 400) {
    const field = err.details.field;
    if (typeof field === 'string' && (opts.fields as readonly string[]).includes(field)) {
      const f = field as F;
      return { form: null, fields: { [f]: opts.fieldMessage(f) } as Partial<Record<F, MessageKey>> };
    }
    return message('validation.summary');
  }
  if (err.status >= 500) return message('errors.server');
  return message('errors.unexpected');
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

export function isEmail(value: string): boolean {
  return EMAIL_RE.test(value.trim());
}

/** Password length as the server counts it: in characters (code points), not UTF-16 units. */
export function charLength(value: string): number {
  return Array.from(value).length;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;

/** Translates a FormError for display (English or Korean, whichever is active). */
export function formErrorText(
  error: FormError,
  t: (key: MessageKey) => string,
  tp: (base: 'errors.rateLimited', count: number) => string,
): string {
  if (error.kind === 'message') return t(error.key);
  if (error.kind === 'server') return error.text;
  // Never "0 seconds": a Retry-After of 0 still means "wait a moment".
  if (error.seconds === null || error.seconds < 1) return t('errors.rateLimitedSoon');
  return tp('errors.rateLimited', error.seconds);
}

/**
 * Translations for the error codes and reasons this UI knows, checked in order:
 * details.reason, then the error code (e.g. "conflict"), then "status:<n>".
 */
export type KnownErrors = Partial<Record<string, MessageKey>>;

/** Reasons the server gives that mean the same wherever they appear. */
const COMMON: KnownErrors = {
  password_login_disabled: 'errors.passwordLoginDisabled',
  registration_closed: 'errors.registrationClosed',
  domain_not_allowed: 'errors.domainNotAllowed',
  last_owner: 'errors.lastOwner',
  too_common: 'validation.passwordTooCommon',
  common_password: 'validation.passwordTooCommon',
  password_too_common: 'validation.passwordTooCommon',
  too_short: 'validation.passwordTooShort',
  password_too_short: 'validation.passwordTooShort',
  email_taken: 'errors.emailTaken',
  'status:403': 'errors.forbidden',
  'status:404': 'errors.notFound',
};

/** The message for any failed call: known reasons translated, else the server's (English) message. */
export function errorFrom(err: unknown, known: KnownErrors = {}): FormError {
  if (err instanceof NetworkError) return { kind: 'message', key: 'errors.network' };
  if (!(err instanceof ApiError)) return { kind: 'message', key: 'errors.unexpected' };
  if (err.status === 429) return { kind: 'rateLimited', seconds: err.retryAfter };
  const reason = typeof err.details.reason === 'string' ? err.details.reason : undefined;
  const candidates = [reason, err.code, `status:${err.status}`];
  for (const c of candidates) {
    if (c && known[c]) return { kind: 'message', key: known[c] };
  }
  for (const c of candidates) {
    if (c && COMMON[c]) return { kind: 'message', key: COMMON[c] };
  }
  if (err.status === 401) return { kind: 'message', key: 'errors.sessionEnded' };
  if (err.status >= 500) return { kind: 'message', key: 'errors.server' };
  if (err.message && !/^HTTP \d+$/.test(err.message)) return { kind: 'server', text: err.message };
  return { kind: 'message', key: 'errors.unexpected' };
}

/** True for a 409 conflict (a stale version). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409;
}

/** The details.field of a 400, when it is one of `fields`. */
export function invalidField<F extends string>(err: unknown, fields: readonly F[]): F | null {
  if (!(err instanceof ApiError) || err.status !== 400) return null;
  const f = err.details.field;
  return typeof f === 'string' && (fields as readonly string[]).includes(f) ? (f as F) : null;
}

/** Client-side password checks (the server has the final word, e.g. on common passwords). */
export function passwordProblem(password: string): MessageKey | undefined {
  if (!password) return 'validation.passwordRequired';
  const n = charLength(password);
  if (n < PASSWORD_MIN) return 'validation.passwordTooShort';
  if (n > PASSWORD_MAX) return 'validation.passwordTooLong';
  return undefined;
}

/** Text for a field the server refused: a known reason translated, else its message. */
export function fieldErrorText(err: unknown, t: (key: MessageKey) => string): string {
  const e = errorFrom(err);
  if (e.kind === 'message') return e.key === 'validation.summary' ? t('validation.fieldInvalid') : t(e.key);
  if (e.kind === 'server') return e.text;
  return t('validation.fieldInvalid');
}
