import { describe, expect, it } from 'vitest';
import { actionForKey, isTextField, KEY_HELP } from '../../../src-renderer/src/lib/keys.js';

describe('actionForKey', () => {
  it('maps the standard review keys', () => {
    const map: Record<string, string> = {
      ' ': 'play-pause',
      j: 'shuttle-reverse',
      k: 'shuttle-pause',
      l: 'shuttle-forward',
      ',': 'frame-back',
      '.': 'frame-forward',
      i: 'set-start',
      o: 'set-end',
      a: 'accept',
      r: 'reject',
      n: 'next',
      p: 'previous',
      '?': 'keys',
      Escape: 'close',
    };
    for (const [key, action] of Object.entries(map)) expect(actionForKey({ key }), key).toBe(action);
  });

  it('reads letters the same with Shift or Caps Lock', () => {
    expect(actionForKey({ key: 'A' })).toBe('accept');
    expect(actionForKey({ key: 'N' })).toBe('next');
  });

  it('leaves Ctrl, Alt and Meta combinations to the browser', () => {
    expect(actionForKey({ key: 'a', ctrlKey: true })).toBeNull();
    expect(actionForKey({ key: 'r', metaKey: true })).toBeNull();
    expect(actionForKey({ key: 'l', altKey: true })).toBeNull();
  });

  it('ignores keys it does not know', () => {
    expect(actionForKey({ key: 'x' })).toBeNull();
    expect(actionForKey({ key: 'Enter' })).toBeNull();
    expect(actionForKey({ key: '1' })).toBeNull();
  });

  it('reads 1, 2 and 3 as reasons only while a rejection waits for one', () => {
    const context = { choosingReason: true };
    expect(actionForKey({ key: '1' }, context)).toBe('reason-not-present');
    expect(actionForKey({ key: '2' }, context)).toBe('reason-wrong-time');
    expect(actionForKey({ key: '3' }, context)).toBe('reason-partly');
    expect(actionForKey({ key: 'Escape' }, context)).toBe('close');
    expect(actionForKey({ key: '4' }, context)).toBeNull();
  });

  it('lets only ? and Esc through while the keys overlay shows', () => {
    const context = { keysOpen: true };
    expect(actionForKey({ key: '?' }, context)).toBe('keys');
    expect(actionForKey({ key: 'Escape' }, context)).toBe('close');
    expect(actionForKey({ key: 'a' }, context)).toBeNull();
    expect(actionForKey({ key: ' ' }, context)).toBeNull();
  });
});

describe('isTextField', () => {
  it('is true where typing goes into the element', () => {
    expect(isTextField({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTextField({ tagName: 'INPUT', type: 'url' })).toBe(true);
    expect(isTextField({ tagName: 'INPUT', type: 'number' })).toBe(true);
    expect(isTextField({ tagName: 'INPUT' })).toBe(true);
    expect(isTextField({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextField({ tagName: 'SELECT' })).toBe(true);
    expect(isTextField({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });

  it('is false for buttons, checkboxes, ranges and everything else', () => {
    expect(isTextField({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextField({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTextField({ tagName: 'INPUT', type: 'radio' })).toBe(false);
    expect(isTextField({ tagName: 'INPUT', type: 'range' })).toBe(false);
    expect(isTextField({ tagName: 'CANVAS' })).toBe(false);
    expect(isTextField({ tagName: 'BODY' })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});

describe('KEY_HELP', () => {
  it('lists every key the map knows', () => {
    const listed = KEY_HELP.map((row) => row.keys).join(' ');
    for (const key of ['Space', 'J', 'K', 'L', ',', '.', 'I', 'O', 'A', 'R', 'N', 'P', '?', 'Esc']) {
      expect(listed).toContain(key);
    }
  });
});
