/**
 * The tab's asset cache: a kept copy is served while the file is unchanged, and a rebuild — even
 * one that leaves the size as it was — or a removal is seen on the next read, without a restart.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TabAssetCache } from '../../src/tab/asset-cache';

const etagOf = (text: string) => `"${createHash('sha256').update(text).digest('base64url')}"`;

describe('TabAssetCache', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-assets-'));
    path = join(dir, 'app.js');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('an unchanged file is served from the kept copy with its content hash as ETag', async () => {
    writeFileSync(path, 'console.log("build 1");');
    const cache = new TabAssetCache();
    const first = await cache.read(path);
    expect(first.body.toString()).toBe('console.log("build 1");');
    expect(first.etag).toBe(etagOf('console.log("build 1");'));
    const again = await cache.read(path);
    // The same bytes object: nothing was read or hashed again.
    expect(again.body).toBe(first.body);
    expect(again.etag).toBe(first.etag);
  });

  test('a rebuild of the same size is served on the next read', async () => {
    writeFileSync(path, 'console.log("build 1");');
    const cache = new TabAssetCache();
    await cache.read(path);
    writeFileSync(path, 'console.log("build 2");');
    // A build later, as a rebuild is: on a file system whose clock ticks coarsely, two writes in
    // one tick could share their times, which the test must not depend on.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    const next = await cache.read(path);
    expect(next.body.toString()).toBe('console.log("build 2");');
    expect(next.etag).toBe(etagOf('console.log("build 2");'));
  });

  test('a removed file rejects as a read would, and its copy is not served afterwards', async () => {
    writeFileSync(path, 'a');
    const cache = new TabAssetCache();
    await cache.read(path);
    rmSync(path);
    await expect(cache.read(path)).rejects.toMatchObject({ code: 'ENOENT' });
    writeFileSync(path, 'b');
    expect((await cache.read(path)).body.toString()).toBe('b');
  });
});
