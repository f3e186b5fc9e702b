import { describe, expect, it } from 'vitest';
import { ChangeScorer } from '../../../src-main/engine/saa/index.js';
import { fillRect, renderClip, scoreClip, type SyntheticClip } from './synthetic.js';

const noiseOnly = (noise: number, seed: number): SyntheticClip => ({ durationS: 30, noise, seed, scene: () => {} });

describe('ChangeScorer', () => {
  it('gives ~0 activity on sensor noise alone, however strong', () => {
    for (const noise of [0.5, 1.5, 4]) {
      const track = scoreClip(noiseOnly(noise, 7));
      expect(track.count).toBe(120);
      expect(Math.max(...track.activity)).toBeLessThan(0.002);
    }
  });

  it('estimates the recording noise and sets its threshold above it', () => {
    const quiet = scoreClip(noiseOnly(1.5, 3));
    const noisy = scoreClip(noiseOnly(4, 3));
    expect(quiet.noiseSigma).toBeGreaterThan(1.5 * 0.75);
    expect(quiet.noiseSigma).toBeLessThan(1.5 * 1.25);
    expect(noisy.noiseSigma).toBeGreaterThan(4 * 0.75);
    expect(noisy.noiseSigma).toBeLessThan(4 * 1.25);
    expect(noisy.threshold).toBeGreaterThan(quiet.threshold);
    expect(noisy.threshold).toBeGreaterThanOrEqual(4 * Math.SQRT2 * 4);
  });

  it('scores a square appearing as a short burst at its time', () => {
    const track = scoreClip({
      durationS: 20,
      scene: (t, img, w, h) => {
        if (t >= 8.1) fillRect(img, w, h, { x: 20, y: 10, w: 8, h: 8 }, 200);
      },
    });
    const active = [...track.activity].flatMap((a, i) => (a > 0.004 ? [i / track.fps] : []));
    expect(active[0]).toBe(8.25);
    expect(active.at(-1)! - active[0]!).toBeLessThanOrEqual(track.lingerS);
    // About the square's share of the frame.
    expect(track.activity[33]).toBeGreaterThan((0.8 * 64) / (64 * 36));
  });

  it('sees a slow pan whose frame-to-frame difference stays under the threshold', () => {
    // A smooth ramp (3 grey levels per pixel) panning 0.75 px per sample from 6 s to 14 s:
    // each frame differs from the last by about 2 levels, from the frame 1 s back by about 9.
    const clip: SyntheticClip = {
      durationS: 20,
      noise: 0.5,
      scene: (t, img, w, h) => {
        const shift = Math.min(Math.max(t - 6, 0), 8) * 3;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img[y * w + x] = 40 + 3 * ((x + shift) % 64);
      },
    };
    const track = scoreClip(clip);
    let maxStep = 0;
    let prev: Uint8Array | null = null;
    for (const f of renderClip(clip)) {
      if (prev) {
        for (let p = 0; p < f.data.length; p++) {
          // The wrap-around column of the ramp jumps by design; it is 1 pixel per row.
          if (Math.abs(f.data[p]! - prev[p]!) < 100) maxStep = Math.max(maxStep, Math.abs(f.data[p]! - prev[p]!));
        }
      }
      prev = Uint8Array.from(f.data);
    }
    expect(maxStep).toBeLessThan(track.threshold);
    const during = track.activity.slice(8 * 4, 13 * 4);
    expect(Math.min(...during)).toBeGreaterThan(0.2);
    expect(Math.max(...track.activity.slice(1, 5 * 4))).toBeLessThan(0.002);
    expect(Math.max(...track.activity.slice(15 * 4))).toBeLessThan(0.002);
  });

  it('copies what it keeps: a reused input buffer scores like fresh copies', () => {
    const clip: SyntheticClip = {
      durationS: 10,
      scene: (t, img, w, h) => fillRect(img, w, h, { x: 4 + t * 5, y: 10, w: 8, h: 8 }, 220),
    };
    const reused = new ChangeScorer({ fps: 4 });
    const fresh = new ChangeScorer({ fps: 4 });
    for (const f of renderClip(clip)) {
      reused.push({ width: 64, height: 36, data: f.data });
      fresh.push({ width: 64, height: 36, data: Uint8Array.from(f.data) });
    }
    const a = reused.finish();
    // Moving all along: the whole clip stays active.
    expect(Math.min(...a.activity.subarray(1))).toBeGreaterThan(0.005);
    expect([...a.activity]).toEqual([...fresh.finish().activity]);
  });

  it('rejects a frame of another size', () => {
    const s = new ChangeScorer({ fps: 4 });
    s.push({ width: 4, height: 4, data: new Uint8Array(16) });
    expect(() => s.push({ width: 4, height: 2, data: new Uint8Array(8) })).toThrow(/size/);
  });
});
