// One training job: its configuration, its loss and learning-rate curves, live from the event stream while
// it runs, from its history once it has finished; cancel and resume. Written against API.md's Jobs contract.
import { get, enc, num, streamEvents } from './api.js';
import { h, fmt, when, guarded, problemBox } from './dom.js';
import { curves } from './charts.js';
import { jobButtons, notice } from './actions.js';
import { reasons } from './access.js';

const LIVE = new Set(['queued', 'running']);

export async function render(main, { id }, signal, reload) {
  let job = await get(`jobs/${enc(id)}`, signal);
  const model = await get(`models/${enc(job.model_id)}`, signal); // its owner: who may cancel or resume
  document.title = `job ${job.id} · paramlab`;
  // The facts are built once and updated in place: the status is a live region, announced when it changes,
  // not on every step.
  const cell = {};
  const statusText = h('span', { class: 'status', role: 'status' });
  const facts = h('dl', { class: 'facts' }, ['model', 'status', 'epoch', 'step', 'last loss', 'started', 'finished']
    .map((t) => h('div', {}, h('dt', {}, t), (cell[t] = h('dd', {}, t === 'status' ? statusText : '')))));
  const error = h('div');
  const actionResult = h('div', { 'aria-live': 'polite' });
  const buttons = jobButtons(job, model.owner, actionResult, (what) => {
    if (what === 'resume') {
      notice.set(`Job ${job.id} resumed.`);
      reload();
    }
  });
  main.append(h('h1', { tabindex: '-1' }, `Job ${job.id}`), notice.take() || '', facts, reasons(), buttons.el, actionResult, error,
    configuration(job.settings));
  const set = (el, text) => { if (el.textContent !== String(text)) el.textContent = text; };
  let errorShown = null;
  const show = (j) => {
    if (!cell.model.querySelector('a')) cell.model.replaceChildren(h('a', { href: `#/models/${enc(j.model_id)}` }, j.model_id));
    set(statusText, j.status);
    buttons.update(j.status);
    statusText.className = `status ${j.status}`;
    set(cell.epoch, j.epoch);
    set(cell.step, `${j.step} / ${j.total_steps}`);
    set(cell['last loss'], fmt(j.loss));
    set(cell.started, when(j.started_at));
    set(cell.finished, when(j.finished_at));
    if (JSON.stringify(j.error ?? null) !== errorShown) {
      errorShown = JSON.stringify(j.error ?? null);
      error.replaceChildren(...(j.error ? [problemBox({ problem: j.error })] : []));
    }
  };
  show(job);

  // Curves keyed by step and epoch, so the history and the stream may overlap without doubling points.
  const steps = new Map();
  const epochs = new Map();
  const series = {
    step: [], loss: [], lr: [], epoch: [], meanLoss: [], valLoss: [], valAccuracy: [],
  };
  const charts = h('div', { class: 'charts' });
  main.append(charts);
  // The loss per step on a linear or a log scale (uPlot fixes a scale's distribution when it is made: a new chart).
  const lossBox = h('div', { class: 'loss-box' });
  const lossCurve = (log) => curves(lossBox, 'Training loss per step', 'step',
    [{ label: 'loss', x: series.step, values: series.loss, color: '#2563a8' }], { log });
  const logToggle = h('input', { type: 'checkbox', id: 'loss-log', onchange: () => {
    lossBox.replaceChildren();
    redraws[0] = lossCurve(logToggle.checked);
    redraws[0]();
  } });
  charts.append(h('div', { class: 'loss-slot' }, h('label', { for: 'loss-log', class: 'check' }, logToggle, ' Log scale for the loss'), lossBox));
  const redraws = [
    lossCurve(false),
    curves(charts, 'Learning rate per step (first parameter group)', 'step', [{ label: 'lr', x: series.step, values: series.lr, color: '#b45309' }]),
    curves(charts, 'Loss per epoch', 'epoch', [
      { label: 'mean training loss', x: series.epoch, values: series.meanLoss, color: '#2563a8' },
      { label: 'validation loss', values: series.valLoss, color: '#15803d' }]),
  ];
  const accuracy = h('p', { class: 'muted' });
  main.append(accuracy);
  // Steps arrive by the hundred per second: the curves and the facts are rebuilt at most once a frame.
  let queued = false;
  const refresh = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; redrawNow(); });
  };
  const redrawNow = () => {
    show(job);
    const fill = (target, values) => target.splice(0, target.length, ...values);
    const s = [...steps.keys()].sort((a, b) => a - b);
    fill(series.step, s);
    fill(series.loss, s.map((k) => steps.get(k).loss));
    fill(series.lr, s.map((k) => steps.get(k).lr));
    const e = [...epochs.keys()].sort((a, b) => a - b);
    fill(series.epoch, e);
    fill(series.meanLoss, e.map((k) => epochs.get(k).mean_loss));
    fill(series.valLoss, e.map((k) => epochs.get(k).val_loss ?? null));
    const acc = e.filter((k) => epochs.get(k).val_accuracy !== null && epochs.get(k).val_accuracy !== undefined);
    const best = acc.reduce((b, k) => (b === null || epochs.get(k).val_accuracy > epochs.get(b).val_accuracy ? k : b), null);
    const last = acc[acc.length - 1];
    accuracy.textContent = acc.length ? `Validation accuracy: ${fmt(epochs.get(last).val_accuracy)} after epoch ${last}, `
      + `best ${fmt(epochs.get(best).val_accuracy)} (epoch ${best})` : '';
    redraws.forEach((r) => r());
  };
  const firstLr = (lr) => num(Array.isArray(lr) ? lr[0] : lr);

  // The history's arrays are per step and per epoch in order; both are numbered from 1, as the stream's ids are.
  const loadHistory = async () => {
    const hist = await get(`jobs/${enc(id)}/history`, signal);
    (hist.step_loss || []).forEach((loss, i) => steps.set(i + 1, { loss: num(loss), lr: firstLr((hist.lr || [])[i]) }));
    (hist.epoch_loss || []).forEach((loss, i) => epochs.set(i + 1, {
      mean_loss: num(loss), val_loss: num((hist.val_loss || [])[i] ?? null), val_accuracy: (hist.val_accuracy || [])[i] ?? null }));
    refresh();
    return (hist.step_loss || []).length;
  };

  let loaded = 0;
  await guarded(main, async () => { loaded = await loadHistory(); });
  if (!LIVE.has(job.status)) return;
  // Live: the stream (read with fetch, so a token can go in a header) from the step after the history's last
  // (Last-Event-ID; without it the server sends only steps to come, and the ones between would be missing),
  // then the final history.
  await guarded(main, async () => {
    await streamEvents(`jobs/${enc(id)}/events`, (type, data) => {
      if (type === 'step') {
        steps.set(data.step, { loss: num(data.loss), lr: firstLr(data.lr) });
        job = { ...job, status: 'running', step: data.step, epoch: data.epoch, loss: data.loss };
      }
      else if (type === 'epoch') epochs.set(data.epoch, { mean_loss: num(data.mean_loss), val_loss: num(data.val_loss ?? null), val_accuracy: data.val_accuracy });
      else if (type === 'status') job = data;
      refresh();
    }, signal, String(loaded));
    job = await get(`jobs/${enc(id)}`, signal);
    await loadHistory();
  });
}

