// Preloaded (`node --import`) into a built entry point forked by bench/harness.ts (startEntry with
// `profiled`): a CPU profile of the load alone, started and stopped over IPC, as
// bench/app-server.ts does in-process, so the profile section can profile what production runs.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const post = (method) =>
  new Promise((resolve, reject) =>
    session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
process.on('message', (message) => {
  if (message.type === 'profile-start') {
    void post('Profiler.enable')
      .then(() => post('Profiler.start'))
      .then(() => process.send({ type: 'profile', file: '' }));
  } else if (message.type === 'profile-stop') {
    void post('Profiler.stop').then((result) => {
      writeFileSync(message.file, JSON.stringify(result.profile));
      process.send({ type: 'profile', file: message.file });
    });
  }
});
// The IPC channel keeps the event loop alive; the app's own servers do that already.
process.channel?.unref();
