/*
 * The poverty map of `regsosek-geo export DIR -f web`. Reads site.json (levels, legend,
 * the export's metadata), draws each level's vector tiles at its zooms, and fetches an area's
 * figures from data/ when it is clicked or found. Everything comes from this folder: no CDN,
 * no web fonts (OpenLayers draws labels with the browser's), no basemap unless one was asked
 * for at export.
 */
'use strict';

(function () {
  const TEXT = {
    id: {
      title: 'Peta kemiskinan', level: 'Tingkat', auto: 'Otomatis (menurut zoom)', about: 'Tentang data',
      search_placeholder: 'Cari nama atau kode wilayah', close: 'Tutup', lang: 'English',
      provinsi: 'Provinsi', kabkota: 'Kabupaten/Kota', kecamatan: 'Kecamatan', kelurahan: 'Desa/Kelurahan',
      sls: 'SLS (RT/RW)',
      legend: 'Tingkat kemiskinan', hidden: 'disembunyikan', hidden_legend: 'Disembunyikan: jumlah kecil',
      nodata: 'Tidak ada data', households: 'Rumah tangga', sangat_miskin: 'Sangat miskin', miskin: 'Miskin',
      rentan_miskin: 'Rentan miskin', tidak_miskin: 'Tidak miskin', unclassified: 'Belum terklasifikasi',
      rate: 'Tingkat kemiskinan', classes: 'Kelas kesejahteraan', desil: 'Desil', programmes: 'Program bantuan',
      with_point: 'Dengan titik GPS', without_point: 'Tanpa titik GPS (menurut kode wilayah)', points: 'Lokasi',
      code: 'Kode', showing: 'Ditampilkan', zoom_in: 'Perbesar peta untuk melihat tingkat ini',
      no_results: 'Tidak ditemukan', suppressed_note: 'Jumlah di bawah {n} disembunyikan, beserta sel yang dapat membukanya.',
      downloads: 'Unduh data', method: 'Metode', rate_def: 'Tingkat kemiskinan', sources: 'Sumber', created: 'Dibuat',
      edition: 'Edisi', total: 'Rumah tangga', boundaries: 'Batas wilayah', given: 'Desil diberikan oleh',
      gpkg: 'GeoPackage publik (QGIS)', csv: 'Ringkasan {level} (CSV)',
      rule: 'Aturan publikasi', desil_note: 'Desil 1 = sepersepuluh termiskin.'
    },
    en: {
      title: 'Poverty map', level: 'Level', auto: 'Automatic (by zoom)', about: 'About the data',
      search_placeholder: 'Search an area by name or code', close: 'Close', lang: 'Bahasa Indonesia',
      provinsi: 'Province', kabkota: 'Regency/City', kecamatan: 'District', kelurahan: 'Village',
      sls: 'SLS (neighbourhood)',
      legend: 'Poverty rate', hidden: 'suppressed', hidden_legend: 'Suppressed: small counts',
      nodata: 'No data', households: 'Households', sangat_miskin: 'Very poor', miskin: 'Poor',
      rentan_miskin: 'Vulnerable', tidak_miskin: 'Not poor', unclassified: 'Not classified',
      rate: 'Poverty rate', classes: 'Welfare classes', desil: 'Decile', programmes: 'Assistance programmes',
      with_point: 'With a GPS point', without_point: 'Without a GPS point (by area code)', points: 'Location',
      code: 'Code', showing: 'Showing', zoom_in: 'Zoom in to see this level',
      no_results: 'Nothing found', suppressed_note: 'Counts below {n} are suppressed, with the cells that would reveal them.',
      downloads: 'Download the data', method: 'Method', rate_def: 'Poverty rate', sources: 'Sources', created: 'Created',
      edition: 'Edition', total: 'Households', boundaries: 'Boundaries', given: 'Decile given by',
      gpkg: 'Public GeoPackage (QGIS)', csv: '{level} summaries (CSV)',
      rule: 'Publication rule', desil_note: 'Decile 1 = the poorest tenth.'
    }
  };
  const CLASSES = ['sangat_miskin', 'miskin', 'rentan_miskin', 'tidak_miskin', 'unclassified'];
  let lang = 'id';
  try { lang = localStorage.getItem('rg-lang') === 'en' ? 'en' : 'id'; } catch (e) { /* file: or private mode */ }
  const t = (key) => TEXT[lang][key] || key;
  const $ = (id) => document.getElementById(id);

  let site, map, layers = [], outlines = [], selected = null, pinned = 'auto', current = null, legendOpen = null;
  const dataCache = new Map();

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  }
  function number(v) {
    return v === null || v === undefined ? '<span class="hidden-value">' + t('hidden') + '</span>'
      : Number(v).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB');
  }
  function percent(v) {
    return (v * 100).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', {maximumFractionDigits: 1}) + ' %';
  }
  function rateText(rate, hidden) {
    if (rate !== null && rate !== undefined) return percent(rate);
    return hidden ? t('hidden') : t('nodata');
  }

  /* ---------------------------------------------------------------- levels and zooms */

  /* A level is drawn from the view zoom its first tiles are made for (a 512-pixel tile of zoom z
   * at view zoom z + 1) to the next level's: provinsi for the country, desa for a kecamatan. */
  function viewRange(i) {
    const levels = site.levels;
    const from = i === 0 ? 0 : levels[i].tile_min + 1;
    const to = i + 1 < levels.length ? levels[i + 1].tile_min + 1 : 30;
    return [from, to];
  }
  function levelAtZoom(z) {
    for (let i = site.levels.length - 1; i >= 0; i--) if (z >= viewRange(i)[0]) return i;
    return 0;
  }
  function shownLevel() {
    return pinned === 'auto' ? levelAtZoom(map.getView().getZoom()) : site.levels.findIndex((l) => l.id === pinned);
  }

  /* ---------------------------------------------------------------- styles */

  function colourOf(rate, hidden) {
    if (rate === null || rate === undefined) return hidden ? hatch() : site.nodata_colour;
    for (const c of site.classes) if (rate < c.upper || c.upper >= 1) return c.colour;
    return site.classes[site.classes.length - 1].colour;
  }
  let hatchPattern = null;
  function hatch() { /* the QGIS style's hatching: grey lines at 45 degrees on white */
    if (hatchPattern) return hatchPattern;
    const c = document.createElement('canvas');
    c.width = c.height = 8;
    const g = c.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = site.hidden_colour;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(0, 8); g.lineTo(8, 0); g.moveTo(-2, 2); g.lineTo(2, -2); g.moveTo(6, 10); g.lineTo(10, 6);
    g.stroke();
    hatchPattern = g.createPattern(c, 'repeat');
    return hatchPattern;
  }
  const fillStyles = new Map();
  const stroke = new ol.style.Stroke({color: '#636363', width: 0.6});
  const selectedStyle = new ol.style.Style({stroke: new ol.style.Stroke({color: '#00e5ff', width: 3}), zIndex: 10});
  function areaStyle(feature) {
    const rate = feature.get('rate');
    const hidden = feature.get('hidden') === 1;
    const key = rate === undefined || rate === null ? (hidden ? 'h' : 'n') : colourOf(rate, hidden);
    let s = fillStyles.get(key);
    if (!s) {
      s = new ol.style.Style({fill: new ol.style.Fill({color: colourOf(rate, hidden)}), stroke});
      fillStyles.set(key, s);
    }
    return selected && feature.get('code') === selected ? [s, selectedStyle] : s;
  }
  function labelStyle(feature, size) {
    let text = feature.get('name') || feature.get('code');
    if (feature.get('hidden') === 1 && (feature.get('rate') === undefined || feature.get('rate') === null))
      text += '\n(' + t('hidden') + ')';
    return new ol.style.Style({
      text: new ol.style.Text({
        text, font: size + 'px system-ui, "DejaVu Sans", sans-serif', fill: new ol.style.Fill({color: '#202020'}),
        stroke: new ol.style.Stroke({color: '#ffffff', width: 3}), overflow: false
      })
    });
  }
  function levelStyle(i) {
    const size = [14, 13, 12, 12, 11][i] || 11;
    return (feature) => feature.get('layer') === 'label' ? labelStyle(feature, size) : areaStyle(feature);
  }
  const outlineStyle = new ol.style.Style({stroke: new ol.style.Stroke({color: '#202020', width: 1.6})});

  /* ---------------------------------------------------------------- map */

  function tileSource(level) {
    return new ol.source.VectorTile({
      format: new ol.format.MVT(),
      url: 'tiles/' + level.id + '/{z}/{x}/{y}.pbf',
      tileGrid: ol.tilegrid.createXYZ({minZoom: level.tile_min, maxZoom: level.tile_max, tileSize: 512}),
      overlaps: false
    });
  }
  function buildMap() {
    const base = [];
    if (site.basemap)
      base.push(new ol.layer.Tile({source: new ol.source.XYZ({
        url: site.basemap, crossOrigin: null, attributions: escapeHtml(site.basemap_credit || '')
      })}));
    const sources = site.levels.map(tileSource);
    /* No tile is asked for outside the areas: a plain server answers those with 404s. */
    const extent = ol.proj.transformExtent(site.extent, 'EPSG:4326', 'EPSG:3857');
    site.levels.forEach((level, i) => {
      const [from, to] = viewRange(i);
      layers.push(new ol.layer.VectorTile({
        source: sources[i], style: levelStyle(i), declutter: true, minZoom: from, maxZoom: to, extent,
        renderMode: 'hybrid', properties: {level: i}
      }));
      if (i > 0)
        outlines.push(new ol.layer.VectorTile({
          source: sources[i - 1], minZoom: from, maxZoom: to, extent, properties: {level: i - 1},
          style: (f) => f.get('layer') === 'area' ? outlineStyle : null
        }));
    });
    map = new ol.Map({
      target: 'map', layers: base.concat(layers, outlines),
      view: new ol.View({maxZoom: 17}),
      controls: ol.control.defaults.defaults({attribution: !!site.basemap}).extend([new ol.control.ScaleLine()])
    });
    map.getView().fit(extent, {padding: [20, 20, 20, 20]});
    map.getView().on('change:resolution', showLevelState);
    map.on('pointermove', hover);
    map.on('movestart', () => { $('hover').hidden = true; });
    map.on('click', click);
    map.once('rendercomplete', () => { document.body.dataset.ready = '1'; });
  }

  function applyPin() {
    site.levels.forEach((level, i) => {
      const [from, to] = viewRange(i);
      const on = pinned === 'auto' || pinned === level.id;
      layers[i].setVisible(on);
      layers[i].setMinZoom(pinned === 'auto' ? from : Math.max(level.tile_min - 1, 0));
      layers[i].setMaxZoom(pinned === 'auto' ? to : 30);
      if (i > 0) {
        outlines[i - 1].setVisible(on);
        outlines[i - 1].setMinZoom(layers[i].getMinZoom());
        outlines[i - 1].setMaxZoom(layers[i].getMaxZoom());
      }
    });
    showLevelState();
  }
  function showLevelState() {
    const i = shownLevel();
    const z = map.getView().getZoom();
    const hint = $('zoom-hint');
    hint.hidden = !(pinned !== 'auto' && z < layers[i].getMinZoom());
    hint.textContent = t('zoom_in');
    const now = document.querySelector('#legend .level-now');
    if (now) now.textContent = t('showing') + ': ' + t(site.levels[i].id);
  }

  /* ---------------------------------------------------------------- hover and click */

  function areaAt(pixel) {
    let found = null;
    map.forEachFeatureAtPixel(pixel, (f, layer) => {
      if (f.get('layer') === 'area' && layers.includes(layer)) { found = {f, level: layer.get('level')}; return true; }
      return false;
    }, {hitTolerance: 0});
    return found;
  }
  function hover(e) {
    const box = $('hover');
    if (e.dragging) { box.hidden = true; return; }
    const hit = areaAt(e.pixel);
    map.getTargetElement().style.cursor = hit ? 'pointer' : '';
    if (!hit) { box.hidden = true; return; }
    const rate = hit.f.get('rate');
    box.textContent = (hit.f.get('name') || hit.f.get('code')) + ': ' + rateText(rate, hit.f.get('hidden') === 1);
    box.style.left = (e.pixel[0] + 14) + 'px';
    box.style.top = (e.pixel[1] + 10) + 'px';
    box.hidden = false;
  }
  function click(e) {
    const hit = areaAt(e.pixel);
    if (!hit) return;
    openArea(hit.level, String(hit.f.get('code')), hit.f.get('parent') ? String(hit.f.get('parent')) : null, false);
  }

  function dataFile(level, parent) {
    return level === 0 || parent === null ? 'data/' + site.levels[level].id + '.json'
      : 'data/' + site.levels[level].id + '/' + encodeURIComponent(parent) + '.json';
  }
  async function record(level, code, parent) {
    const file = dataFile(level, parent);
    if (!dataCache.has(file)) dataCache.set(file, fetch(file).then((r) => r.ok ? r.json() : {}));
    return (await dataCache.get(file))[code];
  }
  async function openArea(level, code, parent, zoomTo) {
    const r = await record(level, code, parent);
    if (!r) return;
    current = {level, r};
    selected = code;
    layers.forEach((l) => l.changed());
    renderPanel();
    if (zoomTo && r.bbox) {
      const e = ol.proj.transformExtent(r.bbox, 'EPSG:4326', 'EPSG:3857');
      const maxZoom = pinned === 'auto' ? Math.max(viewRange(level)[1] - 0.5, viewRange(level)[0] + 0.5) : 17;
      /* The area in the part of the map the panel leaves: beside it, or above it on a phone. */
      const panel = $('panel').getBoundingClientRect();
      const phone = window.matchMedia('(max-width: 640px)').matches;
      const padding = phone ? [30, 30, panel.height + 30, 30] : [40, panel.width + 60, 40, 40];
      map.getView().fit(e, {padding, maxZoom, duration: 400});
    }
  }

  /* ---------------------------------------------------------------- the panel */

  function row(label, value, field) {
    return '<tr data-field="' + field + '"><th>' + escapeHtml(label) + '</th><td>' + value + '</td></tr>';
  }
  function renderPanel() {
    const panel = $('panel');
    if (!current) { panel.hidden = true; return; }
    const {level, r} = current;
    const crumbs = (r.parents || []).map((p, i) =>
      '<a data-level="' + i + '" data-code="' + escapeHtml(p[0]) + '" data-parent="' +
      escapeHtml(i ? r.parents[i - 1][0] : '') + '">' + escapeHtml(p[1]) + '</a>').join(' › ');
    let html = '<button class="close" aria-label="' + t('close') + '">×</button>' +
      '<h2>' + escapeHtml(r.name || r.code) + '</h2>' +
      '<p class="crumbs">' + escapeHtml(t(site.levels[level].id)) + ' · ' + t('code') + ' ' + escapeHtml(r.code) +
      (crumbs ? '<br>' + crumbs : '') + '</p>' +
      '<p class="rate">' + t('rate') + ': <b>' + rateText(r.poverty_rate, r.suppressed === 1) + '</b></p>';
    html += '<table><caption>' + t('classes') + '</caption>' + row(t('households'), number(r.households), 'households');
    for (const c of CLASSES) html += row(t(c), number(r[c]), c);
    html += '</table><table><caption>' + t('desil') + '</caption>';
    for (let d = 1; d <= 10; d++) html += row(t('desil') + ' ' + d, number(r['desil_' + d]), 'desil_' + d);
    html += '</table><p class="note">' + t('desil_note') + '</p>';
    if (site.programmes.length) {
      html += '<table><caption>' + t('programmes') + '</caption>';
      for (const p of site.programmes) html += row(p.toUpperCase().replace(/_/g, ' '), number(r[p]), p);
      html += '</table>';
    }
    html += '<table><caption>' + t('points') + '</caption>' + row(t('with_point'), number(r.with_point), 'with_point') +
      row(t('without_point'), number(r.without_point), 'without_point') + '</table>';
    if (r.suppressed === 1)
      html += '<p class="note">' + escapeHtml(t('suppressed_note').replace('{n}', site.min_count)) + '</p>';
    panel.innerHTML = html;
    panel.hidden = false;
    panel.querySelector('.close').onclick = () => { current = null; selected = null; layers.forEach((l) => l.changed()); renderPanel(); };
    panel.querySelectorAll('.crumbs a').forEach((a) => {
      a.onclick = () => openArea(Number(a.dataset.level), a.dataset.code, a.dataset.parent || null, true);
    });
  }

  /* ---------------------------------------------------------------- search */

  let index = null;
  function fold(s) { return String(s).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''); }
  async function loadIndex() {
    if (index) return index;
    const json = await (await fetch('search.json')).json();
    const byCode = new Map();
    json.areas.forEach((a) => byCode.set(a[1], a));
    index = {areas: json.areas.map((a) => ({level: a[0], code: a[1], name: a[2], parent: a[3], key: fold(a[2])})), byCode};
    return index;
  }
  function parentsOf(a) {
    const names = [];
    for (let p = index.byCode.get(a.parent); p; p = index.byCode.get(p[3])) names.push(p[2]);
    return names.join(', ');
  }
  function search(q) {
    const query = fold(q.trim());
    const digits = query.replace(/[.\s]/g, '');
    if (query.length < 2) return [];
    const hits = [];
    for (const a of index.areas) {
      let score = -1;
      if (/^\d+$/.test(digits) && a.code.startsWith(digits)) score = a.code === digits ? 0 : 1 + a.code.length / 100;
      else if (a.key === query) score = 0.5;
      else if (a.key.startsWith(query)) score = 2;
      else if (a.key.includes(query)) score = 3;
      if (score >= 0) hits.push([score + a.level / 10, a]);
    }
    hits.sort((x, y) => x[0] - y[0] || (x[1].name < y[1].name ? -1 : 1));
    return hits.slice(0, 25).map((h) => h[1]);
  }
  let shown = [], active = -1; /* the results listed, and the one the arrow keys are on */
  function showResults(list) {
    const ul = $('results');
    shown = list;
    active = -1;
    ul.innerHTML = list.length ? list.map((a, i) =>
      '<li role="option" data-i="' + i + '">' + escapeHtml(a.name) + ' <small>' + escapeHtml(t(site.levels[a.level].id)) +
      ' · ' + escapeHtml(a.code) + (a.parent ? ' · ' + escapeHtml(parentsOf(a)) : '') + '</small></li>').join('')
      : '<li class="none">' + t('no_results') + '</li>';
    ul.hidden = false;
    ul.querySelectorAll('li[data-i]').forEach((li) => {
      li.onclick = () => choose(list[Number(li.dataset.i)]);
    });
  }
  function choose(a) {
    $('results').hidden = true;
    $('search').value = a.name;
    openArea(a.level, a.code, a.parent, true);
  }
  function wireSearch() {
    const input = $('search');
    let timer = null;
    input.addEventListener('focus', () => { loadIndex(); });
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        await loadIndex();
        if (input.value.trim().length < 2) { $('results').hidden = true; return; }
        showResults(search(input.value));
      }, 120);
    });
    input.addEventListener('keydown', async (e) => {
      const items = $('results').querySelectorAll('li[data-i]');
      if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !$('results').hidden && items.length) {
        e.preventDefault();
        active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1) + (active < 0 && e.key === 'ArrowUp' ? 1 : 0))
          % items.length;
        items.forEach((li, i) => li.setAttribute('aria-selected', i === active ? 'true' : 'false'));
        items[active].scrollIntoView({block: 'nearest'});
      } else if (e.key === 'Enter') {
        clearTimeout(timer);
        await loadIndex();
        const list = active >= 0 && !$('results').hidden ? shown : search(input.value);
        if (list.length) choose(list[Math.max(active, 0)]);
      } else if (e.key === 'Escape') {
        $('results').hidden = true;
      }
    });
  }

  /* ---------------------------------------------------------------- legend, texts, about */

  function renderLegend() {
    const items = site.classes.map((c) =>
      '<li><span class="swatch" style="background:' + c.colour + '"></span>' +
      Math.round(c.lower * 100) + ' – ' + Math.round(c.upper * 100) + ' %</li>');
    items.push('<li><span class="swatch hidden-cells"></span>' + t('hidden_legend') + '</li>');
    items.push('<li><span class="swatch" style="background:' + site.nodata_colour + '"></span>' + t('nodata') + '</li>');
    /* A <details>: open on a desktop, folded to its title on a phone, where it would cover the map. */
    const open = legendOpen === null ? !window.matchMedia('(max-width: 640px)').matches : legendOpen;
    $('legend').innerHTML = '<details' + (open ? ' open' : '') + '><summary><h2>' + t('legend') + '</h2></summary><ul>' +
      items.join('') + '</ul><div class="level-now"></div></details>';
    $('legend').querySelector('details').ontoggle = (e) => { legendOpen = e.target.open; };
  }
  function renderLevels() {
    const select = $('level');
    select.innerHTML = '<option value="auto">' + t('auto') + '</option>' +
      site.levels.map((l) => '<option value="' + l.id + '">' + t(l.id) + '</option>').join('');
    select.value = pinned;
  }
  function renderAbout() {
    const m = site.metadata;
    const item = (label, v) => v ? '<dt>' + escapeHtml(label) + '</dt><dd>' + escapeHtml(v) + '</dd>' : '';
    const csv = site.levels.map((l) => '<li><a href="unduh/ringkasan-' + l.id + '.csv" download>' +
      escapeHtml(t('csv').replace('{level}', t(l.id))) + '</a></li>').join('');
    $('about-body').innerHTML = '<h2>' + escapeHtml($('title').textContent) + '</h2><dl>' +
      item(t('edition'), m.EDITION) + item(t('created'), m.CREATED) + item(t('total'), m.HOUSEHOLDS) +
      item(t('method'), m.METHOD) + item(t('given'), m.DESIL_GIVEN_BY) + item(t('rate_def'), m.POVERTY_RATE) +
      item(t('rule'), t('suppressed_note').replace('{n}', site.min_count)) +
      item(t('sources'), m.INPUTS) + item(t('boundaries'), m.BOUNDARIES) + '</dl>' +
      '<h3>' + t('downloads') + '</h3><ul><li><a href="' + site.gpkg + '" download>' + t('gpkg') + '</a></li>' + csv +
      '</ul><p class="note">' + escapeHtml(site.generator) + ' · OpenLayers (BSD-2-Clause, lib/LICENSE-openlayers.md)</p>';
  }
  function applyTexts() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll('[data-tp]').forEach((el) => { el.placeholder = t(el.dataset.tp); });
    document.querySelectorAll('[data-ta]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.ta)); });
    $('search').setAttribute('aria-label', t('search_placeholder'));
    $('lang').textContent = t('lang');
    $('lang').lang = lang === 'id' ? 'en' : 'id';
    $('title').textContent = t('title') + (site.place ? ' — ' + site.place : '');
    document.title = $('title').textContent;
    renderLegend();
    renderLevels();
    renderAbout();
    renderPanel();
    if (map) { layers.forEach((l) => l.changed()); showLevelState(); }
  }

  /* The place the map covers, for its title: the one provinsi, or the one kab/kota in it. */
  async function findPlace() {
    const top = await (await fetch(dataFile(0, null))).json();
    const codes = Object.keys(top);
    if (codes.length !== 1) return codes.length ? 'Indonesia' : '';
    const kab = site.levels[1].areas === 1 ? await (await fetch(dataFile(1, codes[0]))).json() : null;
    const kabCodes = kab ? Object.keys(kab) : [];
    return kabCodes.length === 1 ? kab[kabCodes[0]].name : top[codes[0]].name;
  }

  async function start() {
    site = await (await fetch('site.json')).json();
    site.place = await findPlace();
    buildMap();
    applyTexts();
    wireSearch();
    $('level').onchange = (e) => {
      pinned = e.target.value;
      applyPin();
      const i = shownLevel();
      if (pinned !== 'auto' && map.getView().getZoom() < layers[i].getMinZoom())
        map.getView().animate({zoom: layers[i].getMinZoom(), duration: 300});
    };
    $('lang').onclick = () => {
      lang = lang === 'id' ? 'en' : 'id';
      try { localStorage.setItem('rg-lang', lang); } catch (e) { /* not kept: fine */ }
      applyTexts();
    };
    $('about-open').onclick = () => $('about').showModal();
    document.addEventListener('click', (e) => { if (!$('search-box').contains(e.target)) $('results').hidden = true; });
    window.rgMap = {map, site, openArea, search: async (q) => { await loadIndex(); return search(q); }};
  }
  start();
})();
