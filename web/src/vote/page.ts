// The vote page: a prompt, two anonymous clips played in sync, four verdicts, and the
// reveal of the two models once the vote is stored. Nothing about the models reaches the
// page before the vote: battles carry only opaque clip URLs, and names arrive in the
// vote's answer.
import { ApiError, castVote, getConfig, getTracks, newBattle, type Choice, type Config, type Track, type VoteReply } from "../api";
import { announce, h, uid } from "../dom";
import { pickTrack, rememberTrack, setQuery } from "../storage";
import { buildStage, disposeStage, whenPlayable, WatchClock, type Stage } from "./stage";
import { SyncedPlayback, type Side } from "./sync";

// A prefetched battle is used only if it still has this long before it expires.
const MIN_TICKET_LIFE_MS = 60_000;
// Start loading the next battle this long after the current one shows, at the latest.
const PREFETCH_DELAY_MS = 3_000;
const SPEEDS = [0.25, 0.5, 1, 1.5, 2];
// Below this the clips are too small to judge; the page scrolls instead.
const MIN_VIDEO_PX = 180;
// Rounding in layout can add a pixel or two; keep them from causing a scroll bar.
const FIT_SLACK_PX = 4;

interface VerdictButton {
  choice: Choice;
  label: string;
  short: string; // shown instead of the label on narrow screens
  keys: string[]; // KeyboardEvent.key values, lower case
  hint: string; // how the shortcut is shown
}

const VERDICTS: VerdictButton[] = [
  { choice: "left", label: "A is better", short: "A better", keys: ["arrowleft", "a"], hint: "← or A" },
  { choice: "tie", label: "Tie", short: "Tie", keys: ["t"], hint: "T" },
  { choice: "both_bad", label: "Both are bad", short: "Both bad", keys: ["n"], hint: "N" },
  { choice: "right", label: "B is better", short: "B better", keys: ["arrowright", "b"], hint: "→ or B" },
];

type Phase = "loading" | "watching" | "sending" | "revealed" | "error";

class VotePage {
  private config: Config | null = null;
  private tracks: Track[] = [];
  private track: Track | null = null;
  private stage: Stage | null = null;
  private next: Promise<Stage | null> | null = null; // the prefetched battle
  private sync: SyncedPlayback | null = null;
  private clocks: [WatchClock, WatchClock] | null = null;
  private shownAt = 0;
  private phase: Phase = "loading";
  private unlocked = false;
  private generation = 0; // bumps whenever the shown battle changes; stale async work checks it
  private countdown: number | null = null;
  private fitFrame: number | null = null;

  // Elements
  private readonly root = h("section", { class: "vote-page", attrs: { "aria-labelledby": "vote-heading" } });
  private readonly trackSelect = h("select", { attrs: { id: uid("track"), name: "track" } });
  private readonly trackFacts = h("span", { class: "track-facts" });
  private readonly promptText = h("p", { class: "prompt-text" });
  private readonly promptCategories = h("ul", { class: "categories", attrs: { "aria-label": "Prompt categories" } });
  private readonly sourceSlot = h("div", { class: "source-slot" });
  private readonly players = h("div", { class: "players" });
  private readonly slots: [HTMLElement, HTMLElement];
  private readonly reveals: [HTMLElement, HTMLElement];
  private readonly playButton = h("button", { class: "play", attrs: { type: "button", "aria-keyshortcuts": "Space" } });
  private readonly seek = h("input", {
    class: "seek",
    attrs: { type: "range", min: 0, max: 1, step: "any", value: 0, "aria-label": "Position in both clips" },
  });
  private readonly timeText = h("span", { class: "time", attrs: { "aria-hidden": "true" } }, "0:00.0 / 0:00.0");
  private readonly speedSelect = h("select", { attrs: { id: uid("speed") } });
  private readonly loopBox = h("input", { attrs: { type: "checkbox", id: uid("loop"), checked: true } });
  private readonly soundGroup = h("fieldset", { class: "sound" });
  private readonly soundRadios: HTMLInputElement[] = [];
  private readonly verdictBar = h("div", { class: "verdicts", attrs: { role: "group", "aria-labelledby": "verdict-heading" } });
  private readonly verdictButtons = new Map<Choice, HTMLButtonElement>();
  private readonly lockHint = h("p", { class: "lock-hint", attrs: { id: uid("lock-hint") } });
  private readonly afterVote = h("div", { class: "after-vote", attrs: { hidden: true } });
  private readonly resultText = h("p", { class: "result-text", attrs: { role: "status" } });
  private readonly nextButton = h("button", { class: "next primary", attrs: { type: "button" } }, "Next battle");
  private readonly message = h("div", { class: "message", attrs: { role: "alert", hidden: true } });
  private readonly prefetchHolder = h("div", { class: "prefetch", attrs: { hidden: true, "aria-hidden": "true" } });

