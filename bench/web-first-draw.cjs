// The time from asking for a web map's page to its first complete drawing (every tile of the
// first view loaded and drawn: OpenLayers' first rendercomplete), in a fresh headless Chromium
// each time, on a 1280 x 800 window. Prints each run's milliseconds.
// usage: node web-first-draw.cjs URL [RUNS]
'use strict';
const path = require('path');
const { chromium } = require(path.join(__dirname, '../web/client/node_modules/playwright-core'));
(async () => {
  const [url, runs = '3'] = process.argv.slice(2);
  for (let i = 0; i < Number(runs); i++) {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                            args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
    console.log(Date.now() - started);
    await browser.close();
  }
})();
