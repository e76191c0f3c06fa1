import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Draft } from './api';
import { DraftAutosave, readLocalDraft, type SaveState } from './draft';

const d = (body: string): Draft => ({ title: '회의록', body, base_version: 3 });

describe('DraftAutosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once typing pauses, with the latest text only', async () => {
    const saved: string[] = [];
    const states: SaveState[] = [];
    const a = new DraftAutosave({ save: async (x) => void saved.push(x.body), delay: 800, onState: (s) => states.push(s) });
    a.update(d('안'));
    await vi.advanceTimersByTimeAsync(500);
    a.update(d('안녕'));
    await vi.advanceTimersByTimeAsync(500);
    a.update(d('안녕하세요'));
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(799);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(saved).toEqual(['안녕하세요']);
    expect(states.at(-1)).toBe('saved');
    expect(a.dirty).toBe(false);
  });

  it('never overlaps saves: a change during a save is sent right after it', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const a = new DraftAutosave({
      save: (x) => {
        calls.push(x.body);
        return new Promise<void>((r) => (release = r));
      },
      delay: 100,
    });
    a.update(d('one'));
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(['one']);
    a.update(d('two'));
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toEqual(['one']); // still waiting for the first save
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(['one', 'two']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.state).toBe('saved');
  });

  it('retries a failed save and keeps the text meanwhile', async () => {
    let fail = true;
    const saved: string[] = [];
    const a = new DraftAutosave({
      save: async (x) => {
        if (fail) throw new Error('offline');
        saved.push(x.body);
      },
      delay: 100,
    });
    a.update(d('text'));
    await vi.advanceTimersByTimeAsync(100);
    expect(a.state).toBe('error');
    expect(a.dirty).toBe(true);
    fail = false;
    await vi.advanceTimersByTimeAsync(2000);
    expect(saved).toEqual(['text']);
    expect(a.state).toBe('saved');
  });

  it('flush sends what is pending at once (before publishing or leaving)', async () => {
    const saved: string[] = [];
    const a = new DraftAutosave({ save: async (x) => void saved.push(x.body), delay: 10_000 });
    a.update(d('pending'));
    await a.flush();
    expect(saved).toEqual(['pending']);
    await a.flush();
    expect(saved).toEqual(['pending']);
  });

  it('keeps a local copy until the server has it, and reset forgets everything', async () => {
    const key = 'nexus.kb.draft.u1.d1';
    let release: () => void = () => undefined;
    const a = new DraftAutosave({ save: () => new Promise<void>((r) => (release = r)), delay: 100, localKey: key, now: () => 42 });
    a.update(d('로컬 사본'));
    expect(readLocalDraft(key)).toMatchObject({ body: '로컬 사본', saved_locally_at: 42 });
    await vi.advanceTimersByTimeAsync(100);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(readLocalDraft(key)).toBeNull();
    a.update(d('again'));
    a.reset();
    expect(readLocalDraft(key)).toBeNull();
    expect(a.state).toBe('idle');
    await vi.advanceTimersByTimeAsync(1000);
  });
});

describe('DraftAutosave.suspend', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds saves while publishing and sends them on resume', async () => {
    const saved: string[] = [];
    const a = new DraftAutosave({ save: async (x) => void saved.push(x.body), delay: 100 });
    a.suspend();
    a.update(d('typed during publish'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(saved).toEqual([]);
    a.resume();
    await vi.advanceTimersByTimeAsync(100);
    expect(saved).toEqual(['typed during publish']);
  });

  it('after a successful publish, reset drops what was held', async () => {
    const saved: string[] = [];
    const a = new DraftAutosave({ save: async (x) => void saved.push(x.body), delay: 100 });
    a.suspend();
    a.update(d('late'));
    a.reset();
    await vi.advanceTimersByTimeAsync(1000);
    expect(saved).toEqual([]);
    expect(a.dirty).toBe(false);
  });
});
