/**
 * A credential on its way from Azure into the cluster. Wrapping it means an accidental
 * `JSON.stringify`, log call or template sees `[redacted]`, never the value (G12).
 */
import { inspect } from 'node:util';

/** A password that hides itself from serialisation and inspection. */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value, for the one place that writes it into the Kubernetes request. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
