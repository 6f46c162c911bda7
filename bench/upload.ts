// npm run bench:upload: a 1 GiB file (BENCH_UPLOAD_BYTES) through Cairn and through a bare Node pipe,
// BENCH_ROUNDS alternating rounds. On PostgreSQL when DATABASE_URL is set, else on the embedded database.
import os from 'node:os';
import { runFilesBench } from './files.ts';

const SIZE = Number(process.env.BENCH_UPLOAD_BYTES ?? 1024 ** 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MB = 1024 * 1024;
const { base, ours } = await runFilesBench(SIZE, ROUNDS, process.env.DATABASE_URL);
const results = [base, ours];
const mib = (b: number) => `${(b / MB).toFixed(0)} MiB`;
console.log(`\n${(SIZE / MB).toFixed(0)} MiB file, median of ${ROUNDS} alternating rounds; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n`);
console.log('| server | upload MB/s | download MB/s | idle RSS | upload peak − idle | download peak − idle |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(`| ${r.name} | ${r.uploadMBs.toFixed(0)} | ${r.downloadMBs.toFixed(0)} | ${mib(r.idle)} | ${mib(r.uploadPeak)} | ${mib(r.downloadPeak)} |`);
}
console.log(
  `\nCairn / baseline: upload ${((ours.uploadMBs / base.uploadMBs) * 100).toFixed(0)}% (target ≥ 80%), download ${((ours.downloadMBs / base.downloadMBs) * 100).toFixed(0)}% (target ≥ 90%); ` +
    `Cairn's memory during the transfer: +${mib(Math.max(ours.uploadPeak, ours.downloadPeak))} (target < 100 MiB)`,
);
