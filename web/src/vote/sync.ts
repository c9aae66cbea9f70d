// Plays two <video> elements as one: a single play/pause, seek, loop and speed for both,
// kept within a frame of each other.
//
// Scheme: one clip is the leader and runs freely; the other follows. The leader is the
// longer clip, or when both are as long, the one being heard (so the soundtrack is never
// sped up or slowed down). On every frame
// the leader presents (requestVideoFrameCallback, with a timer as fallback) the follower's
// position is compared with the leader's. A small drift is removed by nudging the
// follower's playbackRate in proportion to it (no visible jump, converges in about half a
// second); a large one (after a stall or a seek) by seeking the follower. If either clip
// runs out of buffered data the other waits for it. Looping is done here rather than with
// the `loop` attribute, so both restart together and each one's `ended` event still says
// it was played through.

const HAVE_FUTURE_DATA = 3;
// Beyond this the follower jumps to the leader instead of catching up gradually.
const HARD_SEEK_S = 0.25;
// Hysteresis: rate correction starts beyond START and stops inside STOP. Both are well
// under a frame at common frame rates; every rate change costs the media pipeline a
// little, so small wobbles are left alone.
const CORRECT_START_S = 0.012;
const CORRECT_STOP_S = 0.003;
// Seeks closer than this are skipped (pausing aligns the follower exactly).
const DEADBAND_S = 0.004;
// Rate correction: fraction of speed change per second of drift, and its cap.
const GAIN_PER_S = 8;
const MAX_RATE_ADJUST = 0.4;
const FALLBACK_TICK_MS = 200;
// Within this of its end a clip counts as finished (durations are rounded by containers).
const END_SLACK_S = 0.05;

