// The embeddable viewer in a real browser: Debian's chromium, driven by
// playwright-core, against the `tuile serve` that scripts/client-tests.sh
// started (TUILE_URL). Run with `node --test tests/browser/`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.TUILE_URL;
assert.ok(base, 'TUILE_URL is not set: run through scripts/client-tests.sh');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // WebGL (MapLibre) on the CPU: no GPU on the test machines.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
after(() => browser.close());

/** Opens a viewer URL and waits until every layer has drawn; collects every error. */
async function open(path) {
  const { page, errors } = await load(path);
  await rendered(page);
  return { page, errors };
}

/** Opens a viewer URL and waits until the page says it is ready; collects every error. */
async function load(path) {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e}`));
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(base + path);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', errors.join('\n'));
  return { page, errors };
}

/** Resolves when OpenLayers has drawn every tile of the current view. */
function rendered(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        // Resolve with nothing: the event holds the map, which cannot be sent back to node.
        window.tuileMap.once('rendercomplete', () => resolve());
        window.tuileMap.render();
      })
  );
}

/** Share of painted (non-transparent) pixels, and how many distinct colours, over the map's canvases. */
async function paint(page) {
  return page.evaluate(() => {
    let painted = 0;
    let total = 0;
    const colours = new Set();
    document.querySelectorAll('#map canvas').forEach((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4 * 101) {
        total++;
        if (d[i + 3] > 0) {
          painted++;
          colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
        }
      }
    });
    return { share: total ? painted / total : 0, colours: colours.size };
  });
}

async function layerLabels(page) {
  return page.$$eval('#layers label', (ls) => ls.map((l) => l.textContent.trim()));
}

for (const mode of ['WebMercatorQuad', 'LAMB93', 'WMS']) {
  test(`${mode}: the map draws the layers with no error`, async () => {
    const { page, errors } = await open(`/viewer?mode=${mode}`);
    const p = await paint(page);
    assert.ok(p.share > 0.5, `painted share ${p.share}`);
    assert.ok(p.colours > 20, `only ${p.colours} colours: blank or flat tiles`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a click shows the features under it', async () => {
  const { page, errors } = await open('/viewer?layers=bdortho,ocsol,erp');
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.body.dataset.info !== undefined, null, { timeout: 15000 });
  assert.equal(await page.isVisible('#popup'), true);
  const text = await page.textContent('#info');
  assert.match(text, /code_cs/, 'the land cover under the click is described');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the members-only layer appears only with a key', async () => {
  const anonymous = await open('/viewer');
  const labels = await layerLabels(anonymous.page);
  assert.ok(labels.length >= 4, labels.join(', '));
  assert.ok(!labels.some((l) => /cadastr/i.test(l)), labels.join(', '));
  await anonymous.page.close();

  const member = await open('/viewer?apikey=demo-membres&layers=adresses_cadastre');
  const memberLabels = await layerLabels(member.page);
  assert.ok(memberLabels.some((l) => /cadastr/i.test(l)), memberLabels.join(', '));
  // Its tiles load, with the key carried into every request.
  assert.deepEqual(member.errors, []);
  const p = await paint(member.page);
  assert.ok(p.share > 0, 'the members-only addresses are drawn');
  await member.page.close();
});

test('MapLibre draws the vector tiles in the combined style as the WMS draws the layer', async () => {
  const { page, errors } = await load('/viewer?mode=MapLibre&layers=ocsol');
  const r = await page.evaluate(async (base) => {
    const m = window.tuileGlMap;
    const canvas = m.getCanvas();
    const [w, h] = [canvas.width, canvas.height];
    const b = m.getBounds();
    const merc = (lon, lat) => [
      (lon * 20037508.342789244) / 180,
      Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) * 6378137,
    ];
    const [x0, y0] = merc(b.getWest(), b.getSouth());
    const [x1, y1] = merc(b.getEast(), b.getNorth());
    const wms = new Image();
    wms.src = `${base}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol&STYLES=couverture&CRS=EPSG:3857&BBOX=${x0},${y0},${x1},${y1}&WIDTH=${w}&HEIGHT=${h}&FORMAT=image/png&TRANSPARENT=TRUE`;
    await wms.decode();
    const pixels = (source) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d');
      ctx.drawImage(source, 0, 0);
      return ctx.getImageData(0, 0, w, h).data;
    };
    const [a, g] = [pixels(wms), pixels(canvas)];
    let compared = 0;
    let same = 0;
    for (let i = 0; i < a.length; i += 4 * 97) {
      if (a[i + 3] < 255) continue; // only where the WMS map has land cover
      compared++;
      if (Math.abs(a[i] - g[i]) + Math.abs(a[i + 1] - g[i + 1]) + Math.abs(a[i + 2] - g[i + 2]) < 30) same++;
    }
    return { compared, same, zoom: m.getZoom(), layers: m.getStyle().layers.length };
  }, base);
  assert.ok(r.compared > 500, JSON.stringify(r));
  // Polygon edges are anti-aliased a little differently; inside them the colours are the WMS ones.
  assert.ok(r.same / r.compared > 0.9, JSON.stringify(r));
  assert.deepEqual(errors, []);
  await page.close();
});

test('OpenLayers draws the Lambert-93 vector tiles from their tileset metadata', async () => {
  // The viewer page has OpenLayers and Lambert-93 (proj4) loaded.
  const { page, errors } = await load('/viewer?mode=LAMB93&layers=bdortho');
  const r = await page.evaluate(async (base) => {
    const div = document.createElement('div');
    div.style.cssText = 'position:absolute;inset:0;background:#fff';
    document.body.appendChild(div);
    // The source's projection is the view's (OpenLayers assumes Web Mercator otherwise).
    const source = new ol.source.OGCVectorTile({
      url: `${base}/collections/ocsol/tiles/LAMB93`,
      format: new ol.format.MVT(),
      projection: 'EPSG:2154',
    });
    const layer = new ol.layer.VectorTile({
      source,
      style: new ol.style.Style({ fill: new ol.style.Fill({ color: '#ff0000' }) }),
    });
    const view = new ol.View({ projection: 'EPSG:2154', center: [770250, 6279150], resolution: 2 });
    const map = new ol.Map({ target: div, layers: [layer], view, controls: [] });
    await new Promise((resolve, reject) => {
      source.once('change', () => (source.getState() === 'error' ? reject(new Error('tileset')) : resolve()));
      setTimeout(resolve, 5000);
    });
    await new Promise((resolve) => {
      map.once('rendercomplete', resolve);
      map.render();
    });
    let red = 0;
    let total = 0;
    div.querySelectorAll('canvas').forEach((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4 * 53) {
        total++;
        if (d[i + 3] > 0 && d[i] > 200 && d[i + 1] < 60) red++;
      }
    });
    return { red, total, state: source.getState() };
  }, base);
  assert.equal(r.state, 'ready');
  // Land cover covers the whole data extent: most of the view is filled.
  assert.ok(r.red / r.total > 0.5, JSON.stringify(r));
  assert.deepEqual(errors, []);
  await page.close();
});

test('MapLibre writes the address labels with the glyphs tuile serves', async () => {
  const { page, errors } = await load('/viewer?mode=MapLibre&layers=adresses');
  const glyphs = [];
  page.on('response', (r) => {
    if (r.url().includes('/fonts/')) glyphs.push(r.status());
  });
  const r = await page.evaluate(async () => {
    const m = window.tuileGlMap;
    // Labels show from 1:2,500 (zoom 17.5): the middle of the data, closer.
    m.jumpTo({ center: m.getCenter(), zoom: 18.5 });
    await new Promise((resolve) => m.once('idle', resolve));
    const canvas = m.getCanvas();
    const c = document.createElement('canvas');
    [c.width, c.height] = [canvas.width, canvas.height];
    const ctx = c.getContext('2d');
    ctx.drawImage(canvas, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) {
      // The labels' colour, #1f3a93 (anti-aliased edges aside).
      if (Math.abs(d[i] - 0x1f) < 40 && Math.abs(d[i + 1] - 0x3a) < 40 && Math.abs(d[i + 2] - 0x93) < 40) ink++;
    }
    const labels = m.queryRenderedFeatures().filter((f) => f.layer.type === 'symbol' && f.layer.layout && f.layer.layout['text-field']);
    return { ink, labels: labels.length };
  });
  assert.ok(glyphs.length > 0 && glyphs.every((s) => s === 200), JSON.stringify(glyphs));
  assert.ok(r.labels > 5, JSON.stringify(r));
  assert.ok(r.ink > 200, JSON.stringify(r));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a member sees the members-only layer in MapLibre mode, its key in every request', async () => {
  const { page, errors } = await load('/viewer?apikey=demo-membres&mode=MapLibre&layers=adresses_cadastre');
  const layers = await page.evaluate(() =>
    window.tuileGlMap.getStyle().layers.filter((l) => l['source-layer'] === 'adresses_cadastre').length
  );
  assert.ok(layers > 0, 'the members-only layer is in the style');
  assert.deepEqual(errors, []);
  await page.close();
});
