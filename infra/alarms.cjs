// The alarms that depend on stage params, included by serverless.yml under `resources` beside alarms.yml.
//
// Heartbeats: the Errors and failedPolls alarms in alarms.yml treat missing data as "not breaching", so they
// stay quiet when a collector is not invoked at all (a disabled rule, a broken deploy, a deleted schedule).
// These alarm on the function's own AWS/Lambda Invocations metric with missing data as BREACHING: no
// invocation in a window twice the schedule's interval (at least 5 minutes) alarms. Discovery gets one
// when it is on.
//
// The alarm email: one subscription when `alarmEmail` is set, none otherwise. Decided at package time
// rather than with a CloudFormation condition on two resolved strings (cfn-lint W8003: always true or false).

const UNIT_SECONDS = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };
const DAY = 86_400;

/** Seconds between runs of a `rate(...)` schedule; a cron() schedule gets a day (its gaps can be any length). */
function intervalSeconds(expression) {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(String(expression).trim());
  if (rate) return Number(rate[1]) * UNIT_SECONDS[rate[2]];
  if (/^cron\(.*\)$/.test(String(expression).trim())) return DAY;
  throw new Error(`a schedule must be rate(...) or cron(...), got "${expression}"`);
}

/** The heartbeat window: twice the interval, at least 5 minutes, at most a day, in whole minutes. */
function heartbeatPeriod(expression) {
  const seconds = Math.min(DAY, Math.max(300, 2 * intervalSeconds(expression)));
  return Math.ceil(seconds / 60) * 60;
}

function heartbeat({ service, stage, fn, logicalId, period, what }) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${service}-${stage}-${fn}-heartbeat`,
      AlarmDescription: `${fn} was not invoked for ${period / 60} minutes: ${what} (is its schedule disabled, or the deploy broken?).`,
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId } }],
      Statistic: 'Sum',
      Period: period,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      // No datapoint at all is exactly the failure this alarm is for.
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
    },
  };
}

// `Job Overdue` events (lib/jobs/events.ts jobOverdueEvent) as one readable line on the alarm topic. A detail
// field that is absent would print as nothing, so the event carries `where` ready to read.
const JOB_OVERDUE = {
  logicalId: 'JobOverdueRule',
  detailType: 'Job Overdue',
  description: 'Job Overdue events of ucs-job-history to the alarm topic',
  paths: {
    level: '$.detail.level', source: '$.detail.source', type: '$.detail.type', jobId: '$.detail.jobId', attempt: '$.detail.attempt',
    where: '$.detail.where', runningSec: '$.detail.runningSec', limitSec: '$.detail.limitSec', basis: '$.detail.basis', since: '$.detail.overdueSince',
  },
  template:
    '"ucs-job-history: a <level> is overdue. <source>/<type> of job <jobId> (attempt <attempt>) on <where> has run <runningSec> s, past its limit of <limitSec> s (<basis>) since <since>."',
};

// `Alert Opened` / `Alert Closed` (lib/jobs/alert.ts alertEvent): the event carries its own readable line,
// `summary` (what, where, current figures against the baseline, the dashboard link).
const alertRule = (logicalId, detailType) => ({
  logicalId,
  detailType,
  description: `${detailType} events of ucs-job-history to the alarm topic`,
  paths: { summary: '$.detail.summary' },
  template: '"ucs-job-history: <summary>"',
});

/** The events the alarm topic tells its subscribers. */
const EVENT_RULES = [JOB_OVERDUE, alertRule('AlertOpenedRule', 'Alert Opened'), alertRule('AlertClosedRule', 'Alert Closed')];

/**
 * One EventBridge rule on `bus` per entry of `rules`, each sending our events of one detail type to the alarm
 * topic as its readable line, and the topic's one policy (a topic has a single policy: several TopicPolicy
 * resources would overwrite each other) letting exactly these rules publish.
 */
function eventRules({ service, stage, bus, rules }) {
  const resources = {};
  for (const { logicalId, detailType, description, paths, template } of rules) {
    resources[logicalId] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `${service}-${stage}-${logicalId}`,
        Description: description,
        EventBusName: bus,
        EventPattern: { source: ['ucs-job-history'], 'detail-type': [detailType] },
        State: 'ENABLED',
        Targets: [{ Id: 'AlarmTopic', Arn: { Ref: 'AlarmTopic' }, InputTransformer: { InputPathsMap: paths, InputTemplate: template } }],
      },
    };
  }
  resources.AlarmTopicEventsPolicy = {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [{ Ref: 'AlarmTopic' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'OurRulesPublish',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: 'AlarmTopic' },
          Condition: { ArnEquals: { 'aws:SourceArn': rules.map(({ logicalId }) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] })) } },
        }],
      },
    },
  };
  return resources;
}

module.exports.resources = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const on = async (param) => String(await resolveVariable(`param:${param}`)) !== 'false';
  const Resources = {};
  if (await on('schedulesEnabled')) {
    const collect = heartbeatPeriod(await resolveVariable('param:collectRate'));
    Resources.CollectFederationsHeartbeatAlarm = heartbeat({ service, stage, fn: 'collectFederations', logicalId: 'CollectFederationsLambdaFunction', period: collect, what: 'fleet history is not being collected' });
    Resources.CollectPolicyJobsHeartbeatAlarm = heartbeat({ service, stage, fn: 'collectPolicyJobs', logicalId: 'CollectPolicyJobsLambdaFunction', period: collect, what: 'policy job history is not being collected' });
    const alerts = heartbeatPeriod(await resolveVariable('param:alertRate'));
    Resources.EvaluateAlertsHeartbeatAlarm = heartbeat({ service, stage, fn: 'evaluateAlerts', logicalId: 'EvaluateAlertsLambdaFunction', period: alerts, what: 'alerts are neither opened nor closed' });
    if (await on('discoveryEnabled')) {
      const discover = heartbeatPeriod(await resolveVariable('param:discoverRate'));
      Resources.DiscoverTargetsHeartbeatAlarm = heartbeat({ service, stage, fn: 'discoverTargets', logicalId: 'DiscoverTargetsLambdaFunction', period: discover, what: 'new fleets and policy jobs are not being watched' });
    }
  }
  const email = String((await resolveVariable('param:alarmEmail')) ?? '').trim();
  if (email) {
    Resources.AlarmEmailSubscription = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: email },
    };
    const bus = String((await resolveVariable('param:eventBusName')) ?? '').trim() || 'default';
    Object.assign(Resources, eventRules({ service, stage, bus, rules: EVENT_RULES }));
  }
  return { Resources };
};
