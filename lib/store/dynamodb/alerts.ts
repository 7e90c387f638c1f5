import { alertSubject, type Alert } from '../../jobs/alert';
import type { ServiceEvent } from '../../jobs/events';
import { alertFromItem, alertItem, openAlertFromItem, openAlertItem, outboxItem } from '../items';
import * as keys from '../keys';
import { InvalidPositionError, type AlertListFilter, type Page } from '../port';
import { failedCondition, type HistoryTable } from './table';

/**
 * Alert state on the history table (KEYS.md): the episodes (`ALERTS`) and the open marks (`ALERT#OPEN`). Each
 * change is one transaction of the mark, the episode and the outbox item of its event, so a crash leaves either
 * all three or none, and the mark's condition lets one of any number of racing evaluations win.
 */
export class Alerts {
  constructor(private readonly table: HistoryTable) {}

  /** {@inheritDoc AlertStore.openAlerts} */
  async openAlerts(): Promise<Alert[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.OPEN_ALERT_PK },
      ConsistentRead: true,
    });
    return items.map(openAlertFromItem);
  }

  /** {@inheritDoc AlertStore.openAlert} */
  async openAlert(alert: Alert, event: ServiceEvent): Promise<boolean> {
    const now = new Date().toISOString();
    try {
      await this.table.transact([
        { Put: { TableName: this.table.name, Item: openAlertItem(alert), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: this.table.name, Item: alertItem(alert), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: this.table.name, Item: outboxItem(event, now) } },
      ]);
      return true;
    } catch (error) {
      if (failedCondition(error, 0) || failedCondition(error, 1)) return false;
      throw error;
    }
  }

  /** {@inheritDoc AlertStore.closeAlert} */
  async closeAlert(alert: Alert, event: ServiceEvent): Promise<boolean> {
    if (alert.closedAt === undefined) throw new TypeError('closeAlert needs the alert with its closedAt');
    const now = new Date().toISOString();
    try {
      await this.table.transact([
        {
          Delete: {
            TableName: this.table.name,
            Key: { PK: keys.OPEN_ALERT_PK, SK: keys.openAlertSk(alertSubject(alert)) },
            ConditionExpression: 'alertId = :id',
            ExpressionAttributeValues: { ':id': alert.alertId },
          },
        },
        {
          Update: {
            TableName: this.table.name,
            Key: { PK: keys.ALERTS_PK, SK: keys.alertSk(alert.openedAt, alert.alertId) },
            UpdateExpression: `SET closedAt = :at${alert.closedReason === undefined ? '' : ', closedReason = :why'} REMOVE GSI1PK, GSI1SK`,
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(closedAt)',
            ExpressionAttributeValues: { ':at': alert.closedAt, ...(alert.closedReason !== undefined && { ':why': alert.closedReason }) },
          },
        },
        { Put: { TableName: this.table.name, Item: outboxItem(event, now) } },
      ]);
      return true;
    } catch (error) {
      if (failedCondition(error, 0) || failedCondition(error, 1)) return false;
      throw error;
    }
  }

  /** {@inheritDoc AlertStore.listAlerts} */
  async listAlerts(filter: AlertListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<Alert>> {
    if (startKey && !keys.isAlertListPosition(startKey, filter)) throw new InvalidPositionError('not a position of this alerts listing');
    const [pk, sk] = filter.open ? (['GSI1PK', 'GSI1SK'] as const) : (['PK', 'SK'] as const);
    const values: Record<string, unknown> = { ':pk': filter.open ? keys.OPEN_ALERTS_GSI1PK : keys.ALERTS_PK };
    let keyCondition = `${pk} = :pk`;
    // `<to>#<id>` sorts after `<to>`, so `< :to` excludes alerts opened at `to`: [from, to).
    if (filter.from !== undefined && filter.to !== undefined) {
      keyCondition += ` AND ${sk} BETWEEN :from AND :to`;
      values[':from'] = filter.from;
      values[':to'] = filter.to;
    } else if (filter.from !== undefined) {
      keyCondition += ` AND ${sk} >= :from`;
      values[':from'] = filter.from;
    } else if (filter.to !== undefined) {
      keyCondition += ` AND ${sk} < :to`;
      values[':to'] = filter.to;
    }
    if (filter.kind !== undefined) values[':kind'] = filter.kind;
    const items: Alert[] = [];
    let exclusive: Record<string, unknown> | undefined = startKey;
    // Bounded like the jobs listing: a selective `kind` gives a short page with a cursor.
    for (let page = 0; page < 20 && items.length < limit; page++) {
      const out = await this.table.query({
        ...(filter.open && { IndexName: 'GSI1' }),
        KeyConditionExpression: keyCondition,
        ...(filter.kind !== undefined && { FilterExpression: 'alertKind = :kind' }),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: exclusive,
      });
      items.push(...out.items.map(alertFromItem));
      exclusive = out.lastKey;
      if (!exclusive) break;
    }
    return { items, ...(exclusive ? { nextKey: exclusive as Record<string, string> } : {}) };
  }
}
