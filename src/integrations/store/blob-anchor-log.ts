/**
 * Audit anchors in append blobs (@azure/storage-blob): one blob per UTC day
 * (`anchors-YYYY-MM-DD.log`, an append blob holds at most 50,000 blocks), one block per line.
 * In Azure the container has a time-based immutability policy with protected append writes:
 * lines can be added, never changed or deleted (Azurite does not enforce it).
 *
 * Requests go over the process's pooled HTTP client (through the outbound proxy when one applies,
 * with its bounded waits), with the process's one credential for a container URL.
 */
import type * as BlobModule from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { type AnchorLog, AnchorsUnavailableError } from '../../domain/audit-anchor';
import { sharedAzureCredential } from '../http/azure-credential';
import { compatHttpClient } from '../http/compat-http-client';
import { sharedHttpClient } from '../http/pooled-http-client';
import { anchorWriteError, type AnchorWriteError } from './anchor-write-error';

/** Where anchors go: a container URL (managed identity) or a connection string plus container name. */
export type AnchorTarget =
  { kind: 'identity'; containerUrl: string } | { kind: 'connectionString'; value: string; container: string };

/** Append-blob {@link AnchorLog}. */
export class BlobAnchorLog implements AnchorLog {
  private readonly container: ContainerClient;
  private created = false;

  constructor(
    target: AnchorTarget,
    private readonly now: () => Date,
  ) {
    // Loaded on first use: most processes never anchor.
    const blob = require('@azure/storage-blob') as typeof BlobModule;
    // Without it the Storage SDK's own Node client: the proxy, but no answer timeout.
    const options = { httpClient: compatHttpClient(sharedHttpClient()) };
    if (target.kind === 'connectionString') {
      this.container = blob.BlobServiceClient.fromConnectionString(target.value, options).getContainerClient(
        target.container,
      );
    } else {
      this.container = new blob.ContainerClient(target.containerUrl, sharedAzureCredential(), options);
    }
  }

  /**
   * Appends `line` to today's blob. A failure is an {@link AnchorWriteError} naming the blob, the
   * service's status and code and the fix (a blob of another type or a lease put there by
   * someone who can write the container, a missing right), with the SDK's error as its cause.
   */
  async append(line: string): Promise<void> {
    const name = `anchors-${this.now().toISOString().slice(0, 10)}.log`;
    try {
      if (!this.created) {
        await this.container.createIfNotExists();
        this.created = true;
      }
      const client = this.container.getAppendBlobClient(name);
      await client.createIfNotExists();
      const text = `${line}\n`;
      // One block per line: a block is appended whole, so concurrent instances never interleave bytes.
      await client.appendBlock(text, Buffer.byteLength(text));
    } catch (err) {
      const failure = anchorWriteError(err, name, this.location);
      // Created again on the next run, as after a restart: anchors must not stop for good.
      if (failure.code === 'anchor.container-missing') this.created = false;
      throw failure;
    }
  }

  /** The container and its account (names only: never the key or the connection string). */
  get location(): string {
    return `container "${this.container.containerName}" of storage account "${this.container.accountName}"`;
  }

  /**
   * Throws {@link AnchorsUnavailableError} when the container does not exist: it is created with
   * the first anchor, so a missing one is a mistyped name (or no anchor ever published), and an
   * empty answer would let verify report a rewritten log as intact.
   */
  async lines(): Promise<string[]> {
    const out: string[] = [];
    if (!(await this.container.exists()))
      throw new AnchorsUnavailableError(
        `the anchor ${this.location} does not exist: check the container name in ACRBOT_AUDIT_ANCHOR (the bot creates it with its first anchor)`,
      );
    const names: string[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix: 'anchors-' })) names.push(b.name);
    for (const name of names.sort()) {
      const body = await this.container.getBlobClient(name).downloadToBuffer();
      out.push(...body.toString('utf8').split('\n').filter(Boolean));
    }
    return out;
  }

  /**
   * Each day's lines, the newest day first: one listing, then one download per day read (the
   * caller stops at the first that holds what it looks for, usually today's or the last day the
   * bot ran). Nothing when the container does not exist: no anchor was published there yet.
   */
  async *newestFirst(): AsyncIterable<string[]> {
    if (!(await this.container.exists())) return;
    const names: string[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix: 'anchors-' })) names.push(b.name);
    for (const name of names.sort().reverse()) {
      const body = await this.container.getBlobClient(name).downloadToBuffer();
      yield body.toString('utf8').split('\n').filter(Boolean);
    }
  }
}
