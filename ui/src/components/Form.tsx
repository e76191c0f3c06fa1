import {
  useId,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
} from 'react';
import { formErrorText, type FormError } from '../auth/formErrors';
import { useI18n } from '../i18n';
import { AlertIcon, CheckIcon, ChevronDownIcon, EyeIcon, EyeOffIcon } from './Icons';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  hint?: string;
  error?: string;
  inputRef?: Ref<HTMLInputElement>;
  /** Extra control rendered inside the input box (e.g. show-password). */
  adornment?: ReactNode;
}

/** A labelled text input with an optional hint and an error message wired up for assistive tech. */
export function TextField({ label, hint, error, inputRef, adornment, className, ...input }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className={`field__control${adornment ? ' field__control--adorned' : ''}`}>
        <input
          id={id}
          ref={inputRef}
          className="input"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...input}
        />
        {adornment}
      </div>
      {error ? (
        <p className="field__error" id={errorId}>
          <AlertIcon width={16} height={16} />
          <span>{error}</span>
        </p>
      ) : null}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** An email address input: the phone's email keyboard, no auto-capitalising, no spell check. */
export function EmailField(props: Omit<FieldProps, 'type' | 'inputMode'>) {
  return <TextField type="email" inputMode="email" autoCapitalize="off" spellCheck={false} {...props} />;
}

/** A password input with a show/hide toggle. */
export function PasswordField(props: Omit<FieldProps, 'type' | 'adornment'>) {
  const { t } = useI18n();
  const [visible, setVisible] = useState(false);
  return (
    <TextField
      {...props}
      type={visible ? 'text' : 'password'}
      autoCapitalize="off"
      autoCorrect="off"
      spellCheck={false}
      adornment={
        <button
          type="button"
          className="field__toggle"
          aria-pressed={visible}
          aria-label={visible ? t('password.hide') : t('password.show')}
          title={visible ? t('password.hide') : t('password.show')}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? <EyeOffIcon width={18} height={18} /> : <EyeIcon width={18} height={18} />}
        </button>
      }
    />
  );
}

/** The form-level error, announced when it appears. */
export function FormAlert({ children }: { children: ReactNode }) {
  return (
    <div className="form-alert" role="alert">
      <AlertIcon width={18} height={18} />
      <div>{children}</div>
    </div>
  );
}

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

/** A FormError (see auth/formErrors) shown as the form-level alert, or nothing. */
export function ErrorAlert({ error }: { error: FormError | null | undefined }) {
  const { t, tp } = useI18n();
  if (!error) return null;
  return <FormAlert>{formErrorText(error, t, tp)}</FormAlert>;
}

/** A success or information line, announced politely. */
export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`notice notice--${tone}`} role="status">
      {tone === 'success' ? <CheckIcon width={18} height={18} /> : tone === 'warning' ? <AlertIcon width={18} height={18} /> : null}
      <div>{children}</div>
    </div>
  );
}

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> {
  label: string;
  hint?: string;
  error?: string;
  /** Visually hide the label (it still names the control). */
  hideLabel?: boolean;
}

/** A labelled native select (native for keyboard, screen readers and phones). */
export function SelectField({ label, hint, error, hideLabel, className, children, ...select }: SelectFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label className={hideLabel ? 'visually-hidden' : 'field__label'} htmlFor={id}>
        {label}
      </label>
      <div className="field__control select">
        <select
          id={id}
          className="input select__input"
          aria-invalid={error ? true : undefined}
          aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
          {...select}
        >
          {children}
        </select>
        <ChevronDownIcon width={16} height={16} className="select__chevron" />
      </div>
      {error ? (
        <p className="field__error" id={errorId}>
          <AlertIcon width={16} height={16} />
          <span>{error}</span>
        </p>
      ) : null}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A checkbox with its label (and an optional description under it). */
export function Checkbox({
  label,
  description,
  className,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'id'> & { label: ReactNode; description?: ReactNode }) {
  const id = useId();
  const descId = description ? `${id}-desc` : undefined;
  return (
    <div className={`check${className ? ` ${className}` : ''}`}>
      <input id={id} type="checkbox" className="check__input" aria-describedby={descId} {...input} />
      <div className="check__text">
        <label htmlFor={id} className="check__label">
          {label}
        </label>
        {description ? (
          <p className="check__desc" id={descId}>
            {description}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** An on/off switch (a checkbox with role="switch"). */
export function Switch({
  label,
  description,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'id' | 'role'> & { label: ReactNode; description?: ReactNode }) {
  const id = useId();
  const descId = description ? `${id}-desc` : undefined;
  return (
    <div className="switch-row">
      <div className="switch-row__text">
        <label htmlFor={id} className="check__label">
          {label}
        </label>
        {description ? (
          <p className="check__desc" id={descId}>
            {description}
          </p>
        ) : null}
      </div>
      <input id={id} type="checkbox" role="switch" className="switch" aria-describedby={descId} {...input} />
    </div>
  );
}

export interface RadioOption<V extends string> {
  value: V;
  label: ReactNode;
  description?: ReactNode;
}

/** A group of radio buttons in a fieldset with a legend. */
export function RadioGroup<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  disabled,
}: {
  legend: string;
  name: string;
  value: V;
  options: readonly RadioOption<V>[];
  onChange: (v: V) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <fieldset className="radios" disabled={disabled}>
      <legend className="field__label">{legend}</legend>
      {options.map((o) => {
        const optId = `${id}-${o.value}`;
        return (
          <div key={o.value} className={`radio${value === o.value ? ' is-checked' : ''}`}>
            <input
              id={optId}
              type="radio"
              className="check__input"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
              aria-describedby={o.description ? `${optId}-desc` : undefined}
            />
            <div className="check__text">
              <label htmlFor={optId} className="check__label">
                {o.label}
              </label>
              {o.description ? (
                <p className="check__desc" id={`${optId}-desc`}>
                  {o.description}
                </p>
              ) : null}
            </div>
          </div>
        );
      })}
    </fieldset>
  );
}

/** A submit button that shows a spinner and stays focusable while busy. */
export function SubmitButton({
  busy,
  children,
  busyLabel,
  className = 'button button--primary',
  ...rest
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type'> & { busy: boolean; busyLabel?: string }) {
  return (
    <button type="submit" className={className} aria-disabled={busy || undefined} {...rest}>
      {busy ? <Spinner /> : null}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}

/** Translates a FormError to text (for toasts). */
export function useErrorText(): (error: FormError) => string {
  const { t, tp } = useI18n();
  return (error) => formErrorText(error, t, tp);
}
