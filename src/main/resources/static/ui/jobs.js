// One training job: its loss and learning-rate curves, live from the event stream while it runs,
// from its history once it has finished. Written against API.md's Jobs contract.
import { get, enc, num, streamEvents } from './api.js';
import { h, fmt, when, guarded, problemBox } from './dom.js';
import { curves } from './charts.js';

const LIVE = new Set(['queued', 'running']);

export async function render(main, { id }, signal) {
  let job = await get(`jobs/${enc(id)}`, signal);
  document.title = `job ${job.id} · paramlab`;
  const facts = h('dl', { class: 'facts' });
  const error = h('div');
  main.append(h('h1', { tabindex: '-1' }, `Job ${job.id}`), facts, error);
  const show = (j) => {
    facts.replaceChildren(...[
      ['model', h('a', { href: `#/models/${enc(j.model_id)}` }, j.model_id)],
      ['status', h('span', { class: `status ${j.status}`, role: 'status' }, j.status)],
      ['epoch', j.epoch], ['step', `${j.step} / ${j.total_steps}`], ['last loss', fmt(j.loss)],
      ['started', when(j.started_at)], ['finished', when(j.finished_at)],
    ].map(([t, v]) => h('div', {}, h('dt', {}, t), h('dd', {}, v))));
    error.replaceChildren(...(j.error ? [problemBox({ problem: j.error })] : []));
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
  const redraws = [
    curves(charts, 'Training loss per step', 'step', [{ label: 'loss', x: series.step, values: series.loss, color: '#2563a8' }]),
    curves(charts, 'Learning rate per step (first parameter group)', 'step', [{ label: 'lr', x: series.step, values: series.lr, color: '#b45309' }]),
    curves(charts, 'Loss per epoch', 'epoch', [
      { label: 'mean training loss', x: series.epoch, values: series.meanLoss, color: '#2563a8' },
      { label: 'validation loss', values: series.valLoss, color: '#15803d' }]),
  ];
  const accuracy = h('p', { class: 'muted' });
  main.append(accuracy);
  const refresh = () => {
    const fill = (target, values) => target.splice(0, target.length, ...values);
    const s = [...steps.keys()].sort((a, b) => a - b);
    fill(series.step, s);
    fill(series.loss, s.map((k) => steps.get(k).loss));
    fill(series.lr, s.map((k) => steps.get(k).lr));
    const e = [...epochs.keys()].sort((a, b) => a - b);
    fill(series.epoch, e);
    fill(series.meanLoss, e.map((k) => epochs.get(k).mean_loss));
    fill(series.valLoss, e.map((k) => epochs.get(k).val_loss ?? null));
    const acc = e.map((k) => epochs.get(k).val_accuracy).filter((a) => a !== null && a !== undefined);
    accuracy.textContent = acc.length ? `Validation accuracy by epoch: ${acc.map(fmt).join(', ')}` : '';
    redraws.forEach((r) => r());
  };
  const firstLr = (lr) => num(Array.isArray(lr) ? lr[0] : lr);

  const loadHistory = async () => {
    const hist = await get(`jobs/${enc(id)}/history`, signal);
    (hist.step_loss || []).forEach((loss, i) => steps.set(i + 1, { loss: num(loss), lr: firstLr((hist.lr || [])[i]) }));
    (hist.epoch_loss || []).forEach((loss, i) => epochs.set(i + 1, {
      mean_loss: num(loss), val_loss: num((hist.val_loss || [])[i] ?? null), val_accuracy: (hist.val_accuracy || [])[i] ?? null }));
    refresh();
  };

  await guarded(main, loadHistory);
  if (!LIVE.has(job.status)) return;
  // Live: new steps from the stream (read with fetch, so a token can go in a header), then the final history.
  await guarded(main, async () => {
    await streamEvents(`jobs/${enc(id)}/events`, (type, data) => {
      if (type === 'step') {
        steps.set(data.step, { loss: num(data.loss), lr: firstLr(data.lr) });
        job = { ...job, step: data.step, epoch: data.epoch, loss: data.loss };
        show(job);
      }
      else if (type === 'epoch') epochs.set(data.epoch, { mean_loss: num(data.mean_loss), val_loss: num(data.val_loss ?? null), val_accuracy: data.val_accuracy });
      else if (type === 'status') { job = data; show(job); }
      refresh();
    }, signal);
    job = await get(`jobs/${enc(id)}`, signal);
    show(job);
    await loadHistory();
  });
}
