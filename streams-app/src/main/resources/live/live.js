// The live page of a latentstream streams instance: polls ../api/live, shows a card per camera with its latest frame
// (decoded on demand by ../frames/{camera}/{seq}), bpp and PSNR charts, and the model in use.
//
// Camera ids come from producers: they are only ever written with textContent, setAttribute or dataset, never
// parsed as HTML, and they are percent-encoded into URLs. The page's Content-Security-Policy blocks inline scripts
// as a second line of defence.
//
// Bearer token: when the service requires one, open /live/#token=<token>. The fragment never leaves the browser; the
// page keeps the token in sessionStorage (this tab only), removes it from the address bar, and sends it as an
// Authorization header with every data request. Frames are therefore fetched with fetch() and shown as blob: URLs
// (an <img src> cannot carry a header).
(() => {
  'use strict';

  const POLL_MS = 2000;
  const RETRY_FRAME_MS = 4000;
  const TOKEN_KEY = 'latentstream.live.token';
  const SVG = 'http://www.w3.org/2000/svg';
  const CHART_W = 320;
  const PANEL_H = 56;
  const token = readToken();
  const cards = new Map(); // camera id -> card

  function readToken() {
    const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (match) {
      let value = '';
      try {
        value = decodeURIComponent(match[1]);
      } catch (e) {
        value = match[1];
      }
      try {
        sessionStorage.setItem(TOKEN_KEY, value);
      } catch (e) {
        // storage disabled: the token lives for this page load only
      }
      history.replaceState(null, '', location.pathname + location.search);
      return value;
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function authFetch(url) {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch(url, { headers, cache: 'no-store', credentials: 'omit' });
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, value);
    }
    for (const child of children) {
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, String(value));
    }
    return node;
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  function count(n) {
    return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
  }

  function lastValue(points, digits, unit) {
    return points.length ? points[points.length - 1][2].toFixed(digits) + unit : '–';
  }

  function status(text, isError) {
    const node = document.getElementById('status');
    node.textContent = text;
    node.classList.toggle('error', Boolean(isError));
  }

  function createCard(id) {
    const name = el('h2', { class: 'camera-name' }, id);
    const seq = el('span', { class: 'camera-seq' });
    const img = el('img', { alt: 'latest frame of camera ' + id, 'data-loaded': 'false' });
    img.addEventListener('load', () => {
      if (img.naturalWidth > 0) {
        img.dataset.loaded = 'true';
        img.dataset.naturalWidth = String(img.naturalWidth);
      }
    });
    img.addEventListener('error', () => {
      img.dataset.loaded = 'false';
    });
    const caption = el('figcaption', {}, 'waiting for a frame…');
    const bpp = el('dd', {}, '–');
    const psnr = el('dd', {}, '–');
    const size = el('dd', {}, '–');
    const chart = svg('svg', {
      class: 'chart', viewBox: `0 0 ${CHART_W} ${2 * PANEL_H + 8}`, role: 'img',
      'aria-label': 'bits per pixel and PSNR over time',
    });
    const model = el('code', {}, '–');
    const root = el('article', { class: 'camera' },
      el('header', { class: 'camera-head' }, name, seq),
      el('figure', { class: 'frame' }, img, caption),
      el('dl', { class: 'stats' },
        el('div', { class: 'stat bpp' }, el('dt', {}, 'bpp'), bpp),
        el('div', { class: 'stat psnr' }, el('dt', {}, 'PSNR'), psnr),
        el('div', { class: 'stat size' }, el('dt', {}, 'size'), size)),
      el('div', { class: 'charts' }, chart),
      el('p', { class: 'model' }, 'encoded with ', model));
    root.dataset.camera = id;
    return {
      id, root, seq, img, caption, bpp, psnr, size, chart, model,
      shownSeq: null, inFlight: false, failedSeq: null, failedAt: 0, objectUrl: null,
    };
  }

  // One panel of the chart: a polyline of the values (by index, oldest left), its range and its latest value.
  function panel(group, top, points, kind, title, digits) {
    group.append(svg('rect', {
      class: 'frame-line', x: 0.5, y: top + 0.5, width: CHART_W - 1, height: PANEL_H - 1, rx: 4, fill: 'none',
    }));
    const label = svg('text', { class: 'label', x: 6, y: top + 12 });
    label.textContent = title + (points.length ? ` · last ${points.length}` : ' · none yet');
    group.append(label);
    if (!points.length) {
      return;
    }
    const values = points.map((p) => p[2]);
    let min = Math.min(...values);
    let max = Math.max(...values);
    if (max - min < 1e-9) {
      min -= 0.5;
      max += 0.5;
    }
    const left = 6;
    const right = CHART_W - 48;
    const y0 = top + 18;
    const y1 = top + PANEL_H - 6;
    const x = (i) => (points.length === 1 ? right : left + (i * (right - left)) / (points.length - 1));
    const y = (v) => y1 - ((v - min) / (max - min)) * (y1 - y0);
    const coords = points.map((p, i) => `${x(i).toFixed(1)},${y(p[2]).toFixed(1)}`).join(' ');
    group.append(svg('polyline', { class: kind + '-line', points: coords }));
    const lastIndex = points.length - 1;
    group.append(svg('circle', { class: kind + '-dot', cx: x(lastIndex), cy: y(values[lastIndex]), r: 2.6 }));
    const hi = svg('text', { class: 'label', x: CHART_W - 44, y: y0 + 4 });
    hi.textContent = max.toFixed(digits);
    const lo = svg('text', { class: 'label', x: CHART_W - 44, y: y1 });
    lo.textContent = min.toFixed(digits);
    group.append(hi, lo);
  }

  function drawChart(card, cam) {
    const chart = card.chart;
    chart.replaceChildren();
    panel(chart, 0, cam.bpp, 'bpp', 'bits per pixel', 3);
    panel(chart, PANEL_H + 8, cam.psnr, 'psnr', 'PSNR dB (sampled frames)', 1);
    chart.dataset.bppPoints = String(cam.bpp.length);
    chart.dataset.psnrPoints = String(cam.psnr.length);
  }

  // the newest frame the decode store holds at or before the newest one heard of: the store may not have received
  // the very latest yet, and a DELTA frame decodes from its chain on the server
  function frameUrl(cam) {
    return '../frames/' + encodeURIComponent(cam.id) + '/' + encodeURIComponent(cam.latestSequence)
      + '?nearest=before';
  }

  // mean brightness (0-255) of a decoded frame, on a 16x16 thumbnail: shows (and lets tests check) that the
  // picture is a picture, not a black box
  function meanLuma(image) {
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 16;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0, 16, 16);
    const px = ctx.getImageData(0, 0, 16, 16).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
    }
    return Math.round(sum / (px.length / 4));
  }

  async function loadFrame(card, cam) {
    const seq = cam.latestSequence;
    const response = await authFetch(frameUrl(cam));
    if (!response.ok) {
      throw new Error(response.status === 404 ? 'not retained yet' : 'HTTP ' + response.status);
    }
    const shown = response.headers.get('X-Sequence') || seq;
    const type = response.headers.get('X-Frame-Type') || '';
    const objectUrl = URL.createObjectURL(await response.blob());
    const probe = new Image();
    probe.src = objectUrl;
    try {
      await probe.decode();
    } catch (e) {
      URL.revokeObjectURL(objectUrl);
      throw new Error('not an image');
    }
    card.img.dataset.meanLuma = String(meanLuma(probe));
    const previous = card.objectUrl;
    card.objectUrl = objectUrl;
    card.img.dataset.seq = shown;
    card.img.src = objectUrl;
    if (previous) {
      URL.revokeObjectURL(previous);
    }
    card.shownSeq = seq;
    card.caption.textContent = `frame ${shown}${type ? ' (' + type + ')' : ''} · ${probe.naturalWidth}×`
      + `${probe.naturalHeight} · decoded on demand`;
    card.caption.classList.remove('error');
  }

  function refreshFrame(card, cam) {
    const seq = cam.latestSequence;
    if (card.inFlight || card.shownSeq === seq || document.hidden) {
      return;
    }
    if (card.failedSeq === seq && Date.now() - card.failedAt < RETRY_FRAME_MS) {
      return;
    }
    card.inFlight = true;
    loadFrame(card, cam)
      .catch((e) => {
        card.failedSeq = seq;
        card.failedAt = Date.now();
        card.caption.textContent = `frame ${seq}: ${e.message}`;
        card.caption.classList.add('error');
      })
      .finally(() => {
        card.inFlight = false;
      });
  }

  function updateCard(card, cam) {
    card.seq.textContent = `seq ${cam.latestSequence} · ${count(cam.frames)} frames`;
    card.bpp.textContent = lastValue(cam.bpp, 3, '');
    card.psnr.textContent = lastValue(cam.psnr, 2, ' dB');
    card.size.textContent = cam.width && cam.height ? `${cam.width}×${cam.height}` : '–';
    card.model.textContent = cam.latestModelVersion || '–';
    drawChart(card, cam);
    refreshFrame(card, cam);
  }

  function render(data) {
    setText('model-current', data.model.current || 'none loaded');
    setText('model-loaded', data.model.loaded.length ? data.model.loaded.join(', ') : '–');
    setText('total-in', count(data.totals.framesIn));
    setText('total-out', count(data.totals.framesEncoded));
    setText('total-dlq', count(data.totals.deadLetters));
    const container = document.getElementById('cameras');
    const seen = new Set();
    for (const cam of data.cameras) {
      seen.add(cam.id);
      let card = cards.get(cam.id);
      if (!card) {
        card = createCard(cam.id);
        cards.set(cam.id, card);
      }
      container.append(card.root); // keeps the server's order (by camera id)
      updateCard(card, cam);
    }
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.root.remove();
        if (card.objectUrl) {
          URL.revokeObjectURL(card.objectUrl);
        }
        cards.delete(id);
      }
    }
    document.getElementById('empty').hidden = data.cameras.length > 0;
    const n = data.cameras.length;
    status(`updated ${new Date().toLocaleTimeString('en-GB')} · ${n} camera${n === 1 ? '' : 's'}`, false);
  }

  async function poll() {
    try {
      const response = await authFetch('../api/live');
      if (response.status === 401) {
        status(token ? 'the token was refused (401)' : 'this instance needs its bearer token: open /live/#token=…',
          true);
      } else if (!response.ok) {
        status('live data unavailable: HTTP ' + response.status, true);
      } else {
        render(await response.json());
      }
    } catch (e) {
      status('cannot reach the streams app: ' + e.message, true);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
