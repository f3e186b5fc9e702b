import { describe, expect, it } from 'vitest';
import { segment } from '../../support/segments.js';
import {
  boundsToAdd,
  moveBoundary,
  reasonLabel,
  stepSelection,
  underThreshold,
} from '../../../src-renderer/src/lib/review.js';

describe('underThreshold', () => {
  it('counts an operator segment (no confidence) as not under the threshold', () => {
    expect(underThreshold(segment(1, null, null), 0.5)).toBe(false);
    expect(underThreshold(segment(1, 0.49, 1), 0.5)).toBe(true);
    expect(underThreshold(segment(1, 0.5, 1), 0.5)).toBe(false);
  });
});

describe('stepSelection (N and P)', () => {
  const list = [segment(1, 0.1, 1), segment(2, 0.2, 2), segment(3, 0.3, 3)];

  it('moves to the next and previous, stopping at the ends', () => {
    expect(stepSelection(list, 1, 1)).toBe(2);
    expect(stepSelection(list, 3, 1)).toBe(3);
    expect(stepSelection(list, 2, -1)).toBe(1);
    expect(stepSelection(list, 1, -1)).toBe(1);
  });

  it('starts at the first (N) or last (P) when nothing is selected', () => {
    expect(stepSelection(list, null, 1)).toBe(1);
    expect(stepSelection(list, null, -1)).toBe(3);
    expect(stepSelection(list, 99, 1)).toBe(1);
    expect(stepSelection([], null, 1)).toBeNull();
  });
});

describe('boundaries', () => {
  it('moves the start or end to the playhead', () => {
    expect(moveBoundary({ startS: 10, endS: 20 }, 'start', 12)).toEqual({ startS: 12, endS: 20 });
    expect(moveBoundary({ startS: 10, endS: 20 }, 'end', 25)).toEqual({ startS: 10, endS: 25 });
  });

  it('refuses a start after the end, or an end before the start, with a message', () => {
    expect(moveBoundary({ startS: 10, endS: 20 }, 'start', 20)).toHaveProperty('error');
    expect(moveBoundary({ startS: 10, endS: 20 }, 'end', 9)).toHaveProperty('error');
  });

  it('adds the marked stretch, or the playhead ± 2 s within the recording', () => {
    expect(boundsToAdd(5, 9, 30, 60)).toEqual({ startS: 5, endS: 9 });
    expect(boundsToAdd(9, 5, 30, 60)).toEqual({ startS: 28, endS: 32 });
    expect(boundsToAdd(null, 9, 30, 60)).toEqual({ startS: 28, endS: 32 });
    expect(boundsToAdd(null, null, 1, 60)).toEqual({ startS: 0, endS: 3 });
    expect(boundsToAdd(null, null, 59, 60)).toEqual({ startS: 57, endS: 60 });
  });

  it('names the reject reasons as the buttons do', () => {
    expect(reasonLabel('not-present')).toBe('Not present');
    expect(reasonLabel('wrong-time')).toBe('Wrong time');
    expect(reasonLabel('partly')).toBe('Partly');
    expect(reasonLabel(null)).toBe('');
  });
});
