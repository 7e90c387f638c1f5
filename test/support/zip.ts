import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import JSZip from 'jszip';

/** Extracts every file of a zip into `dir` (no `unzip` binary needed on the machine), refusing paths that leave it. */
export async function extractZip(zipPath: string, dir: string): Promise<string[]> {
  const zip = await JSZip.loadAsync(await readFile(zipPath));
  const root = resolve(dir);
  const files: string[] = [];
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const target = resolve(root, entry.name);
    if (!target.startsWith(root + sep)) throw new Error(`${zipPath}: entry ${entry.name} leaves the target folder`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await entry.async('nodebuffer'));
    files.push(join(dir, entry.name));
  }
  return files;
}
