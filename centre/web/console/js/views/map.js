// The live map: where the protected workers you may see are now — on a site's floor plan (beacon
// zones) or outdoors (GPS) — with the age of each position, following the live stream. Only what the
// centre sends (GET /api/console/map, `position` events): positions of a protection running now or
// of an alarm, for a supervisor only during an alarm; one position per worker, no trail. Below the
// map, the same workers as a list (a tap shows where one is).
import { api } from '../api.js';
import { fill, h, select, t } from '../dom.js';
import { ago, syncClock, time } from '../fmt.js';
import { state } from '../state.js';
import { statusChip } from '../ui.js';

const GEO = 'geo';
const VIEW_KEY = 'vigil.map.view';
const Grid = L.GridLayer.extend({
  createTile() {
    const d = document.createElement('div');
    d.className = 'grid-tile';
    return d;
  },
});

/** `site|floor` for a plan, `geo` for outdoors. */
const planKey = (siteId, floor) => siteId + '|' + floor;

/** Where a worker's place is drawn: on a plan (x, y in metres) or on the map (lat, lon); null when neither. */
function spotOf(w, plans) {
  const p = w.place;
  if (p.floor !== null && p.x !== null && p.y !== null && w.siteId && plans.some((x) => x.siteId === w.siteId && x.floor === p.floor)) {
    return { view: planKey(w.siteId, p.floor), at: [p.y, p.x] };
  }
  if (p.lat !== null && p.lon !== null) return { view: GEO, at: [p.lat, p.lon] };
  return null;
}

