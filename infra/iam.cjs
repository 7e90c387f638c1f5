// One IAM role per function, each with only the table actions that function needs (least privilege).
// serverless.yml includes `${file(./infra/iam.cjs):roles}` as resources and points each function at its role.
// Written in JS because the same log/table/secret statements would otherwise be repeated a dozen times.

const table = { 'Fn::GetAtt': ['HistoryTable', 'Arn'] };
const tableIndexes = { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['HistoryTable', 'Arn'] }, 'index', '*']] };

const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];

/** What each function may do, beyond writing its own logs. */
const FUNCTIONS = {
  // The collectors publish their events (events:PutEvents on the one bus, eventBusName) and then delete them
  // from the outbox (partition OUTBOX only).
  collectFederations: { table: [...READ, ...WRITE], secret: true, events: true, outbox: true },
  collectPolicyJobs: { table: [...READ, ...WRITE], secret: true, events: true, outbox: true },
  discoverTargets: { table: [...READ, 'dynamodb:PutItem'], secret: true, leadingKeys: ['TARGET#*'] },
  // Rewrites rollup items only (partition keys ROLLUP#...).
  compactRollups: { table: ['dynamodb:Query', 'dynamodb:PutItem'], leadingKeys: ['ROLLUP#*'] },
  // Reads rollups, the open alerts, the in-flight jobs and the outbox; writes only alert items and their outbox
  // events (one transaction per change), publishes them (events:PutEvents on the one bus) and deletes them from
  // the outbox, like the collectors.
  evaluateAlerts: {
    table: READ,
    writes: { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'], leadingKeys: ['ALERTS', 'ALERT#OPEN', 'OUTBOX'] },
    events: true,
    outbox: true,
  },
  // Pages alerts with the stack's cursor key.
  listAlerts: { table: ['dynamodb:Query'], cursorSecret: true },
  // Reads the cursor key secret of its stack (infra/cursor-secret.yml), nothing else.
  listJobs: { table: ['dynamodb:Query'], cursorSecret: true },
  getJob: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
  statsDurations: { table: ['dynamodb:Query'] },
  statsFailureRates: { table: ['dynamodb:Query'] },
  listTargets: { table: ['dynamodb:Query'] },
  // The target routes may only touch target items (partition keys TARGET#...).
  addTarget: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], leadingKeys: ['TARGET#*'] },
  removeTarget: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], leadingKeys: ['TARGET#*'] },
  openapi: { table: [] },
  health: { table: ['dynamodb:GetItem'] },
  notFound: { table: [] },
  // The dashboard's page and assets are built into its bundles: no table, no secret.
  dashboardRedirect: { table: [] },
  dashboardPage: { table: [] },
  dashboard: { table: [] },
  exportHistory: { export: true },
};

/** The ARN of the bus the `eventBusName` param names (a name, or already an ARN); fails on anything else. */
function eventBusArn(name) {
  const value = String(name ?? '').trim() || 'default';
  if (/^arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]{1,256}$/.test(value)) return value;
  if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(value)) throw new Error(`param eventBusName must be an EventBridge bus name or ARN, got "${value}"`);
  return { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${value}` };
}

const roleName = (fn) => `${fn[0].toUpperCase()}${fn.slice(1)}Role`;

function statements(fn, spec, ctx) {
  const logGroup = { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${ctx.prefix}-${fn}:*` };
  const list = [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logGroup] }];
  if (spec.table && spec.table.length) {
    const statement = { Effect: 'Allow', Action: spec.table, Resource: [table, tableIndexes] };
    if (spec.leadingKeys) statement.Condition = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': spec.leadingKeys } };
    // TransactWriteItems is authorized item by item against these actions.
    list.push(statement);
  }
  if (spec.writes) {
    // Writes confined to the partitions named (reads above stay unconfined: rollups, indexes, jobs).
    list.push({ Effect: 'Allow', Action: spec.writes.actions, Resource: [table], Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': spec.writes.leadingKeys } } });
  }
  if (spec.secret) {
    list.push({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${ctx.secretName}-??????` }],
    });
  }
  if (spec.outbox) {
    list.push({
      Effect: 'Allow',
      Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'],
      Resource: [table],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OUTBOX'] } },
    });
  }
  if (spec.events) {
    list.push({ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [ctx.eventBusArn] });
  }
  if (spec.cursorSecret) {
    list.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [{ Ref: 'CursorSecret' }] });
  }
  if (spec.export) {
    list.push(
      { Effect: 'Allow', Action: ['dynamodb:ExportTableToPointInTime'], Resource: [table] },
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: [table], Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['META'] } } },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
        Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ExportBucket', 'Arn'] }, '/*']] }],
      },
    );
  }
  return list;
}

module.exports.roles = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const secretName = await resolveVariable('param:ucsSecretName');
  const ctx = { prefix: `${service}-${stage}`, secretName, eventBusArn: eventBusArn(await resolveVariable('param:eventBusName')) };
  // Roles only for the functions serverless.yml declares: an orphan role would still be deployed (and the
  // export role names a bucket that only exists along with its function).
  const declared = Object.keys((await resolveVariable('self:functions')) ?? {});
  const unknown = declared.filter((fn) => !(fn in FUNCTIONS));
  if (unknown.length) throw new Error(`infra/iam.cjs has no permissions for function(s) ${unknown.join(', ')}`);
  const resources = {};
  for (const [fn, spec] of Object.entries(FUNCTIONS).filter(([name]) => declared.includes(name))) {
    resources[roleName(fn)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
        },
        Policies: [{ PolicyName: `${fn}-least-privilege`, PolicyDocument: { Version: '2012-10-17', Statement: statements(fn, spec, ctx) } }],
      },
    };
  }
  return resources;
};

module.exports.FUNCTIONS = FUNCTIONS;
module.exports.eventBusArn = eventBusArn;
