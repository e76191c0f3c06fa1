import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, invalidField, isConflict, type FormError } from '../auth/formErrors';
import { ActionMenu, type Action } from '../components/ActionMenu';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog, Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, Notice, RadioGroup, SubmitButton, TextField } from '../components/Form';
import { ArrowLeftIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import * as api from './api';
import { ChannelGlyph } from './glyph';
import { BellIcon, BellOffIcon, PinIcon, UsersIcon } from './icons';
import { PresenceDot } from './Presence';
import { useChat, useChatStore } from './store';
import { dmOthers, type Channel, type NotifyLevel } from './types';

function paneHref(channelId: string, pane: 'pins' | 'members' | null): string {
  return `/chat/c/${encodeURIComponent(channelId)}${pane ? `?pane=${pane}` : ''}`;
}

export function ChannelHeader({
  channel,
  title,
  headingId,
  isMember,
  canManage,
  pane,
  onChanged,
}: {
  channel: Channel | null;
  title: string;
  headingId: string;
  isMember: boolean;
  canManage: boolean;
  pane: 'thread' | 'pins' | 'members' | null;
  onChanged: (c: Channel) => void;
}) {
  const { t } = useI18n();
  const { client, user } = useAuth();
  const myId = user?.id ?? '';
  const toast = useToast();
  const store = useChatStore();
  const chat = useChat();
  const [dialog, setDialog] = useState<'edit' | 'notify' | 'leave' | 'archive' | null>(null);

  if (!channel) {
    return (
      <header className="chat-header">
        <div className="chat-header__title">
          <h1 id={headingId} className="chat-header__name" tabIndex={-1}>
            <span className="skeleton skeleton--text" aria-hidden="true" />
            <span className="visually-hidden">{t('common.loading')}</span>
          </h1>
        </div>
      </header>
    );
  }

  const dm = channel.kind === 'dm';
  const others = dm ? dmOthers(channel, myId) : [];
  const muted = !!chat.channels.find((c) => c.id === channel.id)?.muted;
  const memberCount = channel.member_count ?? channel.members?.length;

  const toggleMute = async () => {
    try {
      await api.setMuted(client, channel.id, !muted);
      store.setMutedLocal(channel.id, !muted);
      toast(!muted ? t('chat.channel.mutedToast', { name: title }) : t('chat.channel.unmutedToast', { name: title }));
    } catch (err) {
      const e = errorFrom(err);
      toast(e.kind === 'server' ? e.text : e.kind === 'message' ? t(e.key) : t('errors.unexpected'), 'error');
    }
  };

  const actions: Action[] = [];
  if (isMember && !dm && !channel.archived_at) actions.push({ label: t('chat.channel.editDetails'), onSelect: () => setDialog('edit') });
  if (isMember) actions.push({ label: t('chat.notify.menu'), onSelect: () => setDialog('notify') });
  actions.push({
    label: t('chat.channel.copyLink'),
    onSelect: () => {
      const url = `${window.location.origin}/chat/c/${encodeURIComponent(channel.id)}`;
      void navigator.clipboard?.writeText(url).then(
        () => toast(t('chat.message.linkCopied')),
        () => toast(url),
      );
    },
  });
  if (isMember && !dm) actions.push({ label: t('chat.channel.leave'), onSelect: () => setDialog('leave'), danger: true });
  if (canManage && !dm && !channel.archived_at) actions.push({ label: t('chat.channel.archive'), onSelect: () => setDialog('archive'), danger: true });
  if (canManage && !dm && channel.archived_at) {
    actions.push({
      label: t('chat.channel.unarchive'),
      onSelect: () =>
        void api.unarchiveChannel(client, channel.id).then(
          (c) => {
            const next = c ?? { ...channel, archived_at: null };
            onChanged(next);
            if (next.is_member !== false) store.upsertChannel({ ...next, is_member: true });
            toast(t('chat.channel.unarchived', { name: channel.name }));
          },
          (err: unknown) => {
            const e = errorFrom(err);
            toast(e.kind === 'server' ? e.text : e.kind === 'message' ? t(e.key) : t('errors.unexpected'), 'error');
          },
        ),
    });
  }

  const presence = dm && others.length === 1 ? chat.presence[others[0]!.id] : undefined;

  return (
    <header className="chat-header">
      <Link to="/chat" className="icon-button chat-header__back" aria-label={t('chat.channel.backToChat')}>
        <ArrowLeftIcon width={18} height={18} />
      </Link>
      <div className="chat-header__title">
        <div className="chat-header__line">
          {dm ? (
            others.length === 1 ? (
              <span className="chat-header__avatar">
                <Avatar name={others[0]!.name || '?'} url={others[0]!.avatar_url} size="sm" />
                <PresenceDot status={presence} className="presence--on-avatar" />
              </span>
            ) : (
              <UsersIcon width={18} height={18} className="channel-glyph" />
            )
          ) : (
            <ChannelGlyph channel={channel} myId={myId} size={18} />
          )}
          <h1 id={headingId} className="chat-header__name" tabIndex={-1}>
            {title}
          </h1>
          {muted ? <BellOffIcon width={14} height={14} className="chat-header__muted" aria-label={t('chat.channel.muted')} /> : null}
        </div>
        {channel.topic ? (
          <p className="chat-header__topic" title={channel.topic}>
            {channel.topic}
          </p>
        ) : dm && presence ? (
          <p className="chat-header__topic">{t(`chat.presence.${presence}`)}</p>
        ) : null}
      </div>
      <div className="chat-header__actions">
        {!dm || others.length > 1 ? (
          <Link
            to={paneHref(channel.id, pane === 'members' ? null : 'members')}
            className={`chat-header__button${pane === 'members' ? ' is-active' : ''}`}
            aria-label={t('chat.members.button', { count: memberCount ?? 0 })}
            title={t('chat.members.title')}
            aria-current={pane === 'members' ? 'true' : undefined}
          >
            <UsersIcon width={18} height={18} />
            {memberCount !== undefined ? <span aria-hidden="true">{memberCount}</span> : null}
          </Link>
        ) : null}
        <Link
          to={paneHref(channel.id, pane === 'pins' ? null : 'pins')}
          className={`chat-header__button${pane === 'pins' ? ' is-active' : ''}`}
          aria-label={t('chat.pins.title')}
          title={t('chat.pins.title')}
          aria-current={pane === 'pins' ? 'true' : undefined}
        >
          <PinIcon width={18} height={18} />
        </Link>
        {isMember ? (
          <button
            type="button"
            className="chat-header__button"
            aria-pressed={muted}
            aria-label={t('chat.channel.mute')}
            title={muted ? t('chat.channel.unmuteHint') : t('chat.channel.muteHint')}
            onClick={() => void toggleMute()}
          >
            {muted ? <BellOffIcon width={18} height={18} /> : <BellIcon width={18} height={18} />}
          </button>
        ) : null}
        <ActionMenu label={t('chat.channel.actions')} actions={actions} />
      </div>
      {dialog === 'edit' ? (
        <EditChannelDialog channel={channel} canRename={canManage} onClose={() => setDialog(null)} onSaved={onChanged} />
      ) : null}
      {dialog === 'notify' ? (
        <NotifyDialog
          channel={channel}
          current={chat.channels.find((c) => c.id === channel.id)?.notify ?? channel.notify ?? ''}
          title={title}
          onClose={() => setDialog(null)}
          onSaved={(notify) => {
            const c = chat.channels.find((x) => x.id === channel.id);
            if (c) store.upsertChannel({ ...c, notify });
          }}
        />
      ) : null}
      {dialog === 'leave' ? (
        <ConfirmDialog
          title={t('chat.channel.leaveTitle', { name: channel.name })}
          body={channel.kind === 'private' ? t('chat.channel.leaveBodyPrivate') : t('chat.channel.leaveBody')}
          confirmLabel={t('chat.channel.leave')}
          danger
          known={{ last_admin: 'chat.errors.lastAdmin' }}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.leaveChannel(client, channel.id);
            store.removeChannel(channel.id);
            toast(t('chat.channel.left', { name: channel.name }));
            navigate('/chat');
          }}
        />
      ) : null}
      {dialog === 'archive' ? (
        <ConfirmDialog
          title={t('chat.channel.archiveTitle', { name: channel.name })}
          body={t('chat.channel.archiveBody')}
          confirmLabel={t('chat.channel.archive')}
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.archiveChannel(client, channel.id);
            store.removeChannel(channel.id);
            toast(t('chat.channel.archived', { name: channel.name }));
            navigate('/chat');
          }}
        />
      ) : null}
    </header>
  );
}

