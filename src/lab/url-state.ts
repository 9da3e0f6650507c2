/**
 * Lesson links: the lab's whole state in the URL fragment, keyed by the `reglab train` flag names
 * (`#preset=dropout&train-size=1000&dropout=0.5&epochs=40&seed=3&pace=slow`), plus `hide=` (a comma list of
 * fields, by flag name, or panels to hide) and `task=` (a short text shown above the controls). A link is
 * untrusted: unknown keys and names are dropped here, values are only ever put into fields and text, and
 * the fields' own checks judge them. Pure.
 */
import { settingByName } from '../experiments/settings.js';
import { LAB_FIELDS, type LabConfig } from './config.js';

const FIELD_ORDER = Object.keys(LAB_FIELDS) as (keyof LabConfig)[];

/** A field's key in a link: its setting's `reglab train` flag name, from the table (trainSize -> train-size). */
export function flagOf(key: keyof LabConfig): string {
  return settingByName(LAB_FIELDS[key].setting)!.flag;
}

/**
 * Whether a field's flag turns it off (`no-bias`, `no-shuffle`): in a link, as on the command line,
 * `no-bias=true` means no bias vectors, so the text is flipped between the link and the checkbox.
 */
function negated(key: keyof LabConfig): boolean {
  return LAB_FIELDS[key].kind === 'bool' && flagOf(key).startsWith('no-');
}

const FLIPPED: Readonly<Record<string, string>> = { true: 'false', false: 'true', on: 'off', off: 'on' };
/** A negated flag's text as the field's (and back): true <-> false, on <-> off; anything else as given. */
const flip = (v: string) => FLIPPED[v] ?? v;

const KEY_OF: ReadonlyMap<string, keyof LabConfig> = new Map(FIELD_ORDER.map((k) => [flagOf(k), k]));

/** Panels a link may hide (besides fields, by flag name). */
export const PANELS = ['preset', 'lesson', 'pace', 'cli', 'loss-curves', 'pad', 'hidden', 'weights', 'scrubber', 'compare', 'inside', 'clear-runs'] as const;

/** The pace's names in a link, and the milliseconds per epoch each means. */
export const PACES: Readonly<Record<string, number>> = Object.freeze({ full: 0, slow: 1000, slower: 3000 });

export const TASK_MAX = 500;
/** Longer fragments are not read at all. */
export const FRAGMENT_MAX = 4000;

export interface LinkState {
  preset?: string;
  /** Field texts by LabConfig key, as given (the form checks them). */
  values: Partial<Record<keyof LabConfig, string>>;
  pace?: keyof typeof PACES;
  /** Field keys (flag names) and panel names, known ones only. */
  hide: string[];
  task?: string;
}

/** A fragment's parameters, or null for one that is not read at all (empty, longer than FRAGMENT_MAX, malformed). */
function fragmentParams(hash: string): URLSearchParams | null {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.length === 0 || text.length > FRAGMENT_MAX) return null;
  try {
    return new URLSearchParams(text);
  } catch {
    return null;
  }
}

export function parseFragment(hash: string): LinkState {
  const out: LinkState = { values: {}, hide: [] };
  const params = fragmentParams(hash);
  if (params === null) return out;
  for (const [k, v] of params) {
    const key = KEY_OF.get(k);
    if (key) out.values[key] = negated(key) ? flip(v.slice(0, 100)) : v.slice(0, 100);
    else if (k === 'preset') out.preset = v.slice(0, 100);
    else if (k === 'pace' && Object.hasOwn(PACES, v)) out.pace = v;
    else if (k === 'task') out.task = v.slice(0, TASK_MAX);
    else if (k === 'hide') {
      for (const name of v.split(',').map((s) => s.trim())) {
        if ((KEY_OF.has(name) || (PANELS as readonly string[]).includes(name)) && !out.hide.includes(name)) out.hide.push(name);
      }
    }
  }
  return out;
}

/** The link's pace= as written when it names none of PACES (parseFragment drops it), for its message. */
export function unknownPace(hash: string): string | undefined {
  const v = fragmentParams(hash)?.get('pace') ?? null;
  return v !== null && !Object.hasOwn(PACES, v) ? v.slice(0, 100) : undefined;
}

/** The fragment (without '#') for a state; fields in the form's order. */
export function formatFragment(s: Readonly<LinkState>): string {
  const p = new URLSearchParams();
  if (s.preset) p.set('preset', s.preset);
  for (const key of FIELD_ORDER) {
    const v = s.values[key];
    if (v !== undefined) p.set(flagOf(key), negated(key) ? flip(v) : v);
  }
  if (s.pace && s.pace !== 'full') p.set('pace', s.pace);
  if (s.hide.length) p.set('hide', s.hide.join(','));
  if (s.task) p.set('task', s.task);
  return p.toString().replace(/%2C/g, ',');
}
