// Where the worker is: on the site's floor plan (image uploaded by an admin, zones drawn as
// rectangles or points) when the position names a floor that has a plan; else on a map — with the
// tiles configured in the centre, or, without tiles, on a plain grid with a scale (no network needed).
import { api } from '../api.js';
import { h, t } from '../dom.js';
import { ago } from '../fmt.js';
import { state } from '../state.js';

const Grid = L.GridLayer.extend({
  createTile() {
    const d = document.createElement('div');
    d.className = 'grid-tile';
    return d;
  },
});

export function whereOf(alarm) {
  const box = h('div.where-map');
  const place = alarm.place;
  if (!place) {
    box.appendChild(h('div.no-position', t('alarm.noPosition')));
    return { el: box, dispose: () => undefined };
  }
  let map = null;
  let url = null;
  // The page may be left (or redrawn by a live update) while the plan is still being fetched: every
  // step after an await checks this, so nothing is drawn on a map that is already removed.
  let disposed = false;
  const who = alarm.worker ? alarm.worker.name : t('alarm.noWorker');
  const el = h('div.map#map', { role: 'img', 'aria-label': t('map.label', { place: place.label }) });
  box.appendChild(el);
  const caption = t('map.caption', { place: place.label, age: alarm.positionAt ? ago(alarm.positionAt) : '—' });

  async function plan() {
    if (!alarm.siteId || place.floor === null || place.x === null || place.y === null) return false;
    const { plans } = await api.get('/api/sites/' + encodeURIComponent(alarm.siteId) + '/plans');
    const p = plans.find((x) => x.floor === place.floor);
    if (!p || disposed) return !!p;
    const blob = await api.blob('/api/sites/' + encodeURIComponent(alarm.siteId) + '/plans/' + encodeURIComponent(p.floor) + '/image');
    if (disposed) return true;
    url = URL.createObjectURL(blob);
    const bounds = [[0, 0], [p.heightM, p.widthM]];
    map = L.map(el, { crs: L.CRS.Simple, minZoom: -3, attributionControl: false, zoomSnap: 0.25 });
    L.imageOverlay(url, bounds).addTo(map);
    map.fitBounds(bounds);
    const { zones } = await api.get('/api/zones').catch(() => ({ zones: [] }));
    if (disposed) return true;
    for (const z of (zones || []).filter((z) => z.siteId === alarm.siteId && z.floor === p.floor && z.x !== null && z.y !== null)) {
      const shape = z.w && z.h ? L.rectangle([[z.y - z.h / 2, z.x - z.w / 2], [z.y + z.h / 2, z.x + z.w / 2]], { weight: 1, color: '#27466f', fillOpacity: z.id === place.zoneId ? 0.25 : 0.06 })
        : L.circleMarker([z.y, z.x], { radius: 4, color: '#27466f' });
      shape.bindTooltip(z.name, { permanent: true, direction: 'center', className: 'zone-label' }).addTo(map);
    }
    L.circleMarker([place.y, place.x], { radius: 11, color: '#fff', weight: 3, fillColor: '#d7263d', fillOpacity: 1 }).bindTooltip(who, { permanent: true, direction: 'top', offset: [0, -10], className: 'worker-label' }).addTo(map);
    el.dataset.kind = 'plan';
    return true;
  }

  function geo() {
    if (place.lat === null || place.lon === null) {
      el.replaceWith(h('div.no-position', place.label));
      return;
    }
    const s = state.settings && state.settings.map;
    map = L.map(el, { attributionControl: !!(s && s.tileUrl), maxZoom: (s && s.maxZoom) || 19 }).setView([place.lat, place.lon], 17);
    if (s && s.tileUrl) L.tileLayer(s.tileUrl, { attribution: s.attribution || '', maxZoom: s.maxZoom || 19 }).addTo(map);
    else {
      el.classList.add('blank');
      new Grid({ tileSize: 64 }).addTo(map);
    }
    L.control.scale({ imperial: false }).addTo(map);
    L.circleMarker([place.lat, place.lon], { radius: 11, color: '#fff', weight: 3, fillColor: '#d7263d', fillOpacity: 1 }).bindTooltip(who, { permanent: true, direction: 'top', offset: [0, -10], className: 'worker-label' }).addTo(map);
    el.dataset.kind = 'map';
  }

  const cap = L.Control.extend({ onAdd: () => h('div.map-caption', caption) });
  // Leaflet needs the element in the page (its size) before drawing.
  requestAnimationFrame(() => {
    if (disposed) return;
    const failed = () => {
      // A plan half drawn before an error: start again from an empty element for the map.
      if (map) map.remove();
      map = null;
      return false;
    };
    plan().catch(failed).then((done) => {
      if (disposed) return;
      if (!done) geo();
      if (map) new cap({ position: 'bottomleft' }).addTo(map);
    });
  });
  return {
    el: box,
    dispose() {
      disposed = true;
      if (map) map.remove();
      map = null;
      if (url) URL.revokeObjectURL(url);
      url = null;
    },
  };
}