  constructor() {
    const makeSlot = (side: "left" | "right", label: string): [HTMLElement, HTMLElement] => {
      const reveal = h("span", { class: "reveal" });
      const slot = h("div", { class: "video-box" });
      this.players.append(
        h("figure", { class: `player ${side}` }, slot, h("figcaption", null, h("span", { class: "side-label" }, label), reveal)),
      );
      return [slot, reveal];
    };
    // Clips are A and B, not left and right: on a phone they may stand one above the other.
    const [leftSlot, leftReveal] = makeSlot("left", "A");
    const [rightSlot, rightReveal] = makeSlot("right", "B");
    this.slots = [leftSlot, rightSlot];
    this.reveals = [leftReveal, rightReveal];
    this.build();
  }

  private build(): void {
    const trackLabel = h("label", { attrs: { for: this.trackSelect.id } }, "Track");
    this.trackSelect.addEventListener("change", () => this.changeTrack(this.trackSelect.value));

    for (const speed of SPEEDS) {
      this.speedSelect.append(h("option", { attrs: { value: speed, selected: speed === 1 } }, `${speed}×`));
    }
    this.speedSelect.addEventListener("change", () => this.sync?.setRate(Number(this.speedSelect.value)));
    this.loopBox.addEventListener("change", () => this.sync?.setLoop(this.loopBox.checked));
    this.playButton.addEventListener("click", () => this.togglePlay());
    this.seek.addEventListener("input", () => this.sync?.seek(Number(this.seek.value)));

    const soundName = uid("sound");
    this.soundGroup.append(h("legend", null, "Sound"));
    for (const [value, label] of [["left", "A"], ["right", "B"], ["mute", "Mute"]] as const) {
      const radio = h("input", { attrs: { type: "radio", name: soundName, value, id: uid("sound"), checked: value === "left" } });
      radio.addEventListener("change", () => this.applySound());
      this.soundRadios.push(radio);
      this.soundGroup.append(h("label", { attrs: { for: radio.id } }, radio, label));
    }

    for (const verdict of VERDICTS) {
      const button = h(
        "button",
        {
          class: `verdict ${verdict.choice}`,
          // No aria-label: the name is what the button shows (label and key hint on a
          // large screen, the short label on a phone), so a voice-control user can say it.
          attrs: {
            type: "button",
            "aria-keyshortcuts": verdict.keys.map(ariaKey).join(" "),
            "aria-describedby": this.lockHint.id,
          },
        },
        h("span", { class: "verdict-label" }, verdict.label),
        " ",
        h("span", { class: "verdict-short" }, verdict.short),
        h("kbd", null, verdict.hint),
      );
      button.addEventListener("click", () => void this.vote(verdict.choice));
      this.verdictButtons.set(verdict.choice, button);
      this.verdictBar.append(button);
    }
    this.nextButton.addEventListener("click", () => void this.showNext());
    this.afterVote.append(this.resultText, this.nextButton);

    this.root.append(
      h("h1", { class: "visually-hidden", attrs: { id: "vote-heading" } }, "Vote: which clip is better?"),
      h("div", { class: "toolbar" }, h("div", { class: "field" }, trackLabel, this.trackSelect), this.trackFacts),
      h("div", { class: "prompt" }, this.sourceSlot, h("div", { class: "prompt-body" }, h("h2", { class: "prompt-heading" }, "Prompt"), this.promptText, this.promptCategories)),
      this.players,
      h(
        "div",
        { class: "controls", attrs: { role: "group", "aria-label": "Playback of both clips" } },
        this.playButton,
        this.seek,
        this.timeText,
        h("div", { class: "field" }, h("label", { attrs: { for: this.speedSelect.id } }, "Speed"), this.speedSelect),
        h("div", { class: "field check" }, this.loopBox, h("label", { attrs: { for: this.loopBox.id } }, "Loop")),
        this.soundGroup,
      ),
      h("h2", { class: "visually-hidden", attrs: { id: "verdict-heading" } }, "Your verdict"),
      this.verdictBar,
      this.lockHint,
      this.afterVote,
      this.message,
      this.prefetchHolder,
    );
    this.setPlayLabel(false);
    document.addEventListener("keydown", (event) => this.onKey(event));
    window.addEventListener("resize", () => this.fit());
  }