export type Side = 0 | 1;

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (callback: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

export class SyncedPlayback {
  private leaderIndex: Side = 0;
  private preferredLeader: Side = 0;
  private rate = 1;
  private looping = true;
  private wantPlaying = false;
  private heldForBuffering = false;
  private correcting = false;
  private frameHandle: number | null = null;
  private readonly timer: number;
  private readonly cleanups: (() => void)[] = [];
  private destroyed = false;
  readonly playedThrough: [boolean, boolean] = [false, false];

  // Called whenever the play state, time or duration may have changed.
  onChange: () => void = () => {};
  // Called once per clip, the first time it plays to its end.
  onPlayedThrough: (side: Side) => void = () => {};
  // Called when the browser refuses to start playback (autoplay policy, decode error).
  onPlayError: (error: unknown) => void = () => {};

  constructor(readonly videos: [HTMLVideoElement, HTMLVideoElement]) {
    videos.forEach((video, index) => {
      video.loop = false;
      video.playsInline = true;
      const side = index as Side;
      this.listen(video, "loadedmetadata", () => this.chooseLeader());
      this.listen(video, "durationchange", () => this.chooseLeader());
      this.listen(video, "ended", () => this.handleEnded(side));
      for (const type of ["play", "pause", "timeupdate", "seeked", "ratechange"]) {
        this.listen(video, type, () => this.onChange());
      }
      this.listen(video, "waiting", () => this.correct());
      this.listen(video, "canplay", () => this.correct());
    });
    this.chooseLeader();
    this.timer = window.setInterval(() => this.correct(), FALLBACK_TICK_MS);
  }

  get playing(): boolean {
    return this.wantPlaying;
  }

  get loop(): boolean {
    return this.looping;
  }

  get playbackRate(): number {
    return this.rate;
  }

  // The common timeline is the leader's: the longer clip.
  get duration(): number {
    const durations = this.videos.map((v) => v.duration).filter((d) => Number.isFinite(d));
    return durations.length ? Math.max(...durations) : NaN;
  }

  get currentTime(): number {
    return this.leader.currentTime;
  }

  private get leader(): HTMLVideoElement {
    return this.videos[this.leaderIndex];
  }

  private get follower(): HTMLVideoElement {
    return this.videos[this.leaderIndex === 0 ? 1 : 0];
  }

  async play(): Promise<void> {
    if (this.destroyed) return;
    this.wantPlaying = true;
    this.heldForBuffering = false;
    if (this.videos.every((v) => v.ended || finished(v))) this.seekBoth(0);
    this.alignFollower();
    for (const video of this.videos) video.playbackRate = this.rate;
    this.scheduleFrameCallback();
    this.onChange();
    try {
      await Promise.all(this.videos.filter((v) => !finished(v)).map((v) => v.play()));
    } catch (error) {
      if (!this.wantPlaying) return; // paused meanwhile: play() rejects with AbortError
      this.pause();
      this.onPlayError(error);
    }
  }

  pause(): void {
    this.wantPlaying = false;
    this.heldForBuffering = false;
    for (const video of this.videos) video.pause();
    // Show the same instant on both sides while paused.
    this.alignFollower();
    for (const video of this.videos) video.playbackRate = this.rate;
    this.onChange();
  }

  toggle(): void {
    if (this.wantPlaying) this.pause();
    else void this.play();
  }

  seek(seconds: number): void {
    this.seekBoth(Math.max(0, Math.min(seconds, this.duration || 0)));
    this.onChange();
  }

  setRate(rate: number): void {
    this.rate = rate;
    for (const video of this.videos) video.playbackRate = rate;
    this.onChange();
  }

  setLoop(loop: boolean): void {
    this.looping = loop;
    this.onChange();
  }

  destroy(): void {
    this.destroyed = true;
    this.wantPlaying = false;
    window.clearInterval(this.timer);
    this.cancelFrameCallback();
    for (const cleanup of this.cleanups) cleanup();
    for (const video of this.videos) video.pause();
  }

  private listen(target: EventTarget, type: string, handler: () => void): void {
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }

  // Which clip should lead when both are as long: the one whose sound is on.
  preferLeader(side: Side): void {
    this.preferredLeader = side;
    this.chooseLeader();
  }

  private chooseLeader(): void {
    const [a = 0, b = 0] = this.videos.map((v) => (Number.isFinite(v.duration) ? v.duration : 0));
    const next: Side = b > a + END_SLACK_S ? 1 : a > b + END_SLACK_S ? 0 : this.preferredLeader;
    if (next !== this.leaderIndex) {
      this.cancelFrameCallback();
      this.leaderIndex = next;
      for (const video of this.videos) video.playbackRate = this.rate;
      if (this.wantPlaying) this.scheduleFrameCallback();
    }
    this.onChange();
  }

  private seekBoth(seconds: number): void {
    for (const video of this.videos) {
      const end = Number.isFinite(video.duration) ? video.duration : seconds;
      video.currentTime = Math.min(seconds, end);
    }
  }

  private alignFollower(): void {
    const target = this.leader.currentTime;
    const follower = this.follower;
    if (!Number.isFinite(follower.duration)) return;
    const clamped = Math.min(target, follower.duration);
    if (Math.abs(follower.currentTime - clamped) > DEADBAND_S) follower.currentTime = clamped;
  }

  private handleEnded(side: Side): void {
    if (!this.playedThrough[side]) {
      this.playedThrough[side] = true;
      this.onPlayedThrough(side);
    }
    const leaderDone = this.leader.ended || finished(this.leader);
    const followerDone = this.follower.ended || this.follower.paused || finished(this.follower);
    if (!leaderDone || !followerDone) return;
    if (this.looping && this.wantPlaying) {
      this.seekBoth(0);
      void Promise.all(this.videos.map((v) => v.play())).catch((error) => {
        if (this.wantPlaying) {
          this.pause();
          this.onPlayError(error);
        }
      });
    } else {
      this.wantPlaying = false;
      this.onChange();
    }
  }

  private scheduleFrameCallback(): void {
    const leader = this.leader as FrameCallbackVideo;
    if (this.frameHandle !== null || !leader.requestVideoFrameCallback) return;
    this.frameHandle = leader.requestVideoFrameCallback(() => {
      this.frameHandle = null;
      this.correct();
      if (this.wantPlaying && !this.destroyed) this.scheduleFrameCallback();
    });
  }

  private cancelFrameCallback(): void {
    const leader = this.leader as FrameCallbackVideo;
    if (this.frameHandle !== null) leader.cancelVideoFrameCallback?.(this.frameHandle);
    this.frameHandle = null;
  }

  // One step of the follower control loop; also pauses both while either is buffering.
  private correct(): void {
    if (!this.wantPlaying || this.destroyed) return;
    const starving = this.videos.some((v) => !v.ended && !finished(v) && v.readyState < HAVE_FUTURE_DATA && !v.seeking);
    if (starving) {
      for (const video of this.videos) if (video.readyState >= HAVE_FUTURE_DATA && !video.paused) video.pause();
      this.heldForBuffering = true;
      return;
    }
    if (this.heldForBuffering) {
      this.heldForBuffering = false;
      this.alignFollower();
      for (const video of this.videos) if (!finished(video)) void video.play().catch(() => {});
      this.scheduleFrameCallback();
      return;
    }
    const leader = this.leader;
    const follower = this.follower;
    if (leader.seeking || follower.seeking || leader.paused) return;
    const target = leader.currentTime;
    if (!Number.isFinite(follower.duration) || target >= follower.duration - END_SLACK_S) {
      follower.playbackRate = this.rate;
      return;
    }
    if (follower.paused || follower.ended) {
      follower.currentTime = target;
      void follower.play().catch(() => {});
      return;
    }
    const drift = follower.currentTime - target;
    const size = Math.abs(drift);
    if (size > HARD_SEEK_S) {
      follower.currentTime = target;
      return;
    }
    this.correcting = this.correcting ? size > CORRECT_STOP_S : size > CORRECT_START_S;
    if (this.correcting) {
      const adjust = Math.max(-MAX_RATE_ADJUST, Math.min(MAX_RATE_ADJUST, drift * GAIN_PER_S));
      follower.playbackRate = this.rate * (1 - adjust);
    } else if (follower.playbackRate !== this.rate) {
      follower.playbackRate = this.rate;
    }
  }
}

function finished(video: HTMLVideoElement): boolean {
  return Number.isFinite(video.duration) && video.currentTime >= video.duration - END_SLACK_S && video.paused;
}