export function render(main) {
  const page = h('div.page.map-page');
  fill(main, page);
  let data = null;
  let view = sessionStorage.getItem(VIEW_KEY) || '';
  let map = null;
  let imageUrl = null;
  let drawnView = null;
  let markers = new Map();
  let disposed = false;
  let fetching = null;
  let again = false;
  const mapEl = h('div.map.live-map#live-map', { role: 'region', 'aria-label': t('map.liveLabel') });
  const bar = h('div.map-bar');
  const list = h('ul.map-list', { 'aria-label': t('map.workers') });
  fill(page, h('h1.visually-hidden', t('nav.map')), bar, mapEl, list);

  const views = () => [[GEO, t('map.outdoors')], ...data.plans.map((p) => [planKey(p.siteId, p.floor), t('map.planName', { site: (data.sites.find((s) => s.id === p.siteId) || {}).name || p.siteId, floor: p.floor })])];

  function chooseView() {
    const known = views().map(([k]) => k);
    if (known.includes(view)) return view;
    // First where someone is in an alarm, else where most workers are, else outdoors.
    const spots = data.workers.map((w) => ({ w, s: spotOf(w, data.plans) })).filter((x) => x.s);
    const hot = spots.find((x) => x.w.status === 'alarm' || x.w.status === 'pending');
    if (hot) return hot.s.view;
    const counts = new Map();
    for (const x of spots) counts.set(x.s.view, (counts.get(x.s.view) || 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] || (data.plans[0] ? planKey(data.plans[0].siteId, data.plans[0].floor) : GEO);
  }

  function drawBar() {
    const shown = data.workers.filter((w) => { const s = spotOf(w, data.plans); return s && s.view === view; }).length;
    fill(bar,
      h('label.inline', h('span', t('map.where')), select({ id: 'map-view', onchange: (e) => { view = e.target.value; sessionStorage.setItem(VIEW_KEY, view); void drawMap(); } }, views(), view)),
      h('span.muted#map-count', t('map.count', { shown, total: data.workers.length })));
  }

  function drawList() {
    const sorted = [...data.workers].sort((a, b) => (a.status === 'alarm' ? 0 : 1) - (b.status === 'alarm' ? 0 : 1) || a.name.localeCompare(b.name));
    fill(list, sorted.length ? sorted.map((w) => {
      const s = spotOf(w, data.plans);
      return h('li', { dataset: { worker: w.id, status: w.status }, tabindex: '0', onclick: () => focusOn(w), onkeydown: (e) => (e.key === 'Enter' ? focusOn(w) : undefined) },
        statusChip(w.status), h('strong', w.name), h('span.place', w.place.label, s ? null : h('small.muted', ' · ' + t('map.notDrawn'))),
        h('span.age', { title: time(w.positionAt), dataset: { at: w.positionAt } }, ago(w.positionAt)));
    }) : h('li.empty.muted', t('map.nobody')));
  }

  function focusOn(w) {
    if (w.alarmId && (w.status === 'alarm' || w.status === 'pending')) {
      location.hash = '#/alarm/' + w.alarmId;
      return;
    }
    const s = spotOf(w, data.plans);
    if (!s) return;
    if (s.view !== view) {
      view = s.view;
      sessionStorage.setItem(VIEW_KEY, view);
      void drawMap().then(() => map && map.panTo(markers.get(w.id)?.getLatLng() || s.at));
      drawBar();
    } else if (map) map.panTo(s.at);
  }

  function markerEl(w) {
    return h('div.pin', { dataset: { worker: w.id, status: w.status } }, h('span.dot'), h('span.label', h('b', w.name), ' ', h('span.age', { dataset: { at: w.positionAt } }, ago(w.positionAt))));
  }

  /** Workers sharing a zone are spread around its centre so that every label shows. */
  function spread(items) {
    const byPlace = new Map();
    for (const it of items) {
      const k = it.s.at.join(',');
      byPlace.set(k, [...(byPlace.get(k) || []), it]);
    }
    for (const group of byPlace.values()) {
      if (group.length < 2) continue;
      const r = view === GEO ? 0.00004 : 1.2;
      group.forEach((it, i) => {
        const a = (2 * Math.PI * i) / group.length;
        it.s = { ...it.s, at: [it.s.at[0] + r * Math.sin(a), it.s.at[1] + r * Math.cos(a)] };
      });
    }
    return items;
  }

  function placeMarkers() {
    if (!map) return;
    const here = spread(data.workers.map((w) => ({ w, s: spotOf(w, data.plans) })).filter((x) => x.s && x.s.view === view));
    const keep = new Set();
    for (const { w, s } of here) {
      keep.add(w.id);
      const icon = L.divIcon({ className: 'worker-pin', html: markerEl(w), iconSize: null });
      const m = markers.get(w.id);
      if (m) {
        m.setLatLng(s.at);
        m.setIcon(icon);
      } else markers.set(w.id, L.marker(s.at, { icon, keyboard: false, title: w.name }).addTo(map));
      markers.get(w.id).getElement().dataset.place = w.place.zoneId || w.place.label;
    }
    for (const [id, m] of markers) {
      if (keep.has(id)) continue;
      m.remove();
      markers.delete(id);
    }
  }

  async function drawMap() {
    if (drawnView === view && map) return placeMarkers();
    if (map) map.remove();
    map = null;
    markers = new Map();
    if (imageUrl) URL.revokeObjectURL(imageUrl);
    imageUrl = null;
    drawnView = view;
    mapEl.dataset.view = view;
    if (view === GEO) {
      const s = state.settings && state.settings.map;
      map = L.map(mapEl, { attributionControl: !!(s && s.tileUrl), maxZoom: (s && s.maxZoom) || 19 });
      if (s && s.tileUrl) L.tileLayer(s.tileUrl, { attribution: s.attribution || '', maxZoom: s.maxZoom || 19 }).addTo(map);
      else {
        mapEl.classList.add('blank');
        new Grid({ tileSize: 64 }).addTo(map);
      }
      L.control.scale({ imperial: false }).addTo(map);
      const pts = data.workers.map((w) => spotOf(w, data.plans)).filter((x) => x && x.view === GEO).map((x) => x.at);
      for (const z of data.zones.filter((z) => z.lat !== null && z.lon !== null)) {
        L.circleMarker([z.lat, z.lon], { radius: 5, color: '#27466f', weight: 1 }).bindTooltip(z.name, { direction: 'top', className: 'zone-label' }).addTo(map);
      }
      if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.3), { maxZoom: 17 });
      else map.setView([0, 0], 2);
    } else {
      mapEl.classList.remove('blank');
      const [siteId, floor] = view.split('|');
      const p = data.plans.find((x) => x.siteId === siteId && x.floor === floor);
      const blob = await api.blob('/api/sites/' + encodeURIComponent(siteId) + '/plans/' + encodeURIComponent(floor) + '/image');
      if (disposed || drawnView !== view) return;
      imageUrl = URL.createObjectURL(blob);
      const bounds = [[0, 0], [p.heightM, p.widthM]];
      map = L.map(mapEl, { crs: L.CRS.Simple, minZoom: -3, attributionControl: false, zoomSnap: 0.25 });
      L.imageOverlay(imageUrl, bounds).addTo(map);
      map.fitBounds(bounds);
      for (const z of data.zones.filter((z) => z.siteId === siteId && z.floor === floor && z.x !== null && z.y !== null)) {
        const shape = z.w && z.h ? L.rectangle([[z.y - z.h / 2, z.x - z.w / 2], [z.y + z.h / 2, z.x + z.w / 2]], { weight: 1, color: '#27466f', fillOpacity: 0.06 })
          : L.circleMarker([z.y, z.x], { radius: 4, color: '#27466f' });
        shape.bindTooltip(z.name, { permanent: true, direction: 'bottom', className: 'zone-label' }).addTo(map);
      }
    }
    placeMarkers();
  }

  /** Reads the map again (start, live changes of sessions and alarms); one read at a time, the last change always read. */
  async function load() {
    if (fetching) {
      again = true;
      return fetching;
    }
    fetching = (async () => {
      try {
        const d = await api.get('/api/console/map');
        if (disposed) return;
        syncClock(d.now);
        data = d;
        view = chooseView();
        drawBar();
        drawList();
        await drawMap();
        page.dataset.loaded = 'yes';
      } catch {
        page.dataset.loaded = 'error';
      }
    })();
    await fetching;
    fetching = null;
    if (again && !disposed) {
      again = false;
      await load();
    }
  }

  /** A position from the live stream: the marker moves at once; a worker the page does not know yet means a read. */
  function onPosition(p) {
    const w = data && data.workers.find((x) => x.id === p.workerId);
    if (!w) return void load();
    w.place = p.place;
    w.positionAt = p.at;
    drawBar();
    drawList();
    placeMarkers();
  }

  const onLive = (e) => {
    const { type, event } = e.detail;
    if (type === 'position') onPosition(event.position);
    else if (type === 'session' || type === 'alarm' || type === 'device') void load();
  };
  document.addEventListener('vigil:live', onLive);
  // After a reconnection the stream may have missed positions: read again.
  const onConnected = () => void load();
  document.addEventListener('vigil:connected', onConnected);
  const ticker = setInterval(() => {
    for (const el of page.querySelectorAll('.age[data-at]')) el.textContent = ago(Number(el.dataset.at));
  }, 1000);
  // Leaflet needs the element in the page (its size) before drawing.
  requestAnimationFrame(() => void load());
  return () => {
    disposed = true;
    clearInterval(ticker);
    document.removeEventListener('vigil:live', onLive);
    document.removeEventListener('vigil:connected', onConnected);
    if (map) map.remove();
    if (imageUrl) URL.revokeObjectURL(imageUrl);
  };
}
