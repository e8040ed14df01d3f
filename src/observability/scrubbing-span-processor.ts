/**
 * Scrubs secrets out of every span before Application Insights gets it (G12). Spans are made by
 * code acrbot does not own: the Azure SDK's tracing (identity, Tables, Blob, ARM) and the http
 * instrumentation record what they saw, a URL with a SAS `sig=`, an error's message and stack
 * (`span.recordException`) quoting a connection string. The distro runs its span processors in
 * order, the ones it is given before the batch processor that exports, so each ended span is
 * scrubbed in place here before it is queued, with the scrubber log lines use (scrubSecrets).
 */
import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { scrubSecrets } from '../domain/secret-text';

// The SDK's types as the distro names them: @opentelemetry/sdk-trace-base is no direct dependency.
type SpanProcessor = NonNullable<AzureMonitorOpenTelemetryOptions['spanProcessors']>[number];
type ReadableSpan = Parameters<SpanProcessor['onEnd']>[0];
type Attributes = ReadableSpan['attributes'];

/**
 * A span processor that replaces the secret part of every string an ended span carries: its
 * attributes (URLs, statements, error texts), its events' names and attributes
 * (`exception.message`, `exception.stacktrace`), its links' attributes, its status message and
 * its name. Strings with
 * nothing to scrub stay the same objects, so a span with no secret costs one pattern test a string.
 */
export class ScrubbingSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    // Mutated in place: an ended span refuses setAttribute, and the exporter reads these objects.
    scrubAttributes(span.attributes);
    for (const event of span.events) {
      // An event other than an exception is exported as a message whose text is its name.
      event.name = scrubSecrets(event.name);
      if (event.attributes) scrubAttributes(event.attributes);
    }
    for (const link of span.links) if (link.attributes) scrubAttributes(link.attributes);
    const message = span.status.message;
    if (message) span.status.message = scrubSecrets(message);
    const name = scrubSecrets(span.name);
    if (name !== span.name) (span as { name: string }).name = name;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function scrubAttributes(attributes: Attributes): void {
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (typeof value === 'string') {
      const scrubbed = scrubSecrets(value);
      if (scrubbed !== value) attributes[key] = scrubbed;
    } else if (Array.isArray(value) && value.some((v) => typeof v === 'string')) {
      attributes[key] = (value as unknown[]).map((v) => (typeof v === 'string' ? scrubSecrets(v) : v)) as typeof value;
    }
  }
}
