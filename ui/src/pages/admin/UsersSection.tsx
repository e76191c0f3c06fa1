import { useRef, useState, type FormEvent } from 'react';
import { ApiError, type Role, type User } from '../../api/client';
import type { Invitation } from '../../api/types';
import { useAuth, useUser } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, isEmail, passwordProblem, type FormError, type KnownErrors } from '../../auth/formErrors';
import { ActionMenu, type Action } from '../../components/ActionMenu';
import { Avatar } from '../../components/Avatar';
import { ConfirmDialog, Dialog, DialogActions } from '../../components/Dialog';
import { EmailField, ErrorAlert, PasswordField, RadioGroup, SelectField, Spinner, SubmitButton, TextField, useErrorText } from '../../components/Form';
import { PlusIcon, SearchIcon } from '../../components/Icons';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../../i18n';
import { useFormat } from '../../lib/format';
import { useDebounced, usePaged, withParams } from '../../lib/usePaged';
import { Link } from '../../router';

const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'guest'];

/** Errors the user-admin endpoints answer with. */
const USER_ERRORS: KnownErrors = {
  last_owner: 'errors.lastOwner',
  stale_version: 'errors.staleVersion',
};

type Pending =
  | { kind: 'role'; user: User }
  | { kind: 'disable'; user: User }
  | { kind: 'sessions'; user: User }
  | { kind: 'mfa'; user: User }
  | { kind: 'delete'; user: User }
  | { kind: 'invite' }
  | { kind: 'create' }
  | { kind: 'revoke'; invitation: Invitation };

/** Roles this admin may hand out: only an owner makes owners. */
export function assignableRoles(me: User): Role[] {
  return me.role === 'owner' ? [...ROLES] : ROLES.filter((r) => r !== 'owner');
}

/** Whether `me` may change `target` at all (never themselves here; owners only by owners; deleted users never). */
export function canManage(me: User, target: User): boolean {
  if (target.id === me.id || target.deleted) return false;
  if (target.role === 'owner' && me.role !== 'owner') return false;
  return true;
}

export function userStatusKey(u: User): MessageKey {
  if (u.deleted) return 'admin.users.status.deleted';
  return u.status === 'disabled' ? 'admin.users.status.disabled' : 'admin.users.status.active';
}

