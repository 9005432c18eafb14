// Drives Debian's Chromium (headless, through playwright-core from web/client's lockfile) over a
// site of `export DIR -f web` served on 127.0.0.1, and checks what a visitor sees against
// expect.json, which tests/web/oracle.py wrote from the store with none of the tool's code:
// the legend's colours, the colour drawn inside a known kelurahan, hover, click, search, a
// suppressed area, the English switch, and that no request leaves the page's origin. Writes
// screenshots (three zooms on a desktop, one on a phone) into OUTDIR to be looked at.
//
// usage: node site.cjs URL EXPECT.json OUTDIR        (CHROMIUM: the browser, /usr/bin/chromium)
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require(path.join(__dirname, '../../web/client/node_modules/playwright-core'));

const [url, expectPath, outDir] = process.argv.slice(2);
const expect = JSON.parse(fs.readFileSync(expectPath, 'utf8'));
const origin = new URL(url).origin;
const failures = [];
const fail = (msg) => { failures.push(msg); console.log('FAIL: ' + msg); };
const hex = (rgb) => '#' + rgb.slice(0, 3).map((v) => v.toString(16).padStart(2, '0')).join('');

async function openPage(browser, viewport, mobile) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: mobile ? 2 : 1, isMobile: !!mobile,
                                             hasTouch: !!mobile });
  const leaks = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/')) return route.continue();
    leaks.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => fail('page error: ' + e.message));
  const started = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 20000 });
  return { page, context, leaks, drawnIn: Date.now() - started };
}

// The colour most of a 5 x 5 block around (x, y) of the page shows, from a screenshot.
async function colourAt(page, x, y) {
  const png = await page.screenshot({ clip: { x: x - 2, y: y - 2, width: 5, height: 5 } });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const tally = new Map();
    for (let i = 0; i < d.length; i += 4) {
      const k = d[i] + ',' + d[i + 1] + ',' + d[i + 2];
      tally.set(k, (tally.get(k) || 0) + 1);
    }
    return [...tally.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  }, png.toString('base64'));
}

async function pagePixel(page, lonlat) {
  return page.evaluate((ll) => {
    const p = rgMap.map.getPixelFromCoordinate(ol.proj.fromLonLat(ll));
    const r = rgMap.map.getTargetElement().getBoundingClientRect();
    return [Math.round(r.left + p[0]), Math.round(r.top + p[1])];
  }, lonlat);
}

// Waits for the map to be drawn whole (every tile loaded) after what was just asked of it.
const rendered = (page) => page.evaluate(() => new Promise((done) => {
  rgMap.map.once('rendercomplete', done);
  rgMap.map.render();
}));

