import { formatIsoMicros, parseInstantMicros } from '../jobs/time';
import { InvalidPositionError, type AlertListFilter, type AlertStore } from '../store/port';
import { queryFingerprint, type CursorCodec } from './cursor';
import { BadRequest } from './errors';
import type { AlertBody, AlertPageBody, ListAlertsParams } from './schemas';

/** Normalizes an optional ISO time parameter to the stored form (UTC, microseconds). */
const normalizeTime = (text: string | undefined) => {
  const us = text === undefined ? undefined : parseInstantMicros(text);
  return us === undefined ? undefined : formatIsoMicros(us);
};

/**
 * One page of `GET /alerts`, newest `openedAt` first. `state=open` reads the open alerts' own index (no closed
 * alert is read); `from`/`to` bound `openedAt` (`from ≥ to` is a 400 naming `from`); a cursor is sealed like the
 * jobs listing's and only fits the filters it was made for.
 */
export async function listAlertPage(store: AlertStore, params: ListAlertsParams, codec: CursorCodec): Promise<AlertPageBody> {
  const filter: AlertListFilter = { open: params.state === 'open', kind: params.kind, from: normalizeTime(params.from), to: normalizeTime(params.to) };
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new BadRequest('from', `must be before "to" (${filter.from} >= ${filter.to})`);
  }
  const fingerprint = queryFingerprint({ listing: 'alerts', state: params.state, kind: filter.kind, from: filter.from, to: filter.to });
  const startKey = params.cursor === undefined ? undefined : codec.decode(params.cursor, fingerprint);
  let page;
  try {
    page = await store.listAlerts(filter, params.limit, startKey);
  } catch (error) {
    if (error instanceof InvalidPositionError) throw new BadRequest('cursor', 'not a cursor of this listing');
    throw error;
  }
  return { items: page.items as AlertBody[], ...(page.nextKey && { nextCursor: codec.encode(page.nextKey, fingerprint) }) };
}
