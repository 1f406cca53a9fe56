'use strict';
// The page: upload an X-ray, show it, its 14 probabilities sorted with thresholds, and the CAM
// overlay of a finding when it is clicked. Everything goes through the REST API.
(function () {
  const $ = (id) => document.getElementById(id);
  let model = null;
  let upload = null;
  let camUrl = null;

  function setStatus(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      return body.error || response.statusText;
    } catch (e) {
      return response.status + ' ' + response.statusText;
    }
  }

  function fmt(x, digits) { return x === null || x === undefined ? 'n/a' : Number(x).toFixed(digits); }

  async function loadModel() {
    const response = await fetch('api/v1/model');
    if (!response.ok) { setStatus('Cannot read the model: ' + await errorText(response), true); return; }
    model = await response.json();
    // [label, value, link]: an imported model says where it came from and what its project
    // published, with the citation; a model trained here gives its own test AUROC.
    const parts = [['Model', model.name]];
    if (model.version) parts.push(['version', model.version]);
    if (model.run_id) parts.push(['run', model.run_id]);
    const imported = model.imported;
    if (imported) {
      parts.push(['imported from', imported.project || imported.format]);
      parts.push(['file', imported.file]);
      parts.push(['SHA-256', imported.sha256.slice(0, 12) + '…']);
      (imported.published_auroc || []).forEach((p) => {
        parts.push(['published AUROC', fmt(p.mean, 3) + ' (' + p.model + ')', p.citation]);
      });
      if (!(imported.published_auroc || []).length) parts.push(['published AUROC', 'none known']);
    } else {
      parts.push(['test AUROC', fmt(model.test_mean_auroc, 3)]);
    }
    // Which probabilities the bars show: calibrated ones are labelled as such, with how.
    const label = $('calibration-label');
    label.textContent = model.calibration
      ? 'Calibrated probabilities: ' + model.calibration.description + '; thresholds on the same scale.'
      : "Probabilities as the network gives them (not calibrated).";
    label.className = model.calibration ? 'calibrated' : '';
    label.hidden = false;
    $('model-card-link').hidden = !model.model_card;
    const info = $('model-info');
    info.textContent = '';
    parts.forEach(([k, v, link], i) => {
      if (i) info.append(' · ');
      info.append(k + ' ');
      const b = document.createElement('b');
      b.textContent = v;
      info.append(b);
      if (link && /^https:\/\//.test(link)) {
        const a = document.createElement('a');
        a.href = link;
        a.rel = 'noopener noreferrer';
        a.target = '_blank';
        a.textContent = 'source';
        info.append(' [', a, ']');
      }
    });
    if (model.preprocessing) info.title = 'Preprocessing: ' + model.preprocessing;
  }

  async function choose(file) {
    if (!file) return;
    upload = file;
    $('preview').src = URL.createObjectURL(file);
    $('preview-figure').hidden = false;
    $('cam-figure').hidden = true;
    $('bars').textContent = '';
    setStatus('Predicting…');
    const response = await fetch('api/v1/predict', {
      method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } });
    if (!response.ok) { setStatus(await errorText(response), true); return; }
    const result = await response.json();
    setStatus('');
    drawBars(result);
  }

  function drawBars(result) {
    const bars = $('bars');
    bars.textContent = '';
    const rows = Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]);
    for (const [finding, p] of rows) {
      const threshold = result.thresholds[finding];
      const row = document.createElement('div');
      row.className = 'bar' + (result.positive.includes(finding) ? ' positive' : '');
      row.tabIndex = 0;
      row.dataset.finding = finding;
      row.title = threshold === undefined ? 'no threshold' : 'threshold ' + fmt(threshold, 3);
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = finding.replace('_', ' ');
      const track = document.createElement('span');
      track.className = 'track';
      const fill = document.createElement('span');
      fill.className = 'fill';
      fill.style.width = (100 * p).toFixed(1) + '%';
      track.append(fill);
      if (threshold !== undefined) {
        const tick = document.createElement('span');
        tick.className = 'threshold';
        tick.style.left = (100 * Math.min(1, threshold)).toFixed(1) + '%';
        track.append(tick);
      }
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = fmt(p, 3);
      row.append(name, track, value);
      row.addEventListener('click', () => showCam(finding, row));
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') showCam(finding, row); });
      bars.append(row);
    }
    $('legend').hidden = false;
  }

  async function showCam(finding, row) {
    if (!upload) return;
    document.querySelectorAll('.bar.selected').forEach((r) => r.classList.remove('selected'));
    row.classList.add('selected');
    setStatus('Computing the activation map for ' + finding + '…');
    const response = await fetch('api/v1/cam?finding=' + encodeURIComponent(finding), {
      method: 'POST', body: upload, headers: { 'Content-Type': 'application/octet-stream' } });
    if (!response.ok) { setStatus(await errorText(response), true); return; }
    if (camUrl) URL.revokeObjectURL(camUrl);
    camUrl = URL.createObjectURL(await response.blob());
    $('cam').src = camUrl;
    $('cam').dataset.finding = finding;
    $('cam-caption').textContent = 'Where the model looked for ' + finding.replace('_', ' ');
    $('cam-figure').hidden = false;
    setStatus('');
  }

  document.addEventListener('DOMContentLoaded', () => {
    loadModel();
    $('file').addEventListener('change', (e) => choose(e.target.files[0]));
    const drop = $('drop');
    ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => {
      e.preventDefault(); drop.classList.add('over'); }));
    ['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, (e) => {
      e.preventDefault(); drop.classList.remove('over'); }));
    drop.addEventListener('drop', (e) => choose(e.dataTransfer.files[0]));
  });
})();