async function desktop(browser) {
  const { page, context, leaks, drawnIn } = await openPage(browser, { width: 1280, height: 800 });
  console.log('first map drawn in ' + drawnIn + ' ms');
  const swatches = await page.$$eval('#legend .swatch', (s) => s.map((e) => getComputedStyle(e).backgroundColor));
  const want = expect.classes.map((c) => c.colour);
  const got = swatches.slice(0, want.length).map((s) => hex(s.match(/\d+/g).map(Number)));
  if (JSON.stringify(got) !== JSON.stringify(want)) fail('legend colours ' + got + ', the QGIS style ' + want);
  await page.screenshot({ path: path.join(outDir, 'desktop-kelurahan.png') });

  const T = expect.target;
  const [x, y] = await pagePixel(page, T.lonlat);
  const colour = hex(await colourAt(page, x, y));
  if (colour !== T.colour) fail(T.name + ' is drawn ' + colour + ' at ' + x + ',' + y + '; its rate calls for ' + T.colour);

  await page.mouse.move(x, y);
  await page.waitForSelector('#hover:not([hidden])');
  const tip = await page.textContent('#hover');
  if (!tip.startsWith(T.name + ':')) fail('hover shows "' + tip + '", expected ' + T.name);

  await page.mouse.click(x, y);
  await page.waitForSelector('#panel:not([hidden]) h2');
  const title = await page.textContent('#panel h2');
  const households = await page.textContent('#panel tr[data-field="households"] td');
  const crumbs = await page.textContent('#panel .crumbs');
  if (title !== T.name) fail('the panel of a click on ' + T.name + ' is titled ' + title);
  if (Number(households.replace(/\D/g, '')) !== T.households)
    fail(T.name + ': panel shows ' + households + ' households, the store ' + T.households);
  for (const p of T.parents) if (!crumbs.includes(p)) fail(T.name + ': breadcrumbs "' + crumbs + '" lack ' + p);

  // Search by name: the parents tell apart desa of one name.
  await page.click('#panel .close');
  await page.fill('#search', T.name.slice(0, Math.max(4, T.name.length - 2)));
  await page.waitForSelector('#results li[data-i]');
  const first = await page.textContent('#results li[data-i]');
  if (!first.includes(T.name) || !first.includes(T.parents[T.parents.length - 1]))
    fail('search for ' + T.name + ': first result "' + first + '"');
  await page.click('#results li[data-i]');
  await page.waitForSelector('#panel:not([hidden]) h2');
  if ((await page.textContent('#panel h2')) !== T.name) fail('the search result does not open ' + T.name);
  await page.waitForTimeout(600);
  await rendered(page);
  await page.screenshot({ path: path.join(outDir, 'desktop-panel.png') });
  // And by the keyboard: down to the first result, Enter.
  await page.click('#panel .close');
  await page.fill('#search', T.name);
  await page.waitForSelector('#results li[data-i]');
  await page.keyboard.press('ArrowDown');
  if ((await page.getAttribute('#results li[data-i="0"]', 'aria-selected')) !== 'true') fail('ArrowDown marks no result');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#panel:not([hidden]) h2');
  if ((await page.textContent('#panel h2')) !== T.name) fail('Enter on the first result does not open ' + T.name);

  // A suppressed area: found by its code; its hidden cells say so, and no cell of 1 to 4 shows.
  const S = expect.suppressed;
  await page.fill('#search', S.code);
  await page.keyboard.press('Enter');
  await page.waitForFunction((name) => document.querySelector('#panel h2')?.textContent === name, S.name);
  for (const field of Object.keys(S.hidden)) {
    const cell = await page.textContent('#panel tr[data-field="' + field + '"] td');
    if (cell !== 'disembunyikan') fail(S.name + ' ' + field + ' shows "' + cell + '", not disembunyikan');
  }
  const cells = await page.$$eval('#panel td', (tds) => tds.map((td) => td.textContent));
  for (const c of cells) if (/^\d+$/.test(c) && Number(c) > 0 && Number(c) < 5) fail(S.name + ': a small count shows: ' + c);

  // What the data is and where it came from, and the downloads, which the server has.
  await page.click('#about-open');
  const about = await page.textContent('#about');
  for (const want of ['Metode', expect.method, 'GeoPackage publik'])
    if (!about.includes(want)) fail('"Tentang data" lacks ' + want);
  const links = await page.$$eval('#about a[href]', (as) => as.map((a) => a.href));
  if (links.length < 5) fail('"Tentang data" has ' + links.length + ' downloads');
  for (const href of links) {
    const status = await page.evaluate((h) => fetch(h, {method: 'HEAD'}).then((r) => r.status), href);
    if (status !== 200) fail('download ' + href + ': HTTP ' + status);
  }
  await page.click('#about .close');

  // English, and back.
  await page.click('#lang');
  if ((await page.textContent('#legend h2')) !== 'Poverty rate') fail('the English switch leaves the legend in Indonesian');
  if (!(await page.textContent('#panel')).includes('suppressed')) fail('the panel is not in English');
  await page.click('#lang');

  // Out to the kecamatan, and in past the last tiles.
  await page.click('#panel .close');
  await page.evaluate(() => rgMap.map.getView().setZoom(10.6));
  await rendered(page);
  await page.screenshot({ path: path.join(outDir, 'desktop-kecamatan.png') });
  const level = await page.textContent('#legend .level-now');
  if (!level.includes('Kecamatan')) fail('at zoom 10 the legend says "' + level + '"');
  await page.evaluate((ll) => { rgMap.map.getView().setCenter(ol.proj.fromLonLat(ll)); rgMap.map.getView().setZoom(14.5); },
                      T.lonlat);
  await rendered(page);
  await page.screenshot({ path: path.join(outDir, 'desktop-zoom14.png') });
  // One level pinned: kecamatan drawn where the desa would be, until Automatic again.
  await page.selectOption('#level', 'kecamatan');
  await rendered(page);
  let now = await page.textContent('#legend .level-now');
  if (!now.includes('Kecamatan')) fail('kecamatan pinned at zoom 14.5, the legend says "' + now + '"');
  if (T.parent_colour) {
    const [px, py] = await pagePixel(page, T.lonlat);
    const drawn = hex(await colourAt(page, px, py));
    if (drawn !== T.parent_colour) fail('kecamatan pinned: ' + T.parents[2] + ' drawn ' + drawn + ', its rate calls for ' + T.parent_colour);
  }
  await page.selectOption('#level', 'auto');
  await rendered(page);
  now = await page.textContent('#legend .level-now');
  if (!now.includes(expect.sls ? 'SLS' : 'Desa')) fail('back to Automatic at zoom 14.5, the legend says "' + now + '"');
  if (expect.sls) await sls(page);
  if (leaks.length) fail('requests left the origin: ' + leaks.slice(0, 5).join(', '));
  await context.close();
}

