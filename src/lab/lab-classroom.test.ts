import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { skipUnlessChromium } from '../testing/browser.js';
import { labSession } from '../testing/lab-session.js';

/** A run of a second or two: 500 images, three epochs, slow motion (one epoch a second) so that it can be paused. */
const SMALL_LINK = 'train-size=500&test-size=500&val-size=0&batch-size=10&lr=0.2&epochs=3&dropout=0.5&seed=2&pace=slow';

/** What a page did that it should not: errors, dialogs, and whether a link's script ran (window.pwned). */
interface Watched {
  page: Page;
  errors: string[];
  dialogs: string[];
}

describe('the lab in a classroom: lesson links, keyboard, live region, dropout in slow motion, touch, labels, presenter (Chromium)', { skip: skipUnlessChromium() }, () => {
  const lab = labSession({ width: 1400, height: 1000 });
  before(async () => {
    await lab.session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(lab.url).origin });
  });

  async function open(fragment: string): Promise<Watched> {
    const errors: string[] = [];
    const w: Watched = { page: await lab.page(errors), errors, dialogs: [] };
    const page = w.page;
    page.on('dialog', (d) => {
      w.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${lab.url}#${fragment}`);
    await page.waitForSelector('body[data-ready="true"]');
    return w;
  }

  const value = (page: Page, key: string) => page.getByTestId(`field-${key}`).inputValue();

  test('a lesson link sets the fields, hides what hide= names and shows its task; editing a field updates the fragment', async () => {
    const { page, errors } = await open('preset=dropout&train-size=1000&dropout=0.5&epochs=40&seed=3&pace=slow&no-bias=true&hide=dropout,weights,pace&task=Watch+the+gap+close');
    assert.equal(await page.getByTestId('preset').inputValue(), 'dropout');
    assert.equal(await value(page, 'trainSize'), '1000');
    assert.equal(await value(page, 'dropout'), '0.5');
    assert.equal(await value(page, 'epochs'), '40');
    assert.equal(await value(page, 'seed'), '3');
    assert.equal(await page.getByTestId('field-bias').isChecked(), false, 'no-bias=true: no bias vectors, as on the command line');
    assert.equal(await page.locator('#more-settings').getAttribute('open'), '', 'a link that sets one of More settings unfolds them');
    assert.equal(await page.getByTestId('pace').inputValue(), '1000');
    assert.equal(await page.getByTestId('field-dropout').isVisible(), false, 'hide=dropout hides the field');
    assert.equal(await page.getByTestId('weights').isVisible(), false, 'hide=weights hides the weight pictures');
    assert.equal(await page.getByTestId('pace').isVisible(), false);
    assert.equal(await page.getByTestId('field-epochs').isVisible(), true, 'what hide= does not name stays');
    assert.equal(await page.getByTestId('task').isVisible(), true);
    assert.equal(await page.getByTestId('task').textContent(), 'Watch the gap close');
    assert.match((await page.getByTestId('cli-command').textContent())!, /^reglab train --dropout 0\.5 --no-bias --seed 3$/);

    await page.getByTestId('field-epochs').fill('12');
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /(^#|&)epochs=12(&|$)/);
    assert.match(hash, /(^#|&)hide=dropout,weights,pace(&|$)/, 'the link keeps its hide= and task=');

    // A bad value gets the field's usual message; the other fields are still set.
    const bad = await open('train-size=lots&epochs=7');
    assert.equal(await bad.page.getByTestId('error').isVisible(), true);
    assert.match((await bad.page.getByTestId('error').textContent())!, /^Training images: /);
    assert.equal(await value(bad.page, 'epochs'), '7');
    await bad.page.getByTestId('train').click();
    assert.equal(await bad.page.evaluate(() => (window as any).reglabLab.runs.length), 0, 'a bad link starts nothing');
    // A switch's bad value too (it used to turn no-bias on, and early stopping off, without a word).
    const badSwitch = await open('no-bias=maybe&epochs=7');
    assert.equal(await badSwitch.page.getByTestId('error').textContent(), "Bias vectors: must be true or false, got 'maybe'");
    assert.equal(await badSwitch.page.getByTestId('field-bias').isChecked(), true, 'the checkbox keeps its state');
    assert.equal(await value(badSwitch.page, 'epochs'), '7');
    // A misspelt preset or pace: a message naming the choices (it was dropped without a word).
    const badName = await open('preset=droput&epochs=7');
    assert.equal(await badName.page.getByTestId('error').textContent(), "Experiment: no preset 'droput' (one of quick, overfit, early-stopping, dropout, minibatch, l2)");
    assert.equal(await badName.page.getByTestId('preset').inputValue(), 'quick');
    assert.equal(await value(badName.page, 'epochs'), '7');
    const badPace = await open('pace=warp');
    assert.equal(await badPace.page.getByTestId('error').textContent(), "Pace: no pace 'warp' (one of full, slow, slower)");
    assert.deepEqual([...errors, ...bad.errors, ...badSwitch.errors, ...badName.errors, ...badPace.errors], []);
    await badName.page.close();
    await badPace.page.close();
    await badSwitch.page.close();
    await bad.page.close();
    await page.close();
  });

  test('Copy link writes the state; the copied link opens the lab in that state', async () => {
    const { page, errors } = await open('hide=clear-runs&task=Try+two+seeds');
    await page.getByTestId('preset').selectOption('l2');
    await page.getByTestId('field-trainSize').fill('800');
    await page.getByTestId('field-hidden').fill('64,32');
    await page.getByTestId('field-earlyStopping').check();
    await page.getByText('More settings').click();
    await page.getByTestId('field-optimizer').selectOption('adam');
    await page.getByTestId('pace').selectOption('3000');
    await page.getByTestId('share-link').click();
    await page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid=share-note]')!.textContent ?? ''));
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.evaluate(() => location.href));
    const hash = new URL(copied).hash.slice(1);
    const keys = [...new URLSearchParams(hash).keys()];
    assert.deepEqual(keys, ['preset', 'train-size', 'hidden', 'early-stopping', 'optimizer', 'pace', 'hide', 'task'], 'the reglab train flags as keys');

    const fields = ['trainSize', 'hidden', 'epochs', 'lr', 'dropout', 'l2', 'optimizer', 'seed'];
    const state = async (p: Page) => ({
      preset: await p.getByTestId('preset').inputValue(),
      fields: await Promise.all(fields.map((f) => value(p, f))),
      earlyStopping: await p.getByTestId('field-earlyStopping').isChecked(),
      pace: await p.getByTestId('pace').inputValue(),
      task: await p.getByTestId('task').textContent(),
      command: await p.getByTestId('cli-command').textContent(),
      clearHidden: !(await p.locator('#clear-runs').isVisible()),
    });
    const there = await open(hash);
    assert.deepEqual(await state(there.page), await state(page));
    assert.equal((await state(there.page)).clearHidden, true);
    assert.deepEqual([...errors, ...there.errors], []);
    await there.page.close();
    await page.close();
  });

  test('a link whose task and values hold markup and script runs nothing and shows them as text', async () => {
    const task = '<img src=x onerror="window.pwned=1;alert(1)"><script>window.pwned=2</script><style>body{display:none}</style>';
    const lr = '<svg onload="window.pwned=3">';
    const params = new URLSearchParams({ task, lr, seed: '"><iframe src="javascript:alert(4)">', hide: '<b>x</b>,train,weights" onmouseover="alert(5)', preset: '<script>alert(6)</script>' });
    const w = await open(params.toString());
    const { page } = w;
    const before = await page.evaluate(() => ({ scripts: document.scripts.length }));
    assert.equal(await page.getByTestId('task').textContent(), task, 'the task as typed, as text');
    assert.equal(await page.evaluate(() => document.querySelector('[data-testid=task]')!.children.length), 0);
    assert.equal(await value(page, 'lr'), lr);
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, iframe, svg, style, object, embed').length), 0, 'nothing injected');
    assert.equal(await page.evaluate(() => document.scripts.length), before.scripts);
    assert.equal(await page.evaluate(() => document.scripts.length), 2, "the page's own two scripts only");
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).display), 'block', 'no link restyles the page');
    assert.equal(await page.getByTestId('weights').isVisible(), true, 'a hide= list with markup names nothing');
    assert.equal(await page.getByTestId('preset').inputValue(), 'quick', 'an unknown preset: the first one');
    // The fields' own messages judge the values; nothing runs.
    assert.equal(await page.getByTestId('error').isVisible(), true);
    assert.match((await page.getByTestId('error').textContent())!, /^(Learning rate|Seed): /);
    await page.getByTestId('draw').hover();
    await page.mouse.move(10, 10);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as any).pwned), undefined);
    assert.deepEqual(w.dialogs, []);
    assert.deepEqual(w.errors, []);
    await page.close();
  });

  test('keyboard: Space starts and pauses a run, S stops the next; the live region announces epochs; dropout shows its mask in slow motion', async () => {
    const { page, errors } = await open(SMALL_LINK);
    const status = () => page.evaluate(() => (window as any).reglabLab.runs.at(-1)?.status as string | undefined);
    const announced = () => page.getByTestId('announce').textContent();
    assert.equal(await page.getByTestId('announce').getAttribute('aria-live'), 'polite');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(' ');
    await page.waitForFunction(() => (window as any).reglabLab.runs.length === 1);
    assert.equal(await page.getByTestId('train').isDisabled(), true, 'Space started a run');
    await page.waitForFunction(() => /^Epoch 1 of 3: test accuracy \d+\.\d+%$/.test(document.querySelector('[data-testid=announce]')!.textContent ?? ''), null, { timeout: 60_000 });

    // The mask of epoch 1's last step: about half of the 100 units kept at rate 0.5.
    await page.waitForFunction(() => document.querySelector('[data-testid=dropout-mask]')!.getAttribute('data-epoch') === '1');
    assert.equal(await page.getByTestId('dropout-mask').isVisible(), true);
    const kept = Number(await page.getByTestId('dropout-mask').getAttribute('data-kept'));
    assert.ok(kept > 25 && kept < 75, `${kept} of 100 units kept at rate 0.5`);
    assert.match((await page.getByTestId('dropout-note').textContent())!, new RegExp(`^dropout at epoch 1's last step: ${kept} of 100 units kept, ${100 - kept} dropped`));

    await page.keyboard.press(' ');
    await page.waitForFunction(() => (window as any).reglabLab.runs.at(-1).status === 'paused');
    assert.equal(await page.getByTestId('pause').textContent(), 'Resume');
    const held = await page.evaluate(() => (window as any).reglabLab.runs.at(-1).history.length as number);
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => (window as any).reglabLab.runs.at(-1).history.length), held, 'paused: no epoch passes');
    await page.keyboard.press(' ');
    await page.waitForFunction(() => (window as any).reglabLab.runs.at(-1).status === 'done', null, { timeout: 60_000 });
    assert.match((await announced())!, /^Run finished/);
    const history = await page.evaluate(() => (window as any).reglabLab.runs.at(-1).history.map((h: any) => h.epoch));
    assert.deepEqual(history, [1, 2, 3]);
    // Each epoch's mask was drawn as it came: the last one shown is the last epoch's.
    assert.equal(await page.getByTestId('dropout-mask').getAttribute('data-epoch'), '3');

    // S stops a run.
    await page.keyboard.press(' ');
    await page.waitForFunction(() => (window as any).reglabLab.runs.length === 2);
    await page.keyboard.press('s');
    await page.waitForFunction(() => (window as any).reglabLab.runs.at(-1).status === 'done');
    assert.equal(await page.evaluate(() => (window as any).reglabLab.runs.at(-1).stopReason), 'stopped');
    // Typing in a field is typing, not a shortcut.
    await page.getByTestId('field-seed').fill('4');
    await page.getByTestId('field-seed').press(' ');
    assert.equal(await status(), 'done');

    // Touch drawing on the pad (pointer events from touches) reads the digit with the trained model.
    const pointerTypes: string[] = await page.evaluate(() => {
      const seen: string[] = [];
      (window as any).seenPointers = seen;
      document.querySelector('[data-testid=draw]')!.addEventListener('pointerdown', (e) => seen.push((e as PointerEvent).pointerType));
      return seen;
    });
    assert.deepEqual(pointerTypes, []);
    await page.getByTestId('draw').scrollIntoViewIfNeeded();
    const box = (await page.getByTestId('draw').boundingBox())!;
    const cdp = await lab.session.context.newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
    const at = (x: number, y: number) => ({ x: box.x + box.width * x, y: box.y + box.height * y });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0.5, 0.15)] });
    for (let i = 1; i <= 12; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(0.5, 0.15 + (0.7 * i) / 12)] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForFunction(() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]')!.textContent ?? ''));
    assert.deepEqual(await page.evaluate(() => (window as any).seenPointers), ['touch']);
    const probs: number[] = await page.evaluate(() => (window as any).reglabLab.lastReading);
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((s, p) => s + p, 0) - 1) < 1e-5);
    await cdp.detach();

    // Every control on the page has a name a screen reader says (runs in the table included).
    const unnamed: string[] = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('input, select, button, textarea, summary'))
        .filter((el) => {
          if (el.hidden && el.getAttribute('type') === 'submit') return false; // Enter's submit button: never shown
          if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby')) return false;
          if (el.closest('label')?.textContent?.trim()) return false;
          if (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent?.trim()) return false;
          if ((el.tagName === 'BUTTON' || el.tagName === 'SUMMARY') && el.textContent?.trim()) return false;
          return true;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unnamed, []);
    assert.match((await page.getByTestId('draw').getAttribute('aria-label'))!, /drawing pad/);
    assert.equal(await page.getByTestId('draw').getAttribute('role'), 'img');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('presenter mode: large type, high contrast, the curves and the pad on one 1400x1000 screen', async () => {
    const { page, errors } = await open('');
    const fontPx = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const normal = await fontPx();
    await page.getByTestId('presenter').click();
    assert.equal(await page.getByTestId('presenter').getAttribute('aria-pressed'), 'true');
    assert.ok((await fontPx()) > normal, `type grows (${normal} px -> ${await fontPx()} px)`);
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--ink').trim()), '#000');
    await page.evaluate(() => window.scrollTo(0, 0));
    for (const id of ['curves', 'draw', 'train', 'prediction']) {
      const b = (await page.getByTestId(id).boundingBox())!;
      assert.ok(b.y >= 0 && b.y + Math.min(b.height, 200) <= 1000 && b.x + b.width <= 1400, `${id} on the first screen: ${JSON.stringify(b)}`);
    }
    await page.getByTestId('presenter').click();
    assert.equal(await page.getByTestId('presenter').getAttribute('aria-pressed'), 'false');
    assert.equal(await fontPx(), normal);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
