/** How flows tell the chat layer that a request changed, without knowing about Teams. */
import type { AccessRequest } from '../domain/request';

/** Implemented by the bot layer: update every copy of the card, send outcome messages. */
export interface RequestNotifier {
  requestChanged(request: AccessRequest): Promise<void>;
}
