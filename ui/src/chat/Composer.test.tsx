import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { AuthProvider } from '../auth/AuthContext';
import { ToastProvider } from '../components/Toast';
import { minji, signedInServer } from '../test/fakeServer';
import { Composer, type ComposerProps } from './Composer';
import { jiho } from './testing';

function wrap(children: ReactNode) {
  const client = new ApiClient({ fetch: signedInServer(minji).fetch, locks: null, proactiveRefresh: false });
  return (
    <AuthProvider client={client}>
      <ToastProvider>{children}</ToastProvider>
    </AuthProvider>
  );
}

function setup(props: Partial<ComposerProps> = {}) {
  const onSend = vi.fn<ComposerProps['onSend']>(async () => undefined);
  const onEditLast = vi.fn(() => true);
  const all: ComposerProps = { draftKey: `k-${Math.random()}`, label: 'Message general', placeholder: 'Message #general', onSend, onEditLast, ...props };
  render(wrap(<Composer {...all} />));
  const box = screen.getByRole('textbox', { name: 'Message general' }) as HTMLTextAreaElement;
  return { box, onSend: all.onSend as typeof onSend, onEditLast: all.onEditLast as typeof onEditLast };
}

describe('Composer', () => {
  it('sends the trimmed text with Enter and starts a new line with Shift+Enter', async () => {
    const { box, onSend } = setup();
    const user = userEvent.setup();
    await user.type(box, '  안녕하세요{Shift>}{Enter}{/Shift}second line  ');
    expect(onSend).not.toHaveBeenCalled();
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('안녕하세요\nsecond line', []);
    expect(box.value).toBe('');
  });

  it('does not send while an input method is composing (Korean)', () => {
    const { box, onSend } = setup();
    fireEvent.change(box, { target: { value: '한' } });
    fireEvent.keyDown(box, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(box, { key: 'Enter', keyCode: 229 });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('한', []);
  });

  it('sends nothing when empty, and Up in the empty box edits the last message', () => {
    const { box, onSend, onEditLast } = setup();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(onEditLast).toHaveBeenCalledTimes(1);
    fireEvent.change(box, { target: { value: 'draft' } });
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(onEditLast).toHaveBeenCalledTimes(1);
  });

  it('keeps the text and explains when sending fails', async () => {
    const onSend = vi.fn(async () => {
      throw new TypeError('offline');
    });
    const { box } = setup({ onSend });
    fireEvent.change(box, { target: { value: '중요한 메시지' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(box.value).toBe('중요한 메시지'));
    expect(screen.getByRole('alert').textContent).toBe('Something went wrong. Please try again.');
  });

  it('suggests people after @ and inserts the handle with the keyboard', async () => {
    const searchPeople = vi.fn(async () => [{ id: jiho.id, name: jiho.name, handle: 'jiho' }]);
    const { box } = setup({ searchPeople });
    const user = userEvent.setup();
    await user.type(box, '회의 @ji');
    const list = await screen.findByRole('listbox', { name: 'People to mention' });
    await waitFor(() => expect(list.querySelectorAll('[role="option"]')).toHaveLength(1));
    expect(searchPeople).toHaveBeenLastCalledWith('ji');
    expect(box.getAttribute('aria-activedescendant')).toBe(list.querySelector('[role="option"]')?.id);
    await user.keyboard('{Enter}');
    expect(box.value).toBe('회의 @jiho ');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('offers @channel and @here, but not in direct messages', async () => {
    const { box } = setup({ searchPeople: async () => [] });
    const user = userEvent.setup();
    await user.type(box, '@he');
    expect(await screen.findByRole('option', { name: /@here/ })).toBeTruthy();
  });

  it('keeps a draft per conversation', () => {
    const props = { label: 'Message general', placeholder: '', onSend: async () => undefined };
    const first = render(wrap(<Composer {...props} draftKey="draft-c1" />));
    fireEvent.change(screen.getByRole('textbox', { name: 'Message general' }), { target: { value: '반쯤 쓴 메시지' } });
    first.unmount();
    const other = render(wrap(<Composer {...props} draftKey="draft-c2" />));
    expect((screen.getByRole('textbox', { name: 'Message general' }) as HTMLTextAreaElement).value).toBe('');
    other.unmount();
    render(wrap(<Composer {...props} draftKey="draft-c1" />));
    expect((screen.getByRole('textbox', { name: 'Message general' }) as HTMLTextAreaElement).value).toBe('반쯤 쓴 메시지');
  });
});
