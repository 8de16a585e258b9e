import { getTaskFixture, measureAlternately, startEntry, stop, transitionLoop, TSC_MAIN } from './harness';
(async () => {
  const oldMain = '/work/wt/bench/dist/apps/api/apps/api/src/main.js';
  const a = await startEntry(oldMain);
  const b = await startEntry(TSC_MAIN);
  try {
    const fa = await getTaskFixture(a.url, 'ab-old');
    const fb = await getTaskFixture(b.url, 'ab-new');
    const r = await measureAlternately([
      { name: 'get-old', url: a.url, load: fa.getTask },
      { name: 'get-new', url: b.url, load: fb.getTask },
      { name: 'tr-old', url: a.url, load: () => transitionLoop(a.url, fa.actors) },
      { name: 'tr-new', url: b.url, load: () => transitionLoop(b.url, fb.actors) },
    ]);
    for (const [k, v] of r) console.log(k, Math.round(v.rps), 'p50', v.p50, 'p99', v.p99);
    console.log('GET new/old', (r.get('get-new')!.rps / r.get('get-old')!.rps).toFixed(2));
    console.log('transition new/old', (r.get('tr-new')!.rps / r.get('tr-old')!.rps).toFixed(2));
  } finally {
    await stop(a.child); await stop(b.child);
  }
})();
