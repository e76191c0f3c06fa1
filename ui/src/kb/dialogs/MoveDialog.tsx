import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useUser } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { Dialog, DialogActions } from '../../components/Dialog';
import { ErrorAlert, Notice, SelectField, SubmitButton } from '../../components/Form';
import { useI18n } from '../../i18n';
import { canEdit, type MovePlacement, type TreeDoc } from '../api';
import { useKbApi, useSpaces } from '../hooks';
import { buildTree, parentChoices, samePlace } from '../tree';

const TOP = '';

/**
 * The keyboard- and phone-friendly way to move a document: pick a space, a
 * parent and a position among the new siblings.
 */
export function MoveDialog({
  doc,
  spaceId,
  docs,
  version,
  onClose,
  onMoved,
}: {
  doc: { id: string; title: string };
  spaceId: string;
  /** The current space's tree. */
  docs: readonly TreeDoc[];
  version?: number;
  onClose: () => void;
  onMoved: (target: { space_id: string; placement: MovePlacement }) => void;
}) {
  const { t } = useI18n();
  const me = useUser();
  const api = useKbApi();
  const { spaces } = useSpaces();
  const [targetSpace, setTargetSpace] = useState(spaceId);
  const [targetDocs, setTargetDocs] = useState<readonly TreeDoc[] | null>(docs);
  const current = useMemo(() => buildTree(docs), [docs]);
  const [parent, setParent] = useState<string>(current.parentOf.get(doc.id) ?? TOP);
  const [position, setPosition] = useState<string>('end');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  useEffect(() => {
    if (targetSpace === spaceId) {
      setTargetDocs(docs);
      return;
    }
    let live = true;
    setTargetDocs(null);
    api.tree(targetSpace).then(
      (list) => live && setTargetDocs(list),
      (err: unknown) => live && setError(errorFrom(err)),
    );
    return () => {
      live = false;
    };
  }, [api, targetSpace, spaceId, docs]);

  const tree = useMemo(() => buildTree(targetDocs ?? []), [targetDocs]);
  const choices = useMemo(() => parentChoices(tree, targetSpace === spaceId ? doc.id : null), [tree, targetSpace, spaceId, doc.id]);
  const siblings = (parent ? (tree.byId.get(parent)?.children ?? []) : tree.roots).filter((n) => n.doc.id !== doc.id);

  useEffect(() => {
    // A new parent starts at "end"; the previous sibling choice may not exist there.
    setPosition('end');
  }, [parent, targetSpace]);

  const placement = (): MovePlacement => {
    const p = parent || null;
    if (position === 'start' && siblings[0]) return { parent_id: p, before_id: siblings[0].doc.id };
    if (position.startsWith('after:')) return { parent_id: p, after_id: position.slice(6) };
    const last = siblings[siblings.length - 1];
    return last ? { parent_id: p, after_id: last.doc.id } : { parent_id: p };
  };

  const unchanged = targetSpace === spaceId && targetDocs !== null && samePlace(current, doc.id, placement());

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || unchanged || targetDocs === null) return;
    setBusy(true);
    setError(null);
    const p = placement();
    try {
      await api.move(doc.id, {
        ...p,
        ...(targetSpace !== spaceId ? { space_id: targetSpace } : {}),
        ...(version !== undefined ? { version } : {}),
      });
      onMoved({ space_id: targetSpace, placement: p });
      onClose();
    } catch (err) {
      setBusy(false);
      setError(errorFrom(err, { conflict: 'kb.move.conflict' }));
    }
  }

  const editable = (spaces ?? []).filter((s) => !s.archived_at && (s.id === spaceId || canEdit(s, me.role)));
  const untitled = t('kb.doc.untitled');

  return (
    <Dialog title={t('kb.move.title', { title: doc.title || untitled })} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        {editable.length > 1 ? (
          <SelectField label={t('kb.move.space')} value={targetSpace} onChange={(e) => {
            setTargetSpace(e.target.value);
            setParent(TOP);
          }}>
            {editable.map((s) => (
              <option key={s.id} value={s.id}>
                {s.icon ? `${s.icon} ` : ''}
                {s.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        {targetSpace !== spaceId ? <Notice tone="info">{t('kb.move.otherSpace')}</Notice> : null}
        <SelectField label={t('kb.move.parent')} value={parent} onChange={(e) => setParent(e.target.value)} disabled={targetDocs === null}>
          <option value={TOP}>{t('kb.move.topLevel')}</option>
          {choices.map((c) => (
            <option key={c.doc.id} value={c.doc.id}>
              {'\u00a0\u00a0'.repeat(c.depth + 1)}
              {c.doc.title || untitled}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('kb.move.position')} value={position} onChange={(e) => setPosition(e.target.value)} disabled={targetDocs === null}>
          <option value="end">{t('kb.move.atEnd')}</option>
          {siblings.length > 0 ? <option value="start">{t('kb.move.atStart')}</option> : null}
          {siblings.slice(0, -1).map((s) => (
            <option key={s.doc.id} value={`after:${s.doc.id}`}>
              {t('kb.move.after', { title: s.doc.title || untitled })}
            </option>
          ))}
        </SelectField>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} disabled={unchanged || targetDocs === null}>
            {t('kb.move.submit')}
          </SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