/** Name (channel admins), topic and purpose. */
function EditChannelDialog({
  channel,
  canRename,
  onClose,
  onSaved,
}: {
  channel: Channel;
  canRename: boolean;
  onClose: () => void;
  onSaved: (c: Channel) => void;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const [name, setName] = useState(channel.name);
  const [topic, setTopic] = useState(channel.topic);
  const [purpose, setPurpose] = useState(channel.purpose);
  const [version, setVersion] = useState(channel.version);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (canRename && !name.trim()) {
      setNameError(t('chat.create.nameRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    setNameError(undefined);
    try {
      const patch: { name?: string; topic: string; purpose: string; version: number } = { topic: topic.trim(), purpose: purpose.trim(), version };
      if (canRename && name.trim() !== channel.name) patch.name = name.trim();
      const c = await api.updateChannel(client, channel.id, patch);
      onSaved(c);
      toast(t('chat.channel.saved'));
      onClose();
    } catch (err) {
      if (isConflict(err) && !invalidField(err, ['name'])) {
        // Someone else saved first, or the name is taken.
        const reason = (err as { details?: { reason?: string } }).details?.reason;
        if (reason === 'name_taken' || (err as { details?: { field?: string } }).details?.field === 'name') {
          setNameError(t('chat.create.nameTaken'));
        } else {
          setConflict(true);
          try {
            const latest = await api.getChannel(client, channel.id);
            setVersion(latest.version);
            setName(latest.name);
            setTopic(latest.topic);
            setPurpose(latest.purpose);
          } catch {
            /* keep */
          }
        }
      } else if (invalidField(err, ['name'])) {
        setNameError(t('chat.create.nameInvalid'));
      } else {
        setError(errorFrom(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('chat.channel.editTitle')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        {conflict ? <Notice tone="warning">{t('chat.channel.conflict')}</Notice> : null}
        <ErrorAlert error={error} />
        {canRename ? (
          <TextField label={t('chat.create.name')} value={name} onChange={(e) => setName(e.target.value)} error={nameError} maxLength={80} />
        ) : null}
        <TextField label={t('chat.create.topic')} hint={t('chat.create.topicHint')} value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={250} />
        <TextField label={t('chat.create.purpose')} hint={t('chat.create.purposeHint')} value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={250} />
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

/** This channel's notification level: my default, or an override. */
function NotifyDialog({
  channel,
  current,
  title,
  onClose,
  onSaved,
}: {
  channel: Channel;
  current: NotifyLevel;
  title: string;
  onClose: () => void;
  onSaved: (level: NotifyLevel) => void;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const [level, setLevel] = useState<NotifyLevel>(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.setChannelNotify(client, channel.id, level);
      onSaved(level);
      toast(t('chat.notify.saved'));
      onClose();
    } catch (err) {
      setError(errorFrom(err));
      setBusy(false);
    }
  }

  const options: { value: NotifyLevel; label: string; description?: string }[] = [
    { value: '', label: t('chat.notify.default'), description: t('chat.notify.defaultHint') },
    { value: 'all', label: t('notifications.prefs.all') },
    { value: 'mentions', label: t('notifications.prefs.mentions') },
    { value: 'none', label: t('notifications.prefs.none') },
  ];
  return (
    <Dialog title={t('chat.notify.title', { name: title })} description={t('chat.notify.lead')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <RadioGroup legend={t('chat.notify.legend')} name="channel-notify" value={level} onChange={setLevel} options={options} />
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
