/** Where the server listens when HOST is unset, by mode. */
import type { AppConfig } from './app-config';

/**
 * The address the server listens on: HOST, else loopback in sandbox mode (the sandbox has no
 * auth) and every interface in azure mode (App Service routes to the container).
 */
export function listenHostOf(config: Pick<AppConfig, 'host' | 'mode'>): string {
  return config.host ?? (config.mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0');
}
