import { useCallback, useEffect, useId, useState } from 'react';
import type { Team } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { ActionMenu } from '../components/ActionMenu';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, SelectField, Spinner } from '../components/Form';
import { CloseIcon, PlusIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useRealtimeEvent } from '../realtime';
import * as api from './api';
import { PeoplePicker } from './PeoplePicker';
import { PresenceDot } from './Presence';
import { useChat, useChatStore } from './store';
import type { Channel, Member, UserRef } from './types';

/** The side pane with a channel's members: presence, roles, add and remove. */
export function MembersPane({ channel, canManage, isMember, onClose }: { channel: Channel; canManage: boolean; isMember: boolean; onClose: () => void }) {
  const { t, tp } = useI18n();
  const { client, user } = useAuth();
  const toast = useToast();
  const store = useChatStore();
  const chat = useChat();
  const headingId = useId();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [teamId, setTeamId] = useState('');
  const [busy, setBusy] = useState(false);
  // Teams are listed to organisation admins only, so only they can add one.
  const orgAdmin = user?.role === 'owner' || user?.role === 'admin';

  const load = useCallback(() => {
    api.listMembers(client, channel.id).then(
      (list) => {
        setMembers(list);
        setError(null);
        store.rememberUsers(list.map((m) => m.user));
        store.rememberPresence(Object.fromEntries(list.filter((m) => m.presence).map((m) => [m.user.id, m.presence!])));
      },
      (err: unknown) => setError(errorFrom(err)),
    );
  }, [client, channel.id, store]);

  useEffect(load, [load]);
  useRealtimeEvent('member.*', (e) => {
    if ((e.data as { channel_id?: string } | undefined)?.channel_id === channel.id) load();
  });

  // Members of a public channel may invite; private channels: members too (Slack-like); DMs: nobody.
  const canAdd = isMember && channel.kind !== 'dm' && !channel.archived_at;

  const add = async (people: UserRef[]) => {
    for (const p of people) await api.addMember(client, channel.id, { user_id: p.id });
    toast(tp('chat.members.added', people.length));
    setAdding(false);
    load();
  };

  const canAddTeam = canAdd && canManage && orgAdmin;
  useEffect(() => {
    if (!canAddTeam) return;
    let live = true;
    client.request<{ items?: Team[] }>('/api/v1/teams').then(
      (r) => live && setTeams(r.items ?? []),
      () => live && setTeams([]),
    );
    return () => {
      live = false;
    };
  }, [client, canAddTeam]);

  /** Runs a membership change, reporting a failure in the pane. */
  const change = async (run: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await run();
      load();
    } catch (err) {
      setError(errorFrom(err));
    } finally {
      setBusy(false);
    }
  };

  const addTeam = () => {
    const team = teams?.find((x) => x.id === teamId);
    if (!team) return;
    void change(async () => {
      const added = await api.addMember(client, channel.id, { team_id: team.id });
      toast(added.length ? tp('chat.members.teamAdded', added.length, { team: team.name }) : t('chat.members.teamAlreadyIn', { team: team.name }));
      setTeamId('');
    });
  };

  const setRole = (m: Member, role: 'member' | 'admin') =>
    change(async () => {
      await api.addMember(client, channel.id, { user_id: m.user.id, role });
      toast(t(role === 'admin' ? 'chat.members.madeAdmin' : 'chat.members.madeMember', { name: m.user.name }));
    });

  const order = { online: 0, away: 1, offline: 2 } as const;
  const sorted = [...(members ?? [])].sort(
    (a, b) => order[chat.presence[a.user.id] ?? a.presence ?? 'offline'] - order[chat.presence[b.user.id] ?? b.presence ?? 'offline'] || a.user.name.localeCompare(b.user.name),
  );

  return (
    <aside className="chat-pane" aria-labelledby={headingId} onKeyDown={(e) => e.key === 'Escape' && !document.querySelector('.dialog-layer, .menu') && onClose()}>
      <div className="chat-pane__header">
        <div className="chat-pane__title">
          <h2 id={headingId} tabIndex={-1}>
            {t('chat.members.title')}
          </h2>
          {members ? <span className="chat-pane__sub">{tp('chat.members.count', members.length)}</span> : null}
        </div>
        <button type="button" className="icon-button" aria-label={t('chat.members.close')} title={t('chat.members.close')} onClick={onClose}>
          <CloseIcon width={18} height={18} />
        </button>
      </div>
      <div className="chat-pane__body">
        <ErrorAlert error={error} />
        {canAdd ? (
          adding ? (
            <PeoplePicker
              label={t('chat.members.addLabel')}
              submitLabel={t('chat.members.add')}
              exclude={(members ?? []).map((m) => m.user.id)}
              max={50}
              onSubmit={add}
              onCancel={() => setAdding(false)}
            />
          ) : (
            <button type="button" className="button button--small members-add" onClick={() => setAdding(true)}>
              <PlusIcon width={16} height={16} /> {t('chat.members.add')}
            </button>
          )
        ) : null}
        {canAddTeam && teams && teams.length > 0 ? (
          <form
            className="members-team"
            onSubmit={(e) => {
              e.preventDefault();
              addTeam();
            }}
          >
            <SelectField label={t('chat.members.addTeamLabel')} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">{t('chat.members.chooseTeam')}</option>
              {teams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </SelectField>
            <button type="submit" className="button button--small" disabled={!teamId || busy}>
              {t('chat.members.addTeam')}
            </button>
          </form>
        ) : null}
        {members === null && !error ? (
          <div className="chat-pane__loading">
            <Spinner />
          </div>
        ) : (
          <ul className="member-list">
            {sorted.map((m) => (
              <li key={m.user.id} className="member">
                <span className="member__avatar">
                  <Avatar name={m.user.name} url={m.user.avatar_url} size="sm" />
                  <PresenceDot status={chat.presence[m.user.id] ?? m.presence} className="presence--on-avatar" />
                </span>
                <span className="member__name">
                  {m.user.name}
                  {m.user.id === user?.id ? <span className="member__you"> {t('chat.members.you')}</span> : null}
                </span>
                {m.role === 'admin' ? <span className="badge badge--admin">{t('chat.members.admin')}</span> : null}
                {canManage && m.user.id !== user?.id && channel.kind !== 'dm' ? (
                  <ActionMenu
                    label={t('chat.members.actionsFor', { name: m.user.name })}
                    actions={[
                      m.role === 'admin'
                        ? { label: t('chat.members.makeMember'), onSelect: () => void setRole(m, 'member') }
                        : { label: t('chat.members.makeAdmin'), onSelect: () => void setRole(m, 'admin') },
                      { label: t('chat.members.remove'), danger: true, onSelect: () => setRemoving(m) },
                    ]}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      {removing ? (
        <ConfirmDialog
          title={t('chat.members.removeTitle', { name: removing.user.name })}
          body={t('chat.members.removeBody', { channel: channel.name })}
          confirmLabel={t('chat.members.remove')}
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeMember(client, channel.id, removing.user.id);
            toast(t('chat.members.removed', { name: removing.user.name }));
            load();
          }}
        />
      ) : null}
    </aside>
  );
}