export function UsersSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const me = useUser();
  const toast = useToast();
  const errorText = useErrorText();
  const fmt = useFormat();
  useDocumentTitle('admin.users.docTitle');

  const [query, setQuery] = useState('');
  const [role, setRole] = useState('');
  const [status, setStatus] = useState('');
  const debounced = useDebounced(query.trim());
  const users = usePaged<User>(withParams('/api/v1/users', { query: debounced, role, status }));
  const invitations = usePaged<Invitation>('/api/v1/invitations?status=pending', 100);
  const [pending, setPending] = useState<Pending | null>(null);

  const close = () => setPending(null);

  /** PATCH /users/:id; a stale version reloads the list and says so. */
  async function patchUser(u: User, body: { role?: Role; status?: 'active' | 'disabled' }): Promise<User> {
    try {
      const next = await client.request<User>(`/api/v1/users/${encodeURIComponent(u.id)}`, {
        method: 'PATCH',
        body: { ...body, version: u.version },
      });
      users.replace((x) => x.id === u.id, next);
      return next;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.details.current_version !== undefined) {
        users.reload();
        throw new ApiError(409, 'conflict', err.message, { reason: 'stale_version' });
      }
      throw err;
    }
  }

  async function enable(u: User) {
    try {
      await patchUser(u, { status: 'active' });
      toast(t('admin.users.enabled', { name: u.name }));
    } catch (err) {
      toast(errorText(errorFrom(err, USER_ERRORS)), 'error');
    }
  }

  function actionsFor(u: User): Action[] {
    if (!canManage(me, u)) return [];
    const list: Action[] = [{ label: t('admin.users.changeRole'), onSelect: () => setPending({ kind: 'role', user: u }) }];
    if (u.status === 'disabled') list.push({ label: t('admin.users.enable'), onSelect: () => void enable(u) });
    else list.push({ label: t('admin.users.disable'), onSelect: () => setPending({ kind: 'disable', user: u }) });
    list.push({ label: t('admin.users.endSessions'), onSelect: () => setPending({ kind: 'sessions', user: u }) });
    if (u.mfa_enabled) list.push({ label: t('admin.users.resetMfa'), onSelect: () => setPending({ kind: 'mfa', user: u }) });
    list.push({ label: t('admin.users.delete'), onSelect: () => setPending({ kind: 'delete', user: u }), danger: true });
    return list;
  }

  const filtered = debounced !== '' || role !== '' || status !== '';

  return (
    <div className="section section--wide">
      <SectionHeader
        title={t('admin.users.title')}
        lead={t('admin.users.lead')}
        actions={
          <>
            <button type="button" className="button" onClick={() => setPending({ kind: 'create' })}>
              {t('admin.users.create')}
            </button>
            <button type="button" className="button button--primary" onClick={() => setPending({ kind: 'invite' })}>
              <PlusIcon width={16} height={16} />
              {t('admin.users.invite')}
            </button>
          </>
        }
      />

      <div className="filters" role="search" aria-label={t('admin.users.filters')}>
        <div className="field filters__search">
          <label className="visually-hidden" htmlFor="user-search">
            {t('admin.users.search')}
          </label>
          <div className="field__control search">
            <SearchIcon width={16} height={16} className="search__icon" />
            <input
              id="user-search"
              className="input search__input"
              type="search"
              placeholder={t('admin.users.searchPlaceholder')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              autoComplete="off"
            />
          </div>
        </div>
        <SelectField label={t('admin.users.role')} hideLabel value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="">{t('admin.users.allRoles')}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('admin.users.status')} hideLabel value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t('admin.users.allStatuses')}</option>
          <option value="active">{t('admin.users.status.active')}</option>
          <option value="disabled">{t('admin.users.status.disabled')}</option>
          <option value="deleted">{t('admin.users.status.deleted')}</option>
        </SelectField>
      </div>

      <ErrorAlert error={users.error} />
      <Panel>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('admin.users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.col.name')}</th>
                <th scope="col" className="hide-narrow">
                  {t('admin.users.col.email')}
                </th>
                <th scope="col">{t('admin.users.col.role')}</th>
                <th scope="col">{t('admin.users.col.status')}</th>
                <th scope="col" className="hide-narrow">
                  {t('admin.users.col.mfa')}
                </th>
                <th scope="col" className="hide-narrow">
                  {t('admin.users.col.lastSeen')}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.users.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(users.items ?? []).map((u) => {
                const actions = actionsFor(u);
                return (
                  <tr key={u.id} className={u.status === 'disabled' || u.deleted ? 'is-muted' : undefined}>
                    <td>
                      <div className="person">
                        <Avatar name={u.name} url={u.avatar_url} />
                        <div className="person__text">
                          <span className="person__name">
                            {u.deleted ? t('admin.users.deletedUser') : u.name}
                            {u.id === me.id ? <span className="tag">{t('admin.users.you')}</span> : null}
                          </span>
                          <span className="person__sub show-narrow">{u.email}</span>
                        </div>
                      </div>
                    </td>
                    <td className="hide-narrow cell-email">{u.email}</td>
                    <td>
                      <span className={`badge badge--${u.role}`}>{t(`role.${u.role}`)}</span>
                    </td>
                    <td>
                      <span className={`status status--${u.deleted ? 'deleted' : u.status}`}>{t(userStatusKey(u))}</span>
                    </td>
                    <td className="hide-narrow">{u.mfa_enabled ? t('admin.users.mfaOn') : t('admin.users.mfaOff')}</td>
                    <td className="hide-narrow nowrap">
                      {u.last_seen_at ? (
                        <time dateTime={u.last_seen_at} title={fmt.dateTime(u.last_seen_at)}>
                          {fmt.relative(u.last_seen_at)}
                        </time>
                      ) : (
                        <span className="muted">{t('admin.users.never')}</span>
                      )}
                    </td>
                    <td className="cell-actions">
                      {actions.length > 0 ? (
                        <ActionMenu label={t('admin.users.actionsFor', { name: u.name })} actions={actions} />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {users.items && users.items.length === 0 ? (
          <p className="empty">{filtered ? t('admin.users.noMatches') : t('admin.users.none')}</p>
        ) : null}
        {!users.items && users.loading ? (
          <div className="pending" role="status" aria-label={t('common.loading')}>
            <Spinner />
          </div>
        ) : null}
        {users.hasMore ? (
          <div className="panel__more">
            <button type="button" className="button" onClick={users.loadMore} aria-disabled={users.loading || undefined}>
              {users.loading ? <Spinner /> : null}
              {t('common.loadMore')}
            </button>
          </div>
        ) : null}
      </Panel>

      <InvitationsPanel invitations={invitations.items} error={invitations.error} onRevoke={(inv) => setPending({ kind: 'revoke', invitation: inv })} onResent={invitations.reload} />

      {pending?.kind === 'invite' ? (
        <InviteDialog
          onClose={close}
          onInvited={(email) => {
            toast(t('admin.invite.sent', { email }));
            invitations.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'create' ? (
        <CreateUserDialog
          onClose={close}
          onCreated={(u) => {
            toast(t('admin.create.done', { name: u.name }));
            users.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'role' ? (
        <RoleDialog
          user={pending.user}
          roles={assignableRoles(me)}
          onClose={close}
          onSave={async (r) => {
            await patchUser(pending.user, { role: r });
            toast(t('admin.users.roleChanged', { name: pending.user.name, role: t(`role.${r}`) }));
          }}
        />
      ) : null}
      {pending?.kind === 'disable' ? (
        <ConfirmDialog
          danger
          title={t('admin.users.disableTitle', { name: pending.user.name })}
          body={t('admin.users.disableBody')}
          confirmLabel={t('admin.users.disable')}
          known={USER_ERRORS}
          onClose={close}
          onConfirm={async () => {
            await patchUser(pending.user, { status: 'disabled' });
            toast(t('admin.users.disabled', { name: pending.user.name }));
          }}
        />
      ) : null}
      {pending?.kind === 'sessions' ? (
        <ConfirmDialog
          danger
          title={t('admin.users.endSessionsTitle', { name: pending.user.name })}
          body={t('admin.users.endSessionsBody')}
          confirmLabel={t('admin.users.endSessions')}
          onClose={close}
          onConfirm={async () => {
            await client.request(`/api/v1/users/${encodeURIComponent(pending.user.id)}/sessions`, { method: 'DELETE' });
            toast(t('admin.users.sessionsEnded', { name: pending.user.name }));
          }}
        />
      ) : null}
      {pending?.kind === 'mfa' ? (
        <ConfirmDialog
          danger
          title={t('admin.users.resetMfaTitle', { name: pending.user.name })}
          body={t('admin.users.resetMfaBody')}
          confirmLabel={t('admin.users.resetMfa')}
          onClose={close}
          onConfirm={async () => {
            await client.request(`/api/v1/users/${encodeURIComponent(pending.user.id)}/mfa`, { method: 'DELETE' });
            users.replace((x) => x.id === pending.user.id, { ...pending.user, mfa_enabled: false });
            toast(t('admin.users.mfaReset', { name: pending.user.name }));
          }}
        />
      ) : null}
      {pending?.kind === 'delete' ? (
        <ConfirmDialog
          danger
          title={t('admin.users.deleteTitle', { name: pending.user.name })}
          body={t('admin.users.deleteBody', { email: pending.user.email })}
          confirmLabel={t('admin.users.delete')}
          known={USER_ERRORS}
          onClose={close}
          onConfirm={async () => {
            await client.request(`/api/v1/users/${encodeURIComponent(pending.user.id)}`, { method: 'DELETE' });
            toast(t('admin.users.deleted', { name: pending.user.name }));
            users.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'revoke' ? (
        <ConfirmDialog
          danger
          title={t('admin.invitations.revokeTitle')}
          body={t('admin.invitations.revokeBody', { email: pending.invitation.email })}
          confirmLabel={t('admin.invitations.revoke')}
          onClose={close}
          onConfirm={async () => {
            await client.request(`/api/v1/invitations/${encodeURIComponent(pending.invitation.id)}`, { method: 'DELETE' });
            toast(t('admin.invitations.revoked', { email: pending.invitation.email }));
            invitations.reload();
          }}
        />
      ) : null}
    </div>
  );
}

function InvitationsPanel({
  invitations,
  error,
  onRevoke,
  onResent,
}: {
  invitations: Invitation[] | null;
  error: FormError | null;
  onRevoke: (inv: Invitation) => void;
  onResent: () => void;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [busy, setBusy] = useState<string | null>(null);

  async function resend(inv: Invitation) {
    setBusy(inv.id);
    try {
      await client.request(`/api/v1/invitations/${encodeURIComponent(inv.id)}/resend`, { method: 'POST' });
      toast(t('admin.invitations.resent', { email: inv.email }));
      onResent();
    } catch (err) {
      toast(errorText(errorFrom(err)), 'error');
    } finally {
      setBusy(null);
    }
  }

  return (
    <Panel title={t('admin.invitations.title')} description={t('admin.invitations.lead')}>
      <ErrorAlert error={error} />
      {invitations && invitations.length === 0 ? <p className="empty empty--inline">{t('admin.invitations.none')}</p> : null}
      {invitations && invitations.length > 0 ? (
        <ul className="list" aria-label={t('admin.invitations.title')}>
          {invitations.map((inv) => (
            <li key={inv.id} className="list__item">
              <div className="list__main">
                <p className="list__title">
                  {inv.email}
                  <span className={`badge badge--${inv.role}`}>{t(`role.${inv.role}`)}</span>
                </p>
                <p className="list__meta">
                  {inv.invited_by?.name ? <span>{t('admin.invitations.by', { name: inv.invited_by.name })}</span> : null}
                  <span>{t('admin.invitations.expires', { when: fmt.relative(inv.expires_at) })}</span>
                </p>
              </div>
              <div className="row row--end">
                <button
                  type="button"
                  className="button button--small"
                  aria-label={t('admin.invitations.resendTo', { email: inv.email })}
                  aria-disabled={busy === inv.id || undefined}
                  onClick={() => busy === null && void resend(inv)}
                >
                  {busy === inv.id ? <Spinner /> : null}
                  {t('admin.invitations.resend')}
                </button>
                <button
                  type="button"
                  className="button button--small button--danger-outline"
                  aria-label={t('admin.invitations.revokeFor', { email: inv.email })}
                  onClick={() => onRevoke(inv)}
                >
                  {t('admin.invitations.revoke')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}

function InviteDialog({ onClose, onInvited }: { onClose: () => void; onInvited: (email: string) => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [emailError, setEmailError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const ref = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const value = email.trim();
    const problem = !value ? t('validation.emailRequired') : !isEmail(value) ? t('validation.emailInvalid') : undefined;
    setEmailError(problem);
    if (problem) {
      ref.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await client.request('/api/v1/invitations', { method: 'POST', body: { email: value, role } });
      onInvited(value);
      onClose();
    } catch (err) {
      setBusy(false);
      if (invalidField(err, ['email'] as const)) {
        setEmailError(fieldErrorText(err, t));
        ref.current?.focus();
        return;
      }
      setError(errorFrom(err, { conflict: 'admin.invite.exists' }));
    }
  }

  return (
    <Dialog title={t('admin.invite.title')} description={t('admin.invite.lead')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <EmailField
          label={t('setup.email')}
          name="email"
          autoComplete="off"
          placeholder="name@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={emailError}
          inputRef={ref}
          data-autofocus
        />
        <AssignableRoleField value={role} onChange={setRole} />
        <p className="field__hint">
          {t('admin.invite.outboxHint')}{' '}
          <Link to="/admin/mail" onClick={onClose}>
            {t('admin.invite.outboxLink')}
          </Link>
        </p>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('admin.invite.submit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** The roles the signed-in admin may hand out, as a select (invitations and new accounts). */
function AssignableRoleField({ value, onChange }: { value: Role; onChange: (role: Role) => void }) {
  const { t } = useI18n();
  const me = useUser();
  return (
    <SelectField label={t('admin.users.role')} value={value} onChange={(e) => onChange(e.target.value as Role)}>
      {assignableRoles(me).map((r) => (
        <option key={r} value={r}>
          {t(`role.${r}`)}
        </option>
      ))}
    </SelectField>
  );
}

/** An account with a password the admin sets and hands over (when there is no mail server, or for a shared device). */
function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (u: User) => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ name?: string; email?: string; password?: string }>({});
  const [error, setError] = useState<FormError | null>(null);
  const refs = { name: useRef<HTMLInputElement>(null), email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const next: typeof errors = {};
    if (!name.trim()) next.name = t('admin.create.nameRequired');
    if (!email.trim()) next.email = t('admin.create.emailRequired');
    else if (!isEmail(email.trim())) next.email = t('validation.emailInvalid');
    const weak = passwordProblem(password);
    if (weak) next.password = weak === 'validation.passwordRequired' ? t('admin.create.passwordRequired') : t(weak);
    setErrors(next);
    const first = (['name', 'email', 'password'] as const).find((k) => next[k]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    try {
      const u = await client.request<User>('/api/v1/users', { method: 'POST', body: { name: name.trim(), email: email.trim(), password, role } });
      onCreated(u);
      onClose();
    } catch (err) {
      setBusy(false);
      const field = invalidField(err, ['name', 'email', 'password'] as const);
      if (field) {
        setErrors({ [field]: fieldErrorText(err, t) });
        refs[field].current?.focus();
        return;
      }
      setError(errorFrom(err, { conflict: 'admin.create.exists' }));
    }
  }

  return (
    <Dialog title={t('admin.create.title')} description={t('admin.create.lead')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('setup.name')}
          name="name"
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          inputRef={refs.name}
          data-autofocus
        />
        <EmailField
          label={t('setup.email')}
          name="email"
          autoComplete="off"
          placeholder="name@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          inputRef={refs.email}
        />
        <PasswordField
          label={t('admin.create.password')}
          name="new-password"
          autoComplete="new-password"
          hint={t('admin.create.passwordHint')}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          inputRef={refs.password}
        />
        <AssignableRoleField value={role} onChange={setRole} />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('admin.create.submit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function RoleDialog({
  user,
  roles,
  onClose,
  onSave,
}: {
  user: User;
  roles: Role[];
  onClose: () => void;
  onSave: (role: Role) => Promise<void>;
}) {
  const { t } = useI18n();
  const [role, setRole] = useState<Role>(user.role);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (role === user.role) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(role);
      onClose();
    } catch (err) {
      setBusy(false);
      setError(errorFrom(err, USER_ERRORS));
    }
  }

  return (
    <Dialog title={t('admin.users.roleTitle', { name: user.name })} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <RadioGroup
          legend={t('admin.users.role')}
          name="role"
          value={role}
          onChange={setRole}
          options={roles.map((r) => ({ value: r, label: t(`role.${r}`), description: t(`role.${r}.description`) }))}
        />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('common.save')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
