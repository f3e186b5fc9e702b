/**
 * The review keys: which key does what, and the list the `?` overlay shows. Keys act only
 * when focus is not in a text field, and never with Ctrl, Alt or Meta held (those stay
 * the browser's).
 */

export type KeyAction =
  | 'play-pause'
  | 'shuttle-reverse'
  | 'shuttle-pause'
  | 'shuttle-forward'
  | 'frame-back'
  | 'frame-forward'
  | 'set-start'
  | 'set-end'
  | 'accept'
  | 'reject'
  | 'next'
  | 'previous'
  | 'reason-not-present'
  | 'reason-wrong-time'
  | 'reason-partly'
  | 'keys'
  | 'close';

/** The part of a KeyboardEvent the map reads. */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

/** What is open right now, which changes what some keys mean. */
export interface KeyContext {
  /** The keys overlay is showing: only `?` and Esc act. */
  keysOpen?: boolean;
  /** The reject reasons are showing: 1, 2 and 3 pick one, Esc cancels. */
  choosingReason?: boolean;
}

const BASE: Readonly<Record<string, KeyAction>> = {
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

const REASONS: Readonly<Record<string, KeyAction>> = {
  '1': 'reason-not-present',
  '2': 'reason-wrong-time',
  '3': 'reason-partly',
};

/** The action of a key press, or null when the key is not one of ours. */
export function actionForKey(press: KeyPress, context: KeyContext = {}): KeyAction | null {
  if (press.ctrlKey || press.altKey || press.metaKey) return null;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (context.keysOpen) return key === '?' ? 'keys' : key === 'Escape' ? 'close' : null;
  if (context.choosingReason && REASONS[key]) return REASONS[key];
  return BASE[key] ?? null;
}

const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** The part of an element `isTextField` reads. */
export interface ElementLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** True when typed keys belong to the focused element (text inputs, text areas, selects, editable content). */
export function isTextField(element: ElementLike | null | undefined): boolean {
  if (!element?.tagName) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !NOT_TEXT.has((element.type ?? 'text').toLowerCase());
}

/** The keys overlay: what to press, and what it does. */
export const KEY_HELP: readonly { keys: string; does: string }[] = [
  { keys: 'Space', does: 'Play or pause' },
  { keys: 'L', does: 'Play forward; again: faster (up to 8×)' },
  {
    keys: 'J',
    does: 'Shuttle back: jumps back a quarter second per quarter second (video cannot play backwards); again: faster',
  },
  { keys: 'K', does: 'Stop the shuttle (pause)' },
  { keys: ', and .', does: 'One frame back or forward' },
  {
    keys: 'I and O',
    does: 'Set the start or end of the selected segment at the playhead; with none selected, mark a new one',
  },
  { keys: 'A', does: 'Accept the selected segment' },
  { keys: 'R', does: 'Reject it, then 1 Not present, 2 Wrong time, 3 Partly' },
  { keys: 'N and P', does: 'Next or previous segment in the review queue' },
  { keys: 'Esc', does: 'Close this list, cancel a rejection, or clear the selection' },
  { keys: '?', does: 'Show or hide these keys' },
];
