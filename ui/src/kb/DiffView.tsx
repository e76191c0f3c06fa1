import { Fragment, useMemo, useState } from 'react';
import { useI18n } from '../i18n';
import type { DiffLine, DiffSpan } from './api';
import { diffStats, sideBySide, withContext, withWordSpans, type SideRow } from './diff';

export type DiffMode = 'split' | 'inline';

const NARROW = '(max-width: 767.98px)';

/** Side by side on wide screens, inline on phones, until the reader chooses. */
export function useDiffMode(): [DiffMode, (m: DiffMode) => void] {
  const [mode, setMode] = useState<DiffMode>(() => {
    try {
      const saved = window.localStorage.getItem('nexus.kb.diffMode');
      if (saved === 'split' || saved === 'inline') return saved;
    } catch {
      /* ignore */
    }
    return typeof window !== 'undefined' && window.matchMedia?.(NARROW).matches ? 'inline' : 'split';
  });
  const set = (m: DiffMode) => {
    setMode(m);
    try {
      window.localStorage.setItem('nexus.kb.diffMode', m);
    } catch {
      /* ignore */
    }
  };
  return [mode, set];
}

export function DiffModeToggle({ mode, onChange }: { mode: DiffMode; onChange: (m: DiffMode) => void }) {
  const { t } = useI18n();
  return (
    <div className="segmented kb-segmented" role="group" aria-label={t('kb.diff.mode')}>
      <button type="button" className="segmented__item" aria-pressed={mode === 'split'} onClick={() => onChange('split')}>
        {t('kb.diff.split')}
      </button>
      <button type="button" className="segmented__item" aria-pressed={mode === 'inline'} onClick={() => onChange('inline')}>
        {t('kb.diff.inline')}
      </button>
    </div>
  );
}

function Spans({ spans, side }: { spans: DiffSpan[]; side: 'old' | 'new' }) {
  return (
    <>
      {spans.map((s, i) =>
        s.op === 'equal' ? (
          <Fragment key={i}>{s.text}</Fragment>
        ) : s.op === 'delete' && side === 'old' ? (
          <del key={i} className="kb-diff__word kb-diff__word--del">
            {s.text}
          </del>
        ) : s.op === 'insert' && side === 'new' ? (
          <ins key={i} className="kb-diff__word kb-diff__word--ins">
            {s.text}
          </ins>
        ) : null,
      )}
    </>
  );
}

function LineText({ line }: { line: DiffLine }) {
  const { t } = useI18n();
  const side = line.op === 'delete' ? 'old' : 'new';
  const label = line.op === 'delete' ? t('kb.diff.removed') : line.op === 'insert' ? t('kb.diff.added') : null;
  const content = line.words ? <Spans spans={line.words} side={side} /> : line.text || '\u00a0';
  return (
    <>
      {label ? <span className="visually-hidden">{label} </span> : null}
      {line.text === '' && !line.words ? '\u00a0' : content}
    </>
  );
}

/**
 * A line diff with word-level highlights, side by side or inline.
 * Unchanged stretches collapse to a few lines of context (expandable).
 */
export function DiffView({
  lines,
  mode,
  leftLabel,
  rightLabel,
  context = 3,
}: {
  lines: DiffLine[];
  mode: DiffMode;
  leftLabel: string;
  rightLabel: string;
  context?: number;
}) {
  const { t, tp } = useI18n();
  const [expanded, setExpanded] = useState(false);
  const full = useMemo(() => withWordSpans(lines), [lines]);
  const stats = diffStats(full);

  if (stats.added === 0 && stats.removed === 0) {
    return <p className="kb-diff__same muted">{t('kb.diff.noChanges')}</p>;
  }

  const statsLine = (
    <p className="kb-diff__stats">
      <span className="kb-diff__stat kb-diff__stat--ins">{tp('kb.diff.linesAdded', stats.added)}</span>
      <span className="kb-diff__stat kb-diff__stat--del">{tp('kb.diff.linesRemoved', stats.removed)}</span>
      <button type="button" className="link-button" onClick={() => setExpanded((x) => !x)} aria-pressed={expanded}>
        {expanded ? t('kb.diff.collapse') : t('kb.diff.expand')}
      </button>
    </p>
  );

  if (mode === 'inline') {
    const shown = expanded ? full : withContext(full, context);
    let oldN = 0;
    let newN = 0;
    return (
      <div className="kb-diff kb-diff--inline">
        {statsLine}
        <div className="kb-diff__scroll">
          <table className="kb-diff__table">
            <caption className="visually-hidden">{t('kb.diff.caption', { left: leftLabel, right: rightLabel })}</caption>
            <colgroup>
              <col className="kb-diff__col-num" />
              <col className="kb-diff__col-num" />
              <col />
            </colgroup>
            <thead className="visually-hidden">
              <tr>
                <th scope="col">{leftLabel}</th>
                <th scope="col">{rightLabel}</th>
                <th scope="col">{t('kb.diff.text')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((l, i) => {
                if (!l) {
                  return (
                    <tr key={`gap-${i}`} className="kb-diff__gap">
                      <td colSpan={3}>
                        <button type="button" className="link-button" onClick={() => setExpanded(true)}>
                          {t('kb.diff.unchanged')}
                        </button>
                      </td>
                    </tr>
                  );
                }
                const on = l.op !== 'insert' ? ++oldN : null;
                const nn = l.op !== 'delete' ? ++newN : null;
                return (
                  <tr key={i} className={`kb-diff__row kb-diff__row--${l.op}`}>
                    <td className="kb-diff__num">{on}</td>
                    <td className="kb-diff__num">{nn}</td>
                    <td className="kb-diff__text">
                      <span className="kb-diff__sign" aria-hidden="true">
                        {l.op === 'insert' ? '+' : l.op === 'delete' ? '−' : ' '}
                      </span>
                      <LineText line={l} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
    );
  }

  // Line numbers must count every line, so number first, then collapse.
  const rows = sideBySide(full);
  const shownRows: (SideRow | null)[] = expanded
    ? rows
    : withContext(
        rows.map((r) => ({ ...r, op: r.left?.op === 'equal' && r.right?.op === 'equal' ? ('equal' as const) : ('delete' as const) })),
        context,
      );
  return (
    <div className="kb-diff kb-diff--split">
      {statsLine}
      <div className="kb-diff__scroll">
        <table className="kb-diff__table">
          <caption className="visually-hidden">{t('kb.diff.caption', { left: leftLabel, right: rightLabel })}</caption>
          <colgroup>
            <col className="kb-diff__col-num" />
            <col />
            <col className="kb-diff__col-num" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" colSpan={2} className="kb-diff__head">
                {leftLabel}
              </th>
              <th scope="col" colSpan={2} className="kb-diff__head">
                {rightLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {shownRows.map((r, i) =>
              r ? (
                <tr key={i} className="kb-diff__row">
                  <td className="kb-diff__num">{r.left?.n}</td>
                  <td className={`kb-diff__text kb-diff__cell--${r.left ? r.left.op : 'empty'}`}>{r.left ? <LineText line={r.left} /> : null}</td>
                  <td className="kb-diff__num">{r.right?.n}</td>
                  <td className={`kb-diff__text kb-diff__cell--${r.right ? r.right.op : 'empty'}`}>{r.right ? <LineText line={r.right} /> : null}</td>
                </tr>
              ) : (
                <tr key={`gap-${i}`} className="kb-diff__gap">
                  <td colSpan={4}>
                    <button type="button" className="link-button" onClick={() => setExpanded(true)}>
                      {t('kb.diff.unchanged')}
                    </button>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