/** The job's settings (API.md "Jobs"): the loop's, with defaults filled in, and the optimizer spec it was submitted with. */
function configuration(settings) {
  if (!settings) return null;
  const args = (o) => Object.entries(o).filter(([k]) => !['type', 'scheduler', 'param_groups'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}`).join(', ');
  const o = settings.optimizer;
  const optimizer = o ? [h('code', {}, `${o.type}(${args(o)})`),
    o.param_groups ? [' with param groups ', h('code', {}, JSON.stringify(o.param_groups))] : '',
    o.scheduler ? [', scheduler ', h('code', {}, `${o.scheduler.type}(${args(o.scheduler)})`)] : ''] : 'not recorded';
  const rows = [
    ['loss', h('code', {}, settings.loss)], ['epochs', settings.epochs], ['batch size', settings.batch_size],
    ['shuffle', String(settings.shuffle)], ['seed', settings.seed], ['drop last', String(settings.drop_last)],
    ['scheduler step', settings.scheduler_step], ['checkpoint every', settings.checkpoint_every ? `${settings.checkpoint_every} epochs` : 'never'],
    ['dataset', h('code', {}, settings.dataset)], ['validation', settings.validation ? h('code', {}, settings.validation) : 'none'],
    ['optimizer', optimizer]];
  return h('section', { 'aria-labelledby': 'job-config' }, h('h2', { id: 'job-config' }, 'Configuration'),
    h('dl', { class: 'facts config' }, rows.map(([t, v]) => h('div', {}, h('dt', {}, t), h('dd', {}, v)))));
}
