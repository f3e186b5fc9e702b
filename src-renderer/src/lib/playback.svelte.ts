/**
 * The review player's playback: the <video> element, whether it can seek yet, the playhead,
 * and J/K/L shuttle (reverse by stepping, since a video cannot play backwards). ReviewView
 * owns one per mount; the player component binds `video` and reports back through
 * ready/played/paused/time.
 */
import { PAUSED, REVERSE_TICK_S, reverseStep, type Shuttle } from './shuttle.js';

export class Playback {
  video = $state<HTMLVideoElement | null>(null);
  ready = $state(false);
  currentTime = $state(0);
  shuttle = $state<Shuttle>(PAUSED);

  private reverseTimer: ReturnType<typeof setInterval> | null = null;
  private frame = 0;

  /**
   * @param durationS length of the open recording (the playhead stays inside it)
   * @param fps its frame rate, for frame steps
   * @param report shows a problem to the operator
   */
  constructor(
    private readonly durationS: () => number,
    private readonly fps: () => number,
    private readonly report: (error: unknown) => void,
  ) {}

  /** Another recording in the player: start from a clean state. */
  reset(): void {
    this.stopReverse();
    this.ready = false;
    this.shuttle = PAUSED;
    this.currentTime = 0;
  }

  /** Stops what runs in the background (the view is going). */
  dispose(): void {
    this.stopReverse();
    cancelAnimationFrame(this.frame);
  }

  /** Moves the playhead (within the recording), and the video when it can seek. */
  seek(t: number): void {
    this.currentTime = Math.min(Math.max(t, 0), this.durationS());
    if (this.video && this.ready) this.video.currentTime = this.currentTime;
  }

  /** Goes to `t` now if the video can seek; true when it did. The playhead shows `t` either way. */
  seekWhenReady(t: number): boolean {
    this.currentTime = t;
    if (!this.video || !this.ready) return false;
    this.video.currentTime = t;
    return true;
  }

  private stopReverse(): void {
    if (this.reverseTimer !== null) clearInterval(this.reverseTimer);
    this.reverseTimer = null;
  }

  private follow = (): void => {
    if (!this.video || this.video.paused) {
      this.frame = 0;
      return;
    }
    this.currentTime = this.video.currentTime;
    this.frame = requestAnimationFrame(this.follow);
  };

  /** Plays forward at a speed, steps backwards, or pauses. */
  applyShuttle(next: Shuttle): void {
    this.stopReverse();
    if (!this.video || !this.ready) {
      this.shuttle = PAUSED;
      if (next.direction !== 'paused') this.report('The recording is not ready to play yet.');
      return;
    }
    const el = this.video;
    this.shuttle = next;
    if (next.direction === 'forward') {
      el.playbackRate = next.speed;
      el.play().catch((error: unknown) => {
        if (!(error instanceof DOMException && error.name === 'AbortError')) this.report(error);
      });
      return;
    }
    el.pause();
    if (next.direction === 'reverse') {
      this.reverseTimer = setInterval(() => {
        const t = reverseStep(el.currentTime, next.speed);
        el.currentTime = t;
        this.currentTime = t;
        if (t <= 0) this.applyShuttle(PAUSED);
      }, REVERSE_TICK_S * 1000);
    }
  }

  /** One frame forward (1) or back (-1), paused. */
  frameStep(step: 1 | -1): void {
    this.applyShuttle(PAUSED);
    this.seek((this.video && this.ready ? this.video.currentTime : this.currentTime) + step / this.fps());
  }

  /** The video started playing (by the shuttle, or its own controls). */
  played(): void {
    if (this.shuttle.direction !== 'forward' && this.video) {
      this.stopReverse();
      this.shuttle = { direction: 'forward', speed: this.video.playbackRate };
    }
    if (!this.frame) this.frame = requestAnimationFrame(this.follow);
  }

  /** The video paused. */
  paused(): void {
    if (this.shuttle.direction === 'forward') this.shuttle = PAUSED;
    if (this.video) this.currentTime = this.video.currentTime;
  }
}
