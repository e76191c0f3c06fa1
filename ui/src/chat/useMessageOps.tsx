import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom } from '../auth/formErrors';
import { ConfirmDialog } from '../components/Dialog';
import { useErrorText } from '../components/Form';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import * as api from './api';
import type { MessageActions } from './Message';
import { PromoteDialog } from './PromoteDialog';
import { toggleReactionLocal } from './reactions';
import { markDeleted } from './live';
import { permalink } from './links';
import type { Message } from './types';


/**
 * The message actions for a list (the channel history or a thread): they
 * change what is shown at once and tell the server, undoing on failure.
 */
export function useMessageOps({
  messages,
  update,
  upsert,
  canManage,
  readOnly,
  highlightId,
  openThread,
  toggleFollow,
}: {
  messages: readonly Message[];
  update: (id: string, fn: (m: Message) => Message) => void;
  upsert: (m: Message) => void;
  canManage: boolean;
  readOnly: boolean;
  highlightId: string | null;
  openThread?: (m: Message) => void;
  toggleFollow?: (m: Message) => void;
}): { actions: MessageActions; dialogs: ReactNode; editLast: () => boolean } {
  const { t } = useI18n();
  const { client, user } = useAuth();
  const toast = useToast();
  const errText = useErrorText();
  const myId = user?.id ?? '';
  const [editingId, setEditingId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Message | null>(null);
  const [promoting, setPromoting] = useState<Message | null>(null);

  const fail = useCallback((err: unknown) => toast(errText(errorFrom(err, { archived: 'chat.errors.archived' })), 'error'), [toast, errText]);

  /** Re-reads a message after a failed optimistic change. */
  const refetch = useCallback(
    (id: string) =>
      void api.getMessage(client, id, myId).then(
        (m) => upsert(m),
        () => undefined,
      ),
    [client, myId, upsert],
  );

  const actions = useMemo<MessageActions>(
    () => ({
      myId,
      canManage,
      readOnly,
      editingId,
      highlightId,
      openThread,
      toggleFollow,
      react: (m, emoji) => {
        if (!user) return;
        update(m.id, (cur) => toggleReactionLocal(cur, emoji, { id: user.id, name: user.name, avatar_url: user.avatar_url }));
        api.toggleReaction(client, m.id, emoji, myId).then(
          (reactions) => {
            // The server's count settles the optimistic one (someone may have reacted at the same time).
            if (reactions) update(m.id, (cur) => ({ ...cur, reactions }));
          },
          (err: unknown) => {
            fail(err);
            refetch(m.id);
          },
        );
      },
      startEdit: (m) => setEditingId(m.id),
      cancelEdit: () => setEditingId(null),
      saveEdit: async (m, body) => {
        const fresh = await api.editMessage(client, m.id, body, myId);
        if (fresh) update(m.id, (cur) => ({ ...cur, ...fresh, reactions: fresh.reactions.length ? fresh.reactions : cur.reactions }));
        else refetch(m.id);
        setEditingId(null);
      },
      remove: (m) => setDeleting(m),
      togglePin: (m) => {
        const pin = !m.pinned_at;
        update(m.id, (cur) => ({ ...cur, pinned_at: pin ? new Date().toISOString() : null }));
        api.setPinned(client, m.id, pin).then(
          () => toast(pin ? t('chat.message.pinnedToast') : t('chat.message.unpinnedToast')),
          (err: unknown) => {
            fail(err);
            refetch(m.id);
          },
        );
      },
      copyLink: (m) => {
        const url = window.location.origin + permalink(m);
        const done = () => toast(t('chat.message.linkCopied'));
        if (navigator.clipboard?.writeText) {
          navigator.clipboard.writeText(url).then(done, () => toast(url));
        } else {
          toast(url);
        }
      },
      promote: (m) => setPromoting(m),
    }),
    [myId, canManage, readOnly, editingId, highlightId, openThread, toggleFollow, user, update, client, upsert, fail, refetch, toast, t],
  );

  const editLast = useCallback(() => {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (m.author.id === myId && !m.deleted_at) {
        setEditingId(m.id);
        return true;
      }
    }
    return false;
  }, [messages, myId]);

  const dialogs = (
    <>
      {deleting ? (
        <ConfirmDialog
          title={t('chat.message.deleteTitle')}
          body={t('chat.message.deleteBody')}
          confirmLabel={t('chat.message.delete')}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteMessage(client, deleting.id);
            update(deleting.id, (cur) => markDeleted(cur));
            toast(t('chat.message.deletedToast'));
          }}
        />
      ) : null}
      {promoting ? (
        <PromoteDialog
          message={promoting}
          onClose={() => setPromoting(null)}
          onDone={(docId) => {
            update(promoting.id, (cur) => ({ ...cur, promoted_document_id: docId }));
            setPromoting(null);
          }}
        />
      ) : null}
    </>
  );

  return { actions, dialogs, editLast };
}
