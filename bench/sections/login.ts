import {
  BCRYPT_COST,
  CONNECTIONS,
  DURATION,
  Measure,
  PASSWORD,
  ROUNDS,
  WARMUP,
  addRow,
  fire,
  forkTs,
  medianMeasure,
  startApp,
  stop,
} from '../harness';

/** (5) POST /auth/login against bare bcrypt.compare loops at the same cost, alternately. */
export async function loginSection(): Promise<void> {
  const app = await startApp();
  try {
    const loginLoad = {
      method: 'POST' as const,
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'u_alice', password: PASSWORD }),
    };
    const samples = { login: [] as Measure[], bcrypt: [] as Measure[] };
    const bare = async (): Promise<Measure> => {
      const child = forkTs('bcrypt-loop.ts', {
        BCRYPT_COST: String(BCRYPT_COST),
        BENCH_CONNECTIONS: String(CONNECTIONS),
        BENCH_DURATION: String(DURATION),
      });
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => code !== 0 && reject(new Error(`bcrypt loop: ${code}`)));
        child.once('message', (m: Measure) => resolve(m));
      });
    };
    await fire(app.url, loginLoad, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      const first = round % 2 === 0;
      if (first) samples.bcrypt.push(await bare());
      samples.login.push(await fire(app.url, loginLoad, DURATION));
      if (!first) samples.bcrypt.push(await bare());
    }
    const baseline = { name: 'bare bcrypt.compare', measure: medianMeasure(samples.bcrypt) };
    addRow(`(5b) bare bcrypt.compare loop, cost ${BCRYPT_COST}`, baseline.measure);
    addRow(`(5) POST /auth/login, cost ${BCRYPT_COST}`, medianMeasure(samples.login), baseline, {
      min: 0.9,
    });
  } finally {
    await stop(app.child);
  }
}
