import { describe, expect, it } from 'vitest';
import {
  fileName,
  formatConfidence,
  formatDuration,
  formatRange,
  formatTime,
  percent,
} from '../../../src-renderer/src/lib/format.js';

describe('formatTime', () => {
  it('writes m:ss.s, rounded to a tenth', () => {
    expect(formatTime(0)).toBe('0:00.0');
    expect(formatTime(5.04)).toBe('0:05.0');
    expect(formatTime(72.36)).toBe('1:12.4');
    expect(formatTime(59.96)).toBe('1:00.0');
    expect(formatTime(600)).toBe('10:00.0');
  });

  it('adds hours from one hour on', () => {
    expect(formatTime(3723.4)).toBe('1:02:03.4');
  });

  it('shows nonsense as zero', () => {
    expect(formatTime(-3)).toBe('0:00.0');
    expect(formatTime(Number.NaN)).toBe('0:00.0');
  });

  it('writes a range', () => {
    expect(formatRange(12.3, 15)).toBe('0:12.3 – 0:15.0');
  });
});

describe('formatDuration', () => {
  it('writes m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61.4)).toBe('1:01');
    expect(formatDuration(3600 + 5 * 60 + 7)).toBe('1:05:07');
  });
});

describe('formatConfidence and percent', () => {
  it('writes a whole percentage, and "added" for an operator segment', () => {
    expect(formatConfidence(0.424)).toBe('42%');
    expect(formatConfidence(1)).toBe('100%');
    expect(formatConfidence(0)).toBe('0%');
    expect(formatConfidence(null)).toBe('added');
  });

  it('clamps progress to 0..100', () => {
    expect(percent(0.5)).toBe(50);
    expect(percent(1.2)).toBe(100);
    expect(percent(-1)).toBe(0);
    expect(percent(Number.NaN)).toBe(0);
  });
});

describe('fileName', () => {
  it('takes the last part of POSIX and Windows paths', () => {
    expect(fileName('/recordings/line-3/cam1.mp4')).toBe('cam1.mp4');
    expect(fileName('C:\\video\\dock.mkv')).toBe('dock.mkv');
    expect(fileName('/recordings/line-3/')).toBe('line-3');
    expect(fileName('plain.mp4')).toBe('plain.mp4');
  });
});
