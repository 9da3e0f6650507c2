/**
 * The lab's knobs: the form built from the config's fields, the preset picker, the field messages and the
 * `reglab train` command line of the settings shown. Reads and writes the fields; owns no run.
 */
import { LAB_FIELDS, PRESETS, labCommandLine, parseLabConfig, type LabConfig } from './config.js';

/** Every field, in the form's order (LAB_FIELDS': the chapter's knobs first, then the rest). */
export const FIELD_ORDER: readonly (keyof LabConfig)[] = Object.keys(LAB_FIELDS) as (keyof LabConfig)[];
/** What a choice's options say where the word alone would not. */
const CHOICE_TEXT: Readonly<Record<string, string>> = { ce: 'cross-entropy', mse: 'squared error (book)' };

export interface FormElements {
  form: HTMLFormElement;
  preset: HTMLSelectElement;
  lesson: HTMLElement;
  message: HTMLElement;
  command: HTMLElement;
}

type Input = HTMLInputElement | HTMLSelectElement;

export class LabForm {
  /** Called after the user edits a field or picks a preset. */
  onChange: () => void = () => {};
  /** Called when Enter is pressed in a field. */
  onSubmit: () => void = () => {};

  constructor(private readonly el: FormElements) {
    // The chapter's knobs in the form, the rest of the settings folded away under "More settings".
    const more = document.createElement('details');
    more.id = 'more-settings';
    more.append(Object.assign(document.createElement('summary'), { textContent: 'More settings' }), document.createElement('div'));
    for (const key of FIELD_ORDER) (LAB_FIELDS[key].more ? more.lastElementChild! : el.form).append(fieldLabel(key));
    el.form.append(more);
    const enter = document.createElement('button');
    enter.type = 'submit';
    enter.hidden = true; // lets Enter in a field submit the form
    el.form.append(enter);
    for (const p of PRESETS) el.preset.append(new Option(p.name, p.id));
    el.preset.addEventListener('change', () => {
      this.applyPreset(el.preset.value);
      this.onChange();
    });
    el.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.onSubmit();
    });
    el.form.addEventListener('input', () => {
      this.clearMessage();
      this.showCommand();
      this.onChange();
    });
    this.applyPreset(PRESETS[0]!.id);
  }

  input(key: keyof LabConfig): Input {
    return this.el.form.elements.namedItem(key) as Input;
  }

  get presetId(): string {
    return this.el.preset.value;
  }

  applyPreset(id: string): void {
    const p = PRESETS.find((x) => x.id === id) ?? PRESETS[0]!;
    this.el.preset.value = p.id;
    this.el.lesson.textContent = p.lesson;
    this.set(p.config);
    this.clearMessage();
    this.showCommand();
  }

  set(c: Readonly<LabConfig>): void {
    for (const key of FIELD_ORDER) this.setRaw(key, String(c[key]));
  }

  /** Puts a field's text as given (checked later by read()). */
  setRaw(key: keyof LabConfig, value: string): void {
    const input = this.input(key);
    if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === 'true' || value === 'on';
    else input.value = value;
  }

  /** Every field's value as text (checkboxes as 'true' / 'false'). */
  raw(): Record<keyof LabConfig, string> {
    const out = {} as Record<keyof LabConfig, string>;
    for (const key of FIELD_ORDER) {
      const input = this.input(key);
      out[key] = input instanceof HTMLInputElement && input.type === 'checkbox' ? String(input.checked) : input.value;
    }
    return out;
  }

  /** The settings shown, checked: throws LabFieldError naming the first bad field. */
  read(): LabConfig {
    const raw: Record<string, unknown> = {};
    for (const key of FIELD_ORDER) {
      const input = this.input(key);
      raw[key] = input instanceof HTMLInputElement && input.type === 'checkbox' ? input.checked : input.value;
    }
    return parseLabConfig(raw);
  }

  /** The same run on the command line (same seed and settings: the same numbers). */
  showCommand(): void {
    let text: string;
    try {
      text = labCommandLine(this.read());
    } catch {
      text = '(fix the settings first)';
    }
    this.el.command.textContent = text;
  }

  showMessage(text: string, field?: string): void {
    this.el.message.textContent = text;
    this.el.message.hidden = false;
    this.clearInvalid();
    if (field) {
      const input = this.el.form.elements.namedItem(field) as HTMLElement | null;
      input?.setAttribute('aria-invalid', 'true');
      input?.focus();
    }
  }

  clearMessage(): void {
    this.el.message.hidden = true;
    this.clearInvalid();
  }

  /** Unfolds "More settings" (a link set one of them). */
  openMore(): void {
    this.el.form.querySelector('details')?.setAttribute('open', '');
  }

  setDisabled(disabled: boolean): void {
    this.el.form.querySelectorAll('input, select').forEach((el) => ((el as HTMLInputElement).disabled = disabled));
    this.el.preset.disabled = disabled;
  }

  private clearInvalid(): void {
    this.el.form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  }
}

function fieldLabel(key: keyof LabConfig): HTMLLabelElement {
  const rule = LAB_FIELDS[key];
  const label = document.createElement('label');
  label.dataset['field'] = key;
  let input: Input;
  if (rule.kind === 'bool') {
    label.className = 'check';
    input = document.createElement('input');
    input.type = 'checkbox';
    label.append(input, rule.label);
  } else if (rule.kind === 'choice') {
    input = document.createElement('select');
    for (const v of rule.choices!) input.append(new Option(CHOICE_TEXT[v] ?? v, v));
    label.append(rule.label, input);
  } else {
    input = document.createElement('input');
    input.type = 'text';
    input.inputMode = rule.kind === 'int' ? 'numeric' : rule.kind === 'number' ? 'decimal' : 'text';
    label.append(rule.label, input);
  }
  input.name = key;
  input.dataset['testid'] = `field-${key}`;
  if (rule.kind !== 'bool') label.title = rule.doc; // a bool's doc line is its CLI switch's
  return label;
}
