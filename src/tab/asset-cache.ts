/**
 * The tab's built assets (`app.js`, `app.css`, `signin.js`) with their strong ETags, read and
 * hashed once per build instead of on every page load.
 *
 * Every load asks for the bundle again (`Cache-Control: no-cache`, so a new build is used at
 * once), and most of those asks end in a 304; reading and hashing a few hundred kilobytes each
 * time was work for nothing. A copy is kept while the file's identity — inode, size, and change
 * and modification times in nanoseconds — is what it was when read: `npm run build` writes new
 * files, which changes at least the times, so a rebuild is served on the next request without a
 * restart. One `stat` per request is what remains.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** An asset's bytes and the strong ETag that names them. */
export interface TabAsset {
  body: Buffer;
  /** `"<sha256, base64url>"`, quoted as RFC 9110 wants an entity tag. */
  etag: string;
}

interface Cached extends TabAsset {
  identity: string;
}

/** Reads assets by path and keeps the last copy of each while the file is unchanged. */
export class TabAssetCache {
  private readonly copies = new Map<string, Cached>();

  /**
   * The asset at `path`. Rejects as `readFile` does (ENOENT when the front end is not built);
   * a failed read forgets the copy, so a removed file is never served from memory.
   */
  async read(path: string): Promise<TabAsset> {
    try {
      const identity = identityOf(await stat(path, { bigint: true }));
      const kept = this.copies.get(path);
      if (kept?.identity === identity) return kept;
      const body = await readFile(path);
      // The file may change between stat and read; its identity is taken again after the read,
      // and a copy is kept only when both agree (otherwise the next request reads it afresh).
      const after = identityOf(await stat(path, { bigint: true }));
      const asset = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
      if (after === identity) this.copies.set(path, { ...asset, identity });
      else this.copies.delete(path);
      return asset;
    } catch (err) {
      this.copies.delete(path);
      throw err;
    }
  }
}

function identityOf(s: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}
