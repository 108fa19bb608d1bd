/**
 * The guided lessons: each a short explanation, a "try this" that sets the app up, and a check
 * that notices when the learner has done it (from the progress counters and the app state).
 * Addressable by URL (?lesson=<id>), as TensorFlow Playground's lesson links are.
 */
import type { Action, Pose } from '../sim/contract';
import type { AppState } from '../store/store';
import type { DriftGuard, ViewName } from '../store/views';
import type { Progress } from './progress';

export interface LessonSetup {
  /** the atlas: on, off or auto (on in the learned world) */
  atlas?: 'auto' | 'on' | 'off';
  model?: 'student' | 'teacher';
  /** 0 = dream */
  anchor?: number;
  temperature?: number;
  topk?: number;
  seed?: number;
  views: ViewName[];
  paused?: boolean;
  guard?: DriftGuard;
  /** a start pose: the camera jumps there (the model re-anchors on the truth) */
  pose?: Pose;
  /** steps taken for the learner once the model is in, so the lesson starts where its point shows */
  preroll?: { action: Partial<Action>; steps: number };
  /** the memory strip stops on the first prediction that uses a true frame at least this many steps old */
  holdMemory?: number;
}

export interface Lesson {
  id: string;
  title: string;
  /** the idea, a few short sentences */
  text: string[];
  tryThis: string;
  /** the point in one sentence, for the wrap-up */
  takeaway: string;
  setup: LessonSetup;
  /** the control to point at (its data-testid) */
  highlight?: string;
  done(p: Progress, s: AppState): boolean;
  /** what the learner sees when it works (for the docs) */
  sees: string;
  /** a live line under "try this" with the numbers the lesson is about */
  readout?(p: Progress, s: AppState): string;
}

const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const MIN_FRAMES = 8;
/** lesson 5 is done when a re-anchor has brought the PSNR back up by at least this much */
const REANCHOR_GAIN_DB = 5;
/** lesson 5: how far the dream must fall below its first frame before R shows the point */
const LOST_DB = 6;

/** lesson 4: a true frame at least this many steps old back in use */
export const OLD_TRUTH_STEPS = 45;

const COURTYARD: Pose = { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 };

