import { describe, expect, it } from 'vitest';
import { ANALYSIS_WIDTH, analysisHeight } from '../../../src-main/engine/saa/index.js';

describe('analysisHeight', () => {
  it('keeps the source aspect at the analysis width, rounded to an even height', () => {
    expect(ANALYSIS_WIDTH).toBe(64);
    expect(analysisHeight(640, 360)).toBe(36);
    expect(analysisHeight(1920, 1080)).toBe(36);
    expect(analysisHeight(640, 480)).toBe(48);
    // 64 * 1080/1440 = 48; 64 * 1000/1900 = 33.7 -> 34 (even).
    expect(analysisHeight(1440, 1080)).toBe(48);
    expect(analysisHeight(1900, 1000)).toBe(34);
    // A very wide strip still gets a frame of at least 2 rows.
    expect(analysisHeight(4000, 20)).toBe(2);
  });
});
