/**
 * The page's side of lesson links (url-state.ts): loading a link into the form and the panels, and writing
 * the current state back into the fragment. The task and every value are set as text or field values only.
 */
import { LAB_FIELDS, PRESETS, checkLabFieldText } from './config.js';
import { FIELD_ORDER, type LabForm } from './form.js';
import { PACES, flagOf, formatFragment, parseFragment, unknownPace, type LinkState } from './url-state.js';

/** What each panel name in `hide=` hides. */
const PANEL_ELEMENTS: Readonly<Record<string, string[]>> = {
  preset: ['preset-label'],
  lesson: ['lesson'],
  pace: ['pace-label'],
  cli: ['cli'],
  'loss-curves': ['loss-curves'],
  pad: ['pad-panel'],
  hidden: ['hidden-panel'],
  weights: ['weights-panel'],
  scrubber: ['scrub'],
  compare: ['compare'],
  inside: ['inside'],
  'clear-runs': ['clear-runs'],
};

export class LessonLink {
  /** From the link loaded: kept when the fragment is rewritten. */
  private hide: string[] = [];
  private task: string | undefined;

  constructor(
    private readonly form: LabForm,
    private readonly pace: HTMLSelectElement,
    private readonly taskEl: HTMLElement,
  ) {}

  /** Sets the page from location.hash; a bad field value gets the field's message. Returns whether it had one. */
  load(): boolean {
    const s = parseFragment(location.hash);
    const badPace = unknownPace(location.hash);
    const has = s.preset !== undefined || Object.keys(s.values).length > 0 || s.task !== undefined || s.hide.length > 0 || s.pace !== undefined || badPace !== undefined;
    if (!has) return false;
    // A misspelt preset or pace gets a message too (after any field's), rather than being dropped without a word.
    let badName: Error | undefined;
    if (s.preset !== undefined) {
      const known = PRESETS.some((p) => p.id === s.preset);
      if (!known) badName = new Error(`Experiment: no preset '${s.preset}' (one of ${PRESETS.map((p) => p.id).join(', ')})`);
      this.form.applyPreset(known ? s.preset : PRESETS[0]!.id);
    }
    if (badPace !== undefined) badName ??= new Error(`Pace: no pace '${badPace}' (one of ${Object.keys(PACES).join(', ')})`);
    // A checkbox cannot hold a bad value (no-bias=maybe): it keeps its state and the field gets its message.
    let badValue: Error | undefined;
    for (const [key, v] of Object.entries(s.values) as [keyof typeof s.values, string][]) {
      if (LAB_FIELDS[key].kind === 'bool') {
        try {
          checkLabFieldText(key, v);
        } catch (e) {
          badValue ??= e as Error;
          continue;
        }
      }
      this.form.setRaw(key, v);
    }
    if (Object.keys(s.values).some((k) => LAB_FIELDS[k as keyof typeof LAB_FIELDS].more)) this.form.openMore();
    if (s.pace !== undefined) this.pace.value = String(PACES[s.pace]);
    this.hide = s.hide;
    this.task = s.task;
    this.taskEl.textContent = s.task ?? '';
    this.taskEl.hidden = !s.task;
    this.applyHide();
    this.form.showCommand();
    try {
      if (badValue) throw badValue;
      this.form.read();
      if (badName) throw badName;
      this.form.clearMessage();
    } catch (e) {
      const field = (e as { field?: string }).field;
      this.form.showMessage((e as Error).message, field);
    }
    return true;
  }

  /** The current state as a fragment: the preset, every field that differs from it, pace, hide and task. */
  state(): LinkState {
    const preset = PRESETS.find((p) => p.id === this.form.presetId) ?? PRESETS[0]!;
    const raw = this.form.raw();
    const values: LinkState['values'] = {};
    for (const key of FIELD_ORDER) if (raw[key] !== String(preset.config[key])) values[key] = raw[key];
    const pace = Object.entries(PACES).find(([, ms]) => String(ms) === this.pace.value)?.[0];
    return { preset: preset.id, values, ...(pace && pace !== 'full' ? { pace } : {}), hide: this.hide, ...(this.task ? { task: this.task } : {}) };
  }

  /** Writes the state into the address bar without a new history entry. */
  write(): void {
    history.replaceState(null, '', `#${formatFragment(this.state())}`);
  }

  private applyHide(): void {
    document.querySelectorAll('[data-hidden-by-link]').forEach((el) => el.removeAttribute('data-hidden-by-link'));
    for (const name of this.hide) {
      const ids = PANEL_ELEMENTS[name];
      const els = ids ? ids.map((id) => document.getElementById(id)) : [this.fieldLabel(name)];
      for (const el of els) el?.setAttribute('data-hidden-by-link', '');
    }
  }

  private fieldLabel(flag: string): HTMLElement | null {
    const key = FIELD_ORDER.find((k) => flagOf(k) === flag);
    return key ? document.querySelector<HTMLElement>(`#knobs label[data-field="${key}"]`) : null;
  }
}