// An SLS map's finest level: drawn from zoom 14, in its colour, its panel under its desa.
async function sls(page) {
  const S = expect.sls;
  await page.evaluate((ll) => { rgMap.map.getView().setCenter(ol.proj.fromLonLat(ll)); rgMap.map.getView().setZoom(16); },
                      S.lonlat);
  await rendered(page);
  const level = await page.textContent('#legend .level-now');
  if (!level.includes('SLS')) fail('at zoom 16 on an SLS map the legend says "' + level + '"');
  const [x, y] = await pagePixel(page, S.lonlat);
  const colour = hex(await colourAt(page, x, y));
  if (colour !== S.colour) fail('SLS ' + S.name + ' is drawn ' + colour + '; its rate calls for ' + S.colour);
  await page.mouse.click(x, y);
  await page.waitForFunction((name) => document.querySelector('#panel h2')?.textContent === name, S.name);
  const crumbs = await page.textContent('#panel .crumbs');
  for (const p of S.parents) if (!crumbs.includes(p)) fail('SLS ' + S.name + ': breadcrumbs "' + crumbs + '" lack ' + p);
  await page.screenshot({ path: path.join(outDir, 'desktop-sls.png') });
}

async function phone(browser) {
  const { page, context, leaks } = await openPage(browser, { width: 390, height: 844 }, true);
  const T = expect.target;
  await page.fill('#search', T.name);
  await page.waitForSelector('#results li[data-i]');
  await page.tap('#results li[data-i]');
  await page.waitForSelector('#panel:not([hidden]) h2');
  await page.waitForTimeout(600);
  await rendered(page);
  const box = await page.$eval('#panel', (p) => p.getBoundingClientRect().toJSON());
  if (box.width > 390 || box.bottom > 845) fail('on a phone the panel spills out of the screen: ' + JSON.stringify(box));
  await page.screenshot({ path: path.join(outDir, 'phone-panel.png') });
  if (leaks.length) fail('requests left the origin (phone): ' + leaks.slice(0, 5).join(', '));
  await context.close();
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          args: ['--no-sandbox'] });
  try {
    await desktop(browser);
    await phone(browser);
  } catch (e) {
    fail(e.stack || String(e));
  }
  await browser.close();
  console.log('site.cjs: ' + failures.length + ' failures');
  process.exit(failures.length ? 1 : 0);
})();
