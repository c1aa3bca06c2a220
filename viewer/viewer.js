// tuile's embeddable map: the caller's layers over WMTS (Web Mercator or
// Lambert-93) or WMS, with feature info on click, or the vector tiles as
// MapLibre draws them in tuile's combined style. Plain script on top of the
// OpenLayers, proj4 and MapLibre builds that tuile serves next to it.
/* global ol, proj4, maplibregl */
(function () {
  'use strict';

  const config = JSON.parse(document.getElementById('tuile-config').textContent);
  const base = config.base;
  const keyQuery = config.keyQuery; // "apikey=…" when the page was opened with a key

  proj4.defs(
    'EPSG:2154',
    '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 ' +
      '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs'
  );
  ol.proj.proj4.register(proj4);
  ol.proj.get('EPSG:2154').setExtent([-378305.81, 6093283.21, 1212610.74, 7186901.68]);

  function keyed(url) {
    if (!keyQuery) return url;
    return url + (url.indexOf('?') >= 0 ? '&' : '?') + keyQuery;
  }

  const params = new URLSearchParams(window.location.search);
  const wanted = params.get('layers') ? params.get('layers').split(',') : null;
  const visible = {};
  config.layers.forEach(function (l) {
    visible[l.name] = wanted ? wanted.indexOf(l.name) >= 0 : true;
  });

  const panel = document.getElementById('layers');
  config.layers.forEach(function (l) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'layer';
    box.value = l.name;
    box.checked = visible[l.name];
    box.addEventListener('change', function () {
      visible[l.name] = box.checked;
      olLayers.forEach(function (ol) {
        if (ol.get('name') === l.name) ol.setVisible(box.checked);
      });
      if (glMap) glVisibility();
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + l.title + (l.restricted ? ' 🔒' : '')));
    panel.appendChild(label);
  });

  const popup = document.getElementById('popup');
  const info = document.getElementById('info');
  const close = document.getElementById('popup-close');
  // The overlay takes the popup out of the document until the map shows it.
  const overlay = new ol.Overlay({ element: popup, autoPan: { animation: { duration: 200 } } });
  close.addEventListener('click', function () {
    popup.hidden = true;
    overlay.setPosition(undefined);
  });

  const map = new ol.Map({ target: 'map', overlays: [overlay], controls: ol.control.defaults.defaults().extend([new ol.control.ScaleLine()]) });
  let olLayers = [];
  let capabilities = null;

  function fetchCapabilities() {
    if (capabilities) return Promise.resolve(capabilities);
    return fetch(keyed(base + '/wmts/1.0.0/WMTSCapabilities.xml'))
      .then(function (r) {
        if (!r.ok) throw new Error('WMTS capabilities: HTTP ' + r.status);
        return r.text();
      })
      .then(function (text) {
        capabilities = new ol.format.WMTSCapabilities().read(text);
        return capabilities;
      });
  }

  function fitTo(projection) {
    const e = config.extent || [3.8, 43.55, 3.95, 43.65];
    const extent = ol.proj.transformExtent(e, 'EPSG:4326', projection);
    map.getView().fit(extent, { size: map.getSize(), maxZoom: 16 });
  }

  function setView(projection, resolutions) {
    const view = new ol.View({ projection: projection, resolutions: resolutions, constrainResolution: !!resolutions });
    map.setView(view);
    fitTo(projection);
  }

  function wmtsLayers(matrixSet) {
    return fetchCapabilities().then(function (caps) {
      return config.layers.map(function (l) {
        const options = ol.source.WMTS.optionsFromCapabilities(caps, {
          layer: l.name,
          matrixSet: matrixSet,
          style: l.style,
        });
        if (!options) throw new Error('layer ' + l.name + ' has no ' + matrixSet + ' tiles');
        options.crossOrigin = 'anonymous';
        const layer = new ol.layer.Tile({ source: new ol.source.WMTS(options), visible: visible[l.name] });
        layer.set('name', l.name);
        return layer;
      });
    });
  }

  function wmsLayers() {
    return Promise.resolve(
      config.layers.map(function (l) {
        const source = new ol.source.ImageWMS({
          url: keyed(base + '/wms'),
          params: { LAYERS: l.name, STYLES: l.style, FORMAT: l.vector ? 'image/png' : 'image/jpeg', TRANSPARENT: l.vector },
          ratio: 1,
          crossOrigin: 'anonymous',
        });
        const layer = new ol.layer.Image({ source: source, visible: visible[l.name] });
        layer.set('name', l.name);
        return layer;
      })
    );
  }

  // MapLibre: loaded on first use, then kept (and hidden) across modes.
  let glMap = null;

  function loadMapLibre() {
    if (window.maplibregl) return Promise.resolve();
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = config.maplibre.css;
    document.head.appendChild(css);
    return new Promise(function (resolve, reject) {
      const script = document.createElement('script');
      script.src = config.maplibre.js;
      script.onload = resolve;
      script.onerror = function () {
        reject(new Error('cannot load MapLibre'));
      };
      document.head.appendChild(script);
    });
  }

  /** Shows each style layer whose data is a visible tuile layer. */
  function glVisibility() {
    glMap.getStyle().layers.forEach(function (layer) {
      const name = layer['source-layer'] || layer.source;
      if (!(name in visible)) return;
      glMap.setLayoutProperty(layer.id, 'visibility', visible[name] ? 'visible' : 'none');
    });
  }

  function showMapLibre() {
    document.getElementById('map').hidden = true;
    document.getElementById('gl').hidden = false;
    return loadMapLibre().then(function () {
      if (glMap) {
        glMap.resize();
        return;
      }
      glMap = new maplibregl.Map({
        container: 'gl',
        style: keyed(base + '/styles/default'),
        // The key goes with every request to tuile: tiles, sprites, TileJSON.
        // (the style's own URLs already carry it when the page was opened with one).
        transformRequest: function (url) {
          const mine = url.indexOf(base) === 0 && !(keyQuery && url.indexOf(keyQuery) >= 0);
          return { url: mine ? keyed(url) : url };
        },
        attributionControl: { compact: true },
        // Keeps the drawn map readable (printing, exports, the browser test).
        canvasContextAttributes: { preserveDrawingBuffer: true },
      });
      glMap.addControl(new maplibregl.ScaleControl());
      window.tuileGlMap = glMap;
      return new Promise(function (resolve, reject) {
        glMap.once('load', function () {
          glVisibility();
          const e = config.extent;
          if (e) glMap.fitBounds([[e[0], e[1]], [e[2], e[3]]], { animate: false, maxZoom: 16 });
          glMap.once('idle', resolve);
        });
        glMap.once('error', function (e) {
          reject(e.error || new Error('MapLibre failed'));
        });
      });
    });
  }

  function show(mode) {
    if (mode === 'MapLibre') {
      return showMapLibre().then(function () {
        document.body.dataset.mode = mode;
      });
    }
    document.getElementById('gl').hidden = true;
    document.getElementById('map').hidden = false;
    map.updateSize();
    const built =
      mode === 'WMS' ? wmsLayers() : wmtsLayers(mode);
    return built.then(function (layers) {
      map.getLayers().clear();
      olLayers = layers;
      layers.forEach(function (l) {
        map.addLayer(l);
      });
      if (mode === 'WebMercatorQuad') {
        setView('EPSG:3857');
      } else if (mode === 'LAMB93') {
        const grid = layers[0].getSource().getTileGrid();
        setView('EPSG:2154', grid.getResolutions());
      } else {
        setView('EPSG:2154');
      }
      document.body.dataset.mode = mode;
    });
  }

  // Feature info: WMS GetFeatureInfo for the visible queryable layers, in the view's CRS.
  const infoSource = new ol.source.ImageWMS({ url: keyed(base + '/wms'), params: { LAYERS: '' } });
  map.on('singleclick', function (evt) {
    const names = config.layers
      .filter(function (l) {
        return l.queryable && visible[l.name];
      })
      .map(function (l) {
        return l.name;
      });
    if (!names.length) return;
    const view = map.getView();
    const url = infoSource.getFeatureInfoUrl(evt.coordinate, view.getResolution(), view.getProjection(), {
      LAYERS: names.join(','),
      QUERY_LAYERS: names.join(','),
      INFO_FORMAT: 'application/json',
      FEATURE_COUNT: 5,
    });
    fetch(url)
      .then(function (r) {
        return r.json();
      })
      .then(function (doc) {
        info.textContent = '';
        const features = doc.features || [];
        if (!features.length) {
          info.textContent = 'Aucun objet ici.';
        }
        features.forEach(function (f) {
          const table = document.createElement('table');
          const caption = document.createElement('caption');
          caption.textContent = f.layer || (f.id ? String(f.id).split('.')[0] : '');
          table.appendChild(caption);
          Object.keys(f.properties || {}).forEach(function (k) {
            const row = table.insertRow();
            row.insertCell().textContent = k;
            row.insertCell().textContent = String(f.properties[k]);
          });
          info.appendChild(table);
        });
        popup.hidden = false;
        overlay.setPosition(evt.coordinate);
        document.body.dataset.info = String(features.length);
      })
      .catch(function (e) {
        console.warn('feature info failed', e);
      });
  });

  document.getElementById('modes').addEventListener('change', function (e) {
    if (e.target.name === 'mode') show(e.target.value);
  });

  const initial = params.get('mode') || 'WebMercatorQuad';
  const radio = document.querySelector('input[name=mode][value="' + initial + '"]');
  if (radio) radio.checked = true;
  show(initial)
    .then(function () {
      document.body.dataset.ready = 'true';
    })
    .catch(function (e) {
      console.error(e);
      document.body.dataset.ready = 'error';
    });
  window.tuileMap = map;
})();