export const LESSONS: readonly Lesson[] = [
  {
    id: 'tokenizer',
    title: '1. Frames become tokens',
    takeaway: 'A frame is {tokens} codes of {patch} patches; the model only ever sees codes.',
    text: [
      'The model never sees pixels. An encoder cuts each {frame} frame into a {grid} grid and gives every {patch} patch one of {codes} codes; a decoder paints patches back from codes.',
      'A code is {digits} FSQ digits, {digitRange}: each digit is one learned property of the patch, rounded to {levels}.',
    ],
    tryThis:
      'Pick two tokens on the map and compare the predicted code with the true one. Then change a digit, apply the edit and step one frame: the model predicts on from the frame you edited, but one odd token weighs little against everything it remembers, so most of the edit is gone a step later.',
    setup: { views: ['grid'], paused: true, pose: COURTYARD },
    highlight: 'map-tokens',
    done: (p) => p.inspected.size >= 2 && p.edits >= 1 && p.framesSinceEdit >= 1,
    sees: 'The frame gridded into 256 codes; each cell shows its code, digits and the decoded 8 x 8 patch beside the true one; an edited code changes the patch and the frames after it.',
  },
  {
    id: 'next-token',
    title: '2. Next-token decoding',
    takeaway: 'The teacher writes a frame token by token, like a language model writes a sentence.',
    text: [
      'The teacher writes a frame the way a language model writes a sentence: one token at a time, left to right and top to bottom, each chosen from a distribution over all {codes} codes after reading every token before it.',
      'What it has read is kept in a KV cache, so each new token costs one more run, not a re-read: {runs} runs a frame.',
    ],
    tryThis:
      'Paused, press "Next token" a few times and watch the candidates and the cache grow (the grey part of the frame is not written yet); then finish the frame.',
    setup: { views: ['decoding', 'grid'], paused: true, pose: COURTYARD },
    highlight: 'teacher-next',
    done: (p) => p.teacherSteps >= 3 && p.frames.teacher >= 1,
    sees: 'The current token highlighted on the grid, its five most likely codes with probabilities, the KV cache counting up, and the frame filling in over a grey of what is still to come.',
  },
  {
    id: 'actions',
    title: '3. Actions steer the imagination',
    takeaway: 'The same past with another action gives another future.',
    text: [
      'A world model predicts the next frame from the past frames and the action taken. Change the action and the same past leads to a different future.',
      'Rewind and branch shows it: go back to a step, its memory and all, and take another action from there.',
    ],
    tryThis:
      'Paused, press W three times: three steps forward (while paused each movement key takes one step). Drag the timeline back to the start and press "Rewind here". Now press Q three times: three turns from the same past. Branch A and branch B show both futures side by side.',
    setup: { model: 'student', views: ['timeline'], paused: true, pose: COURTYARD },
    highlight: 'timeline-rewind',
    done: (p) => p.branch !== null && p.branch.steps >= 2 && p.branch.actionsDiffer && p.branch.pixelDiff >= 2,
    readout: (p) =>
      p.branch === null
        ? 'no branch yet: take steps, rewind, take other steps'
        : `${p.branch.steps} step${p.branch.steps === 1 ? '' : 's'} in both branches · actions ${p.branch.actionsDiffer ? 'differ' : 'the same so far'} · ` +
          `the two predictions differ by ${p.branch.pixelDiff.toFixed(1)} grey levels per pixel`,
    sees: 'Two rows of predicted frames from one fork: forward steps zoom in, turns slide the view sideways; the same past, two futures.',
  },
  {
    id: 'memory',
    title: '4. Context and memory',
    takeaway: 'It remembers frames with their camera poses; looking back brings old truth back into use.',
    text: [
      'This model remembers every frame with the camera pose it was seen from. For each new frame it picks the {slots} remembered frames that cover the new view best and re-projects them into it.',
      'Cyan frames are the truth it was shown; magenta ones are its own imagination, trusted less.',
    ],
    tryThis:
      'Wait until the prediction appears, then in dream mode turn all the way around (hold Q) and look back where you started: the memory strip stops on the moment the first true frames are used again, many steps later.',
    setup: { model: 'student', anchor: 0, views: ['memory'], paused: false, pose: COURTYARD, holdMemory: OLD_TRUTH_STEPS },
    highlight: 'memory-strip',
    done: (p) => p.oldestTruthSlot >= OLD_TRUTH_STEPS,
    readout: (p) =>
      p.oldestTruthSlot >= OLD_TRUTH_STEPS
        ? `held: a true frame from ${p.firstOldReturn?.age ?? p.oldestTruthSlot} steps ago came back into use (the strip stays on it until you let go)`
        : `oldest true frame brought back so far: ${p.oldestTruthSlot} steps old (keep turning: ${OLD_TRUTH_STEPS} or more)`,
    sees: 'The memory strip switching from recent magenta frames to the old cyan ground-truth frames as the view comes back round; ticks on the map where they were seen.',
  },
  {
    id: 'compounding',
    title: '5. Compounding error',
    takeaway: 'In a dream its mistakes become its past; showing it the truth again brings it back.',
    text: [
      'Each imagined frame becomes part of the past the next one is predicted from, so small mistakes feed on themselves: the dream drifts away from the truth.',
      'An anchor shows the model the truth again, its imagined frames are forgotten, and the error falls back.',
    ],
    tryThis:
      'Walk around in dream mode until the PSNR has fallen at least 6 dB below the first frame, then press R to re-anchor (walking on or standing still) and watch the chart jump back.',
    setup: { model: 'student', anchor: 0, views: ['chart'], paused: false, pose: COURTYARD },
    highlight: 'psnr-chart',
    done: (p) => p.worstDrop >= LOST_DB && p.reanchors >= 1 && (p.bestReanchorGain ?? 0) >= REANCHOR_GAIN_DB,
    readout: (p) =>
      `${p.drop.toFixed(1)} dB below the first frame (worst ${p.worstDrop.toFixed(1)}) · ` +
      (p.reanchorGain === null
        ? p.drop >= LOST_DB
          ? 'fallen far enough: press R now'
          : 'no re-anchor scored yet'
        : `last re-anchor: ${p.reanchorGain >= 0 ? '+' : ''}${p.reanchorGain.toFixed(1)} dB ` +
          (p.reanchorGain >= REANCHOR_GAIN_DB
            ? '(4 frames after R vs 4 before)'
            : `(needs +${REANCHOR_GAIN_DB}: let it fall further, then R)`)),
    sees: 'The PSNR line sliding down while dreaming, a dashed anchor line where R was pressed, and the line back up after it.',
  },
  {
    id: 'distillation',
    title: '6. Distillation: teacher and student',
    takeaway: 'A one-pass student imitates a slow teacher: they agree where the view is known, not where it is imagined.',
    text: [
      'The student makes a whole frame in one pass; it was trained to match the teacher’s token distributions as well as the truth. Here the two are about equally good (see the model card), and the student is many times faster.',
      'Where the view is known they agree; this lesson starts after a dreamed turn, where part of the view is imagined and they do not.',
    ],
    tryThis:
      'Compare the two on the next step: where do they choose a different code (orange ×), is it where the uncertainty map is bright, and how long does each take?',
    setup: {
      model: 'student',
      anchor: 0,
      views: ['compare', 'confidence'],
      paused: true,
      pose: COURTYARD,
      preroll: { action: { yaw: 1 }, steps: 20 },
    },
    highlight: 'compare-run',
    done: (p) => p.compared >= 1,
    readout: (p) =>
      p.lastAgreement === null ? 'not compared yet' : `they chose the same code for ${(p.lastAgreement * 100).toFixed(0)}% of the tokens`,
    sees: 'The student’s and the teacher’s frames side by side, a map of where their tokens agree, the agreement in percent and each one’s milliseconds.',
  },
  {
    id: 'sampling',
    title: '7. Sampling: temperature, top-k, seed',
    takeaway: 'Temperature 0 repeats itself; above 0 each seed draws another future.',
    text: [
      'At temperature 0 the model takes its most likely code every time (greedy), so the same run gives the same frames. Above 0 it samples: each seed draws a different, equally plausible future; top-k keeps only the k most likely choices.',
    ],
    tryThis:
      'Raise the temperature above 0.5, let a few frames go by, then change the seed (a new seed starts at the next anchor). Or dream the same steps greedily and with three seeds side by side in "why dreams blur".',
    setup: { model: 'student', views: ['confidence', 'blur'], paused: false, temperature: 0 },
    highlight: 'temperature',
    done: (p) => p.sampledSeeds.size >= 2 || p.blurRuns >= 1,
    sees: 'Speckled, restless frames at high temperature that differ seed to seed; calm, repeatable ones at 0.',
  },
  {
    id: 'data-compute',
    title: '8. Where the data and compute come from',
    takeaway: 'Every frame it learned from was rendered here; the model card says what it cost and cannot do.',
    text: [
      'Every training frame was rendered by this app’s own world (the same code you are steering), so nothing was scraped and every prediction can be scored against the truth.',
      'The model card lists the data, the CPU time each stage took, an energy estimate and what the model cannot do.',
    ],
    tryThis: 'Open the model card and find how many CPU hours trained this model.',
    setup: { views: [] },
    highlight: 'model-card-open',
    done: (p) => p.modelCardOpened,
    sees: 'The model card: synthetic data splits, compute per stage, energy and CO2 with their assumptions, the evaluation table and the limitations.',
  },
  {
    id: 'learned-vs-seen',
    title: '9. What it learned vs what it sees',
    takeaway: 'An atlas of training frames is a memory of the world it learned; without it, it knows only what you showed it.',
    text: [
      'A model of one fixed world can carry a memory of that world: its atlas, training frames with their camera poses, chosen to cover the courtyard in every direction. Retrieval picks from the atlas the same way it picks from what this session has seen.',
      'Where a remembered token lands exactly on the new view, the model copies it instead of re-imagining it, so recall is sharp. Switch the atlas off and it knows only what you showed it.',
    ],
    tryThis:
      'In dream mode with the atlas off, turn around (hold Q) and watch the PSNR; then switch the atlas on in the model panel at the same place and turn again. Compare the two scores below.',
    setup: { model: 'student', anchor: 0, atlas: 'off', views: ['memory', 'chart'], paused: false, pose: COURTYARD },
    highlight: 'atlas',
    done: (p) => p.atlasSwitches >= 1 && p.atlasPsnr.off.length >= MIN_FRAMES && p.atlasPsnr.on.length >= MIN_FRAMES,
    readout: (p) =>
      `atlas off: ${p.atlasPsnr.off.length ? `${mean(p.atlasPsnr.off).toFixed(1)} dB` : '–'} (${p.atlasPsnr.off.length} frames) · ` +
      `atlas on: ${p.atlasPsnr.on.length ? `${mean(p.atlasPsnr.on).toFixed(1)} dB` : '–'} (${p.atlasPsnr.on.length} frames)`,
    sees: 'The live PSNR of the same place with the atlas off and on side by side, and amber atlas frames in the memory strip and on the map once it is on.',
  },
  {
    id: 'why-blur',
    title: '10. Why dreams blur',
    takeaway: 'Greedy is the average of the futures it cannot tell apart (blur, higher PSNR); a sample is one sharp future.',
    text: [
      'Where the model cannot know what comes next (a corner it has not seen), it spreads its bets over several codes per token. Greedy decoding takes each token’s most likely code on its own, so the picture becomes the average of the futures it cannot tell apart: a smear.',
      'A sample draws one of those futures instead. It is sharper, but it is only one of many, so on average it lands a little further from the truth: PSNR rewards the blurry average, your eye prefers the sample.',
      'This student draws its sample in the same single run with a small correction learned from the token-by-token teacher’s own samples (its noise sampler), so far into a dream its frames look more like real ones than a plain draw of each token.',
    ],
    tryThis:
      'Open "why dreams blur" and dream the same start and actions four ways: greedy, then three seeds. Compare the PSNR and the sharpness under each frame (sharpness 1 = as much edge and texture as the truth).',
    setup: { model: 'student', anchor: 0, views: ['blur'], paused: false, pose: COURTYARD, temperature: 0 },
    highlight: 'blur-run',
    done: (p) => p.blurRuns >= 1 && p.blur !== null,
    readout: (p) =>
      p.blur
        ? `greedy: ${p.blur.greedyPsnr.toFixed(1)} dB, sharpness ${p.blur.greedySharpness.toFixed(2)} · samples (mean of 3): ` +
          `${p.blur.samplePsnr.toFixed(1)} dB, sharpness ${p.blur.sampleSharpness.toFixed(2)}`
        : 'not dreamed yet',
    sees: 'The truth and four dreamed frames of the same 20 steps side by side: the greedy one smoother, the three samples sharper and different from each other, each with its PSNR and sharpness.',
  },
];

export const lessonById = (id: string | null): Lesson | null => LESSONS.find((l) => l.id === id) ?? null;

/** The page after the last lesson: what each one showed, and questions to take away. */
export const WRAP_UP_ID = 'wrap-up';
export const WRAP_UP_QUESTIONS: readonly string[] = [
  'Which lesson surprised you most, and why?',
  'Where did the model fail in a way a person would not? What would you change first to make it better?',
  'Where else have you seen error compound, a fast copy imitate a slow original, or an average blur the truth?',
];