  // Sizes the clips to the room left on screen, so both players, the controls and the
  // verdict buttons fit without scrolling where the screen allows it.
  private fit(): void {
    if (this.fitFrame !== null) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = null;
      if (!this.root.isConnected) return;
      const players = this.players;
      const ratio = Number(players.style.getPropertyValue("--ar")) || 16 / 9;
      const stacked = getComputedStyle(this.players).gridTemplateColumns.trim().split(/\s+/).length === 1;
      const style = getComputedStyle(players);
      const gap = parseFloat(style.rowGap) || 0;
      const column = stacked ? players.clientWidth : (players.clientWidth - (parseFloat(style.columnGap) || 0)) / 2;
      const natural = column / ratio;
      const videos = players.querySelectorAll<HTMLElement>(".video-box");
      const videoHeight = videos[0]?.offsetHeight ?? 0;
      // The body is as tall as its content (no min-height), unlike the scrolling element.
      const rest = document.body.offsetHeight - (stacked ? 2 * videoHeight : videoHeight);
      const room = (window.innerHeight - FIT_SLACK_PX - rest - (stacked ? gap : 0)) / (stacked ? 2 : 1);
      const height = Math.max(MIN_VIDEO_PX, Math.min(natural, room));
      players.style.setProperty("--video-h", `${Math.floor(height)}px`);
    });
  }

  mount(main: HTMLElement): void {
    main.append(this.root);
    void this.start();
  }

  private async start(): Promise<void> {
    this.setPhase("loading");
    this.hideMessage();
    try {
      [this.config, this.tracks] = await Promise.all([getConfig(), getTracks()]);
    } catch (error) {
      this.showError(error, { label: "Try again", action: () => void this.start() });
      return;
    }
    this.trackSelect.replaceChildren(...this.tracks.map((t) => h("option", { attrs: { value: t.id } }, t.name)));
    const id = pickTrack(this.tracks.map((t) => t.id));
    if (!id) {
      this.showMessage("There are no tracks yet. An operator adds them with paddock import.", null);
      this.setPhase("error");
      return;
    }
    this.trackSelect.value = id;
    this.changeTrack(id);
  }

  private changeTrack(id: string): void {
    const track = this.tracks.find((t) => t.id === id);
    if (!track) return;
    this.track = track;
    rememberTrack(id);
    setQuery({ track: id });
    this.trackFacts.textContent = `${taskName(track.task)} · ${track.audio ? "with sound" : "silent"} · ${track.duration_s} s · ${track.aspect}`;
    const [w, hgt] = track.aspect.split(":").map(Number);
    const ratio = w && hgt ? w / hgt : track.width && track.height ? track.width / track.height : 16 / 9;
    this.players.style.setProperty("--ar", String(ratio));
    this.players.classList.toggle("landscape", ratio > 1);
    this.soundGroup.hidden = !track.audio;
    this.fit();
    this.discardNext();
    void this.load();
  }

  // Shows a fresh battle (or the prefetched one when it is still good).
  private async load(useNext = false): Promise<void> {
    const generation = ++this.generation;
    this.setPhase("loading");
    this.hideMessage();
    let stage: Stage | null = null;
    if (useNext && this.next) {
      stage = await this.next.catch(() => null);
      this.next = null;
      if (stage && (stage.failed || stage.battle.expires_at - Date.now() < MIN_TICKET_LIFE_MS || stage.battle.track !== this.track?.id)) {
        disposeStage(stage);
        stage = null;
      }
    }
    if (!stage) {
      try {
        stage = buildStage(await newBattle(this.track!.id), this.prefetchHolder);
      } catch (error) {
        if (generation !== this.generation) return;
        this.clearStage();
        this.showError(error, { label: "Try again", action: () => void this.load() });
        return;
      }
    }
    if (generation !== this.generation) {
      disposeStage(stage);
      return;
    }
    this.show(stage);
  }

  private show(stage: Stage): void {
    this.clearStage();
    this.stage = stage;
    const { prompt } = stage.battle;
    this.promptText.textContent = prompt.text;
    if (prompt.language) this.promptText.lang = prompt.language;
    else this.promptText.removeAttribute("lang");
    this.promptCategories.replaceChildren(...(prompt.categories ?? []).map((c) => h("li", null, c)));
    if (stage.source) this.sourceSlot.append(stage.source);
    this.sourceSlot.hidden = !stage.source;
    stage.videos.forEach((video, i) => this.slots[i as Side].append(video));
    stage.videos.forEach((video) =>
      video.addEventListener("error", () => {
        if (this.stage === stage) this.showMessage("A clip could not be loaded.", { label: "New battle", action: () => void this.load() });
      }),
    );
    if (stage.failed) this.showMessage("A clip could not be loaded.", { label: "New battle", action: () => void this.load() });

    const sync = new SyncedPlayback(stage.videos);
    this.sync = sync;
    sync.setRate(Number(this.speedSelect.value));
    sync.setLoop(this.loopBox.checked);
    sync.onChange = () => this.renderPlayback();
    sync.onPlayedThrough = () => this.updateLock();
    sync.onPlayError = () => {
      this.setPlayLabel(false);
      announce("Playback did not start. Press Play.");
    };
    this.clocks = [new WatchClock(stage.videos[0]), new WatchClock(stage.videos[1])];
    this.applySound();
    this.shownAt = performance.now();
    this.unlocked = this.config?.unlock === "none";
    this.setPhase("watching");
    this.updateLock();
    this.renderPlayback();
    this.fit();
    announce("New battle loaded.");
    // Keep going without a click once the voter has interacted with the page (browsers
    // allow sound then); otherwise wait for Play.
    if (navigator.userActivation?.hasBeenActive) void sync.play();
    const generation = this.generation;
    void Promise.race([whenPlayable(stage), new Promise((r) => setTimeout(r, PREFETCH_DELAY_MS))]).then(() => {
      if (generation === this.generation) this.prefetch();
    });
  }

  private clearStage(): void {
    this.sync?.destroy();
    this.sync = null;
    this.clocks = null;
    if (this.stage) disposeStage(this.stage);
    this.stage = null;
    for (const reveal of this.reveals) reveal.replaceChildren();
    for (const slot of this.slots) slot.replaceChildren();
    this.players.classList.remove("voted");
    for (const figure of this.players.children) figure.classList.remove("picked");
    this.promptText.textContent = "";
    this.promptCategories.replaceChildren();
    this.sourceSlot.replaceChildren();
    this.resultText.textContent = "";
    this.afterVote.hidden = true;
    this.lockHint.hidden = false;
  }

  private prefetch(): void {
    if (this.next || !this.track) return;
    const track = this.track.id;
    this.next = newBattle(track)
      .then((battle) => buildStage(battle, this.prefetchHolder))
      .catch(() => null); // a failed prefetch is retried in the open when the voter moves on
  }

  private discardNext(): void {
    const next = this.next;
    this.next = null;
    void next?.then((stage) => stage && disposeStage(stage));
  }

  private showNext(): void {
    void this.load(true);
  }

  // ---- playback controls ----

  private togglePlay(): void {
    if (!this.sync || this.phase === "loading") return;
    this.sync.toggle();
  }

  private renderPlayback(): void {
    const sync = this.sync;
    if (!sync) return;
    this.setPlayLabel(sync.playing);
    const duration = sync.duration;
    const time = sync.currentTime;
    if (Number.isFinite(duration)) {
      this.seek.max = String(duration);
      if (document.activeElement !== this.seek) this.seek.value = String(time);
      this.seek.setAttribute("aria-valuetext", `${formatTime(time)} of ${formatTime(duration)}`);
      this.timeText.textContent = `${formatTime(time)} / ${formatTime(duration)}`;
    }
  }

  private setPlayLabel(playing: boolean): void {
    this.playButton.textContent = playing ? "Pause" : "Play";
    this.playButton.setAttribute("aria-label", playing ? "Pause both clips" : "Play both clips");
  }

  private applySound(): void {
    if (!this.stage) return;
    const choice = this.track?.audio ? (this.soundRadios.find((r) => r.checked)?.value ?? "left") : "mute";
    const [left, right] = this.stage.videos;
    // Only one soundtrack at a time: two at once cannot be judged.
    left.muted = choice !== "left";
    right.muted = choice !== "right";
    this.sync?.preferLeader(choice === "right" ? 1 : 0);
  }

  // ---- voting ----

  private updateLock(): void {
    if (this.phase !== "watching") return;
    if (!this.unlocked && this.sync && this.config?.unlock !== "none") {
      const [left, right] = this.sync.playedThrough;
      this.unlocked = left && right;
    }
    for (const button of this.verdictButtons.values()) button.setAttribute("aria-disabled", String(!this.unlocked));
    this.verdictBar.classList.toggle("locked", !this.unlocked);
    this.lockHint.textContent = this.unlocked ? "Choose with the buttons or the keys shown on them." : "Voting opens once both clips have played to the end.";
    if (this.unlocked) announce("Voting is open.");
  }

  private async vote(choice: Choice): Promise<void> {
    if (this.phase !== "watching" || !this.stage || !this.clocks) return;
    if (!this.unlocked) {
      announce("Watch both clips to the end first.");
      this.lockHint.classList.remove("nudge");
      void this.lockHint.offsetWidth; // restart the CSS animation
      this.lockHint.classList.add("nudge");
      return;
    }
    const stage = this.stage;
    const generation = this.generation;
    this.setPhase("sending");
    this.hideMessage();
    let reply: VoteReply;
    try {
      reply = await castVote({
        ticket: stage.battle.ticket,
        choice,
        left_watch_ms: this.clocks[0].ms,
        right_watch_ms: this.clocks[1].ms,
        decision_ms: Math.round(performance.now() - this.shownAt),
      });
    } catch (error) {
      if (generation !== this.generation) return;
      this.voteFailed(error, choice);
      return;
    }
    if (generation !== this.generation) return;
    this.reveal(reply, choice);
  }

  private voteFailed(error: unknown, choice: Choice): void {
    const code = error instanceof ApiError ? error.code : "";
    const newBattle = { label: "New battle", action: () => void this.load() };
    this.setPhase("watching");
    if (code === "expired_ticket") {
      this.showMessage("This battle expired before your vote arrived, so the vote was not counted. Here is a new one.", newBattle);
    } else if (code === "already_voted") {
      this.showMessage("This battle already has a vote; the first one counts.", { label: "Next battle", action: () => void this.load(true) });
    } else if (code === "bad_ticket" || code === "foreign_ticket") {
      this.showMessage("This battle is not valid for this browser session any more, so the vote was not counted.", newBattle);
    } else {
      this.showError(error, { label: "Send the vote again", action: () => void this.vote(choice) });
    }
  }

  private reveal(reply: VoteReply, choice: Choice): void {
    this.setPhase("revealed");
    const sides = [reply.left, reply.right];
    sides.forEach((side, i) => {
      this.reveals[i as Side].replaceChildren(
        h("span", { class: "model-name" }, side.model),
        h("span", { class: "organization" }, side.organization),
      );
    });
    this.players.classList.add("voted");
    const figures = this.players.children;
    if (choice === "left") figures[0]?.classList.add("picked");
    if (choice === "right") figures[1]?.classList.add("picked");
    const verdict = VERDICTS.find((v) => v.choice === choice)?.label ?? choice;
    this.resultText.textContent = `Vote counted: ${verdict}. A was ${reply.left.model}, B was ${reply.right.model}.`;
    this.afterVote.hidden = false;
    this.lockHint.hidden = true;
    this.fit();
    this.nextButton.focus();
    this.prefetch();
  }

  // ---- keyboard ----

  private onKey(event: KeyboardEvent): void {
    if (!this.root.isConnected || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    const tag = target?.tagName ?? "";
    // Form fields keep their own keys (arrows move the seek bar, letters pick options).
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target?.isContentEditable) return;
    const key = event.key.toLowerCase();
    if (key === " " || key === "spacebar") {
      // Space on a focused button or link activates it, as everywhere else.
      if (tag === "BUTTON" || tag === "A" || tag === "SUMMARY") return;
      event.preventDefault();
      this.togglePlay();
      return;
    }
    const verdict = VERDICTS.find((v) => v.keys.includes(key));
    if (verdict && this.phase === "watching") {
      event.preventDefault();
      void this.vote(verdict.choice);
    }
  }

  // ---- state and messages ----

  private setPhase(phase: Phase): void {
    this.phase = phase;
    this.root.dataset.phase = phase;
    const voting = phase === "watching";
    for (const button of this.verdictButtons.values()) {
      button.disabled = phase === "sending" || phase === "revealed" || phase === "loading";
      if (!voting) button.setAttribute("aria-disabled", "true");
    }
    this.root.setAttribute("aria-busy", String(phase === "loading" || phase === "sending"));
  }

  private showError(error: unknown, way: { label: string; action: () => void }): void {
    this.setPhase(this.stage ? this.phase : "error");
    if (!(error instanceof ApiError)) {
      this.showMessage(`Something went wrong: ${String(error)}`, way);
      return;
    }
    switch (error.code) {
      case "rate_limited": {
        const wait = Math.max(1, Math.ceil(error.retryAfterS ?? 5));
        this.showMessage("Too many requests from this browser in a short time.", way, wait);
        return;
      }
      case "no_battle":
        this.showMessage("There is nothing to compare in this track yet: no prompt has clips from two models. Choose another track, or try later.", way);
        return;
      case "unknown_track":
        this.showMessage("This track no longer exists.", { label: "Reload tracks", action: () => void this.start() });
        return;
      case "unreachable":
        this.showMessage("The server cannot be reached. Check your connection.", way);
        return;
      case "unavailable":
        this.showMessage("The server is up but cannot reach its database right now.", way);
        return;
      default:
        this.showMessage(error.message, way);
    }
  }

  // Shows a message with one way on; with waitS the button stays disabled for that many
  // seconds, counting down, and then acts by itself.
  private showMessage(text: string, way: { label: string; action: () => void } | null, waitS = 0): void {
    if (this.countdown !== null) window.clearInterval(this.countdown);
    this.countdown = null;
    const paragraph = h("p", null, text);
    this.message.replaceChildren(paragraph);
    if (way) {
      const button = h("button", { class: "primary", attrs: { type: "button" } }, way.label);
      button.addEventListener("click", () => {
        if (this.countdown !== null) window.clearInterval(this.countdown);
        this.countdown = null;
        this.hideMessage();
        way.action();
      });
      this.message.append(button);
      if (waitS > 0) {
        let left = waitS;
        const wait = h("span", { class: "wait" });
        paragraph.append(" ", wait);
        button.disabled = true;
        const tick = () => {
          wait.textContent = `You can go on in ${left} s.`;
          if (left <= 0) {
            if (this.countdown !== null) window.clearInterval(this.countdown);
            this.countdown = null;
            button.disabled = false;
            wait.textContent = "";
            button.click();
          }
          left -= 1;
        };
        tick();
        this.countdown = window.setInterval(tick, 1000);
      } else {
        button.focus({ preventScroll: true });
      }
    }
    this.message.hidden = false;
    this.fit();
  }

  private hideMessage(): void {
    this.message.hidden = true;
    this.message.replaceChildren();
    this.fit();
  }
}

function ariaKey(key: string): string {
  return key === "arrowleft" ? "ArrowLeft" : key === "arrowright" ? "ArrowRight" : key.toUpperCase();
}

function taskName(task: Track["task"]): string {
  return task === "text-to-video" ? "Text to video" : task === "image-to-video" ? "Image to video" : "Video edit";
}

export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return "0:00.0";
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, "0")}`;
}

export function mount(main: HTMLElement): void {
  new VotePage().mount(main);
}
