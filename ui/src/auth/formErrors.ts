import { ApiError, NetworkError } from '../api/client';
import type { MessageKey } from '../i18n';

// Errors are kept as message keys (not strings) so they re-translate when the
// user switches language while an error is on screen.

export type FormError =
  | { kind: 'message'; key: MessageKey }
  /** 429: the server's Retry-After in seconds (null if it did not say). */
  | { kind: 'rateLimited'; seconds: number | null };

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
  // Never "0 seconds": a Retry-After of 0 still means "wait a moment".
  if (error.seconds === null || error.seconds < 1) return t('errors.rateLimitedSoon');
  return tp('errors.rateLimited', error.seconds);
}
