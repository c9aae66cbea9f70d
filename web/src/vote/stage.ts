// A battle together with the media elements that show it. The next battle's stage is
// built while the voter is still judging the current one, so its clips are already
// buffering when the voter moves on.
import type { Battle } from "../api";
import { h } from "../dom";

export interface Stage {
  battle: Battle;
  videos: [HTMLVideoElement, HTMLVideoElement];
  source: HTMLElement | null; // the prompt's source image or video, if it has one
  failed: boolean; // a clip could not be loaded
}

const SIDE_NAMES = ["A", "B"] as const; // as the page labels them (vote/page.ts)

export function buildStage(battle: Battle, holder: HTMLElement): Stage {
  const videos = [battle.left.url, battle.right.url].map((url, index) =>
    h("video", {
      class: "clip",
      attrs: {
        src: url,
        preload: "auto",
        playsinline: true,
        muted: true,
        "data-side": index === 0 ? "left" : "right",
        "aria-label": `Clip ${SIDE_NAMES[index]}`,
      },
    }),
  ) as [HTMLVideoElement, HTMLVideoElement];
  // The attribute only sets the default; the property is what the browser obeys.
  for (const video of videos) video.muted = true;
  const stage: Stage = { battle, videos, source: buildSource(battle), failed: false };
  for (const video of videos) video.addEventListener("error", () => (stage.failed = true), { once: true });
  // Media elements keep loading while they sit in a hidden container.
  holder.append(...videos);
  return stage;
}

function buildSource(battle: Battle): HTMLElement | null {
  const { source_image_url: image, source_video_url: video } = battle.prompt;
  if (image) {
    return h(
      "a",
      { class: "source", attrs: { href: image, target: "_blank", rel: "noopener" } },
      h("img", { attrs: { src: image, alt: "Source image given to both models (opens full size)", decoding: "async" } }),
    );
  }
  if (video) {
    return h("video", {
      class: "source",
      attrs: { src: video, controls: true, muted: true, playsinline: true, preload: "metadata", "aria-label": "Source video given to both models" },
    });
  }
  return null;
}

// Both clips have enough data to start playing.
export function whenPlayable(stage: Stage): Promise<void> {
  return Promise.all(
    stage.videos.map(
      (video) =>
        new Promise<void>((resolve) => {
          if (video.readyState >= 3) resolve();
          else {
            video.addEventListener("canplay", () => resolve(), { once: true });
            video.addEventListener("error", () => resolve(), { once: true });
          }
        }),
    ),
  ).then(() => undefined);
}

export function disposeStage(stage: Stage): void {
  for (const video of stage.videos) {
    video.pause();
    // Releases the decoder and the connection; keeps memory flat over many battles.
    video.removeAttribute("src");
    video.load();
    video.remove();
  }
  stage.source?.remove();
}

// Time spent actually playing, per clip, for the vote's watch fields.
export class WatchClock {
  private started: number | null = null;
  private total = 0;

  constructor(video: HTMLVideoElement) {
    video.addEventListener("playing", () => (this.started ??= performance.now()));
    for (const type of ["pause", "ended", "waiting", "emptied"]) {
      video.addEventListener(type, () => this.stop());
    }
  }

  private stop(): void {
    if (this.started !== null) this.total += performance.now() - this.started;
    this.started = null;
  }

  get ms(): number {
    const running = this.started === null ? 0 : performance.now() - this.started;
    return Math.round(this.total + running);
  }
}
