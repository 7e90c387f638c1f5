import type { z } from 'zod';
import { DurationStatsBody, FailureRateStatsBody } from '../stats/results';
import {
  AddTargetBody,
  AlertPageBody,
  DurationStatsParams,
  FailureRateStatsParams,
  HealthBody,
  JobHistoryBody,
  JobPageBody,
  JobPathParams,
  ListAlertsParams,
  ListJobsParams,
  ListTargetsParams,
  OpenApiDocumentBody,
  TargetListBody,
  TargetPathParams,
  TargetResultBody,
} from './schemas';

/**
 * The route table: the one statement of the HTTP contract. Each route names its method, path, auth, the
 * function serving it and the schemas of its input and answers. The handler wrapper (./handler.ts) parses
 * every request by its route's schemas, the OpenAPI document is generated from it (./openapi.ts), and a test
 * checks that serverless.yml wires exactly these routes (test/unit/http/routes.test.ts).
 */

/** One route of the API: what serverless.yml wires and what the OpenAPI document describes. */
export interface ApiRoute<Q extends z.ZodType | undefined = z.ZodType | undefined, P extends z.ZodType | undefined = z.ZodType | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'post' | 'delete';
  /** API Gateway path, `{name}` for path parameters (the same form in serverless.yml and OpenAPI). */
  path: string;
  /** The serverless.yml `handler` of the function serving it. */
  handler: string;
  operationId: string;
  summary: string;
  /** `iam`: signed with SigV4 (or a JWT when the JWT authorizer is configured); `none`: open. */
  auth: 'iam' | 'none';
  query?: Q;
  pathParams?: P;
  body?: B;
  /** Successful answers by status code. */
  responses: Record<number, { description: string; schema: z.ZodType }>;
  /** Error statuses the route may answer besides 500. */
  errors: number[];
}

/** Keeps a route's schema types (for the handler's parsed input) while checking it is a route. */
const route = <Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  r: ApiRoute<Q, P, B>,
) => r;

/** Every route of the API, by the name of the serverless.yml function that serves it. */
export const ROUTES = {
  listJobs: route({
    method: 'get',
    path: '/jobs',
    handler: 'functions/list-jobs.handler',
    operationId: 'listJobs',
    summary: 'Latest job states, newest first (startedAt, else createdAt), paginated',
    auth: 'iam',
    query: ListJobsParams,
    responses: { 200: { description: 'One page of jobs', schema: JobPageBody } },
    errors: [400, 503],
  }),
  getJob: route({
    method: 'get',
    path: '/jobs/{source}/{jobId}',
    handler: 'functions/get-job.handler',
    operationId: 'getJob',
    summary: 'A job: its latest state and every distinct observed state, oldest first',
    auth: 'iam',
    pathParams: JobPathParams,
    responses: { 200: { description: 'The job and its history', schema: JobHistoryBody } },
    errors: [400, 404],
  }),
  statsDurations: route({
    method: 'get',
    path: '/stats/durations',
    handler: 'functions/stats-durations.handler',
    operationId: 'getDurationStats',
    summary: 'Duration count, min, max, mean and percentiles of terminal runs, per group',
    auth: 'iam',
    query: DurationStatsParams,
    responses: { 200: { description: 'Duration figures per group', schema: DurationStatsBody } },
    errors: [400],
  }),
  statsFailureRates: route({
    method: 'get',
    path: '/stats/failure-rates',
    handler: 'functions/stats-failure-rates.handler',
    operationId: 'getFailureRates',
    summary: 'Terminal runs by status, failure rate and its Wilson 95 % interval, per group',
    auth: 'iam',
    query: FailureRateStatsParams,
    responses: { 200: { description: 'Failure figures per group', schema: FailureRateStatsBody } },
    errors: [400],
  }),
  listAlerts: route({
    method: 'get',
    path: '/alerts',
    handler: 'functions/list-alerts.handler',
    operationId: 'listAlerts',
    summary: 'Alerts (failure-rate spikes, duration regressions, overdue jobs), newest first, paginated',
    auth: 'iam',
    query: ListAlertsParams,
    responses: { 200: { description: 'One page of alerts', schema: AlertPageBody } },
    errors: [400, 503],
  }),
  listTargets: route({
    method: 'get',
    path: '/targets',
    handler: 'functions/list-targets.handler',
    operationId: 'listTargets',
    summary: 'The watch list (fleets and policy jobs polled)',
    auth: 'iam',
    query: ListTargetsParams,
    responses: { 200: { description: 'The targets', schema: TargetListBody } },
    errors: [400],
  }),
  addTarget: route({
    method: 'post',
    path: '/targets',
    handler: 'functions/add-target.handler',
    operationId: 'addTarget',
    summary: 'Watch a fleet or a policy job (idempotent)',
    auth: 'iam',
    body: AddTargetBody,
    responses: {
      201: { description: 'The target was added', schema: TargetResultBody },
      200: { description: 'The target already existed; returned unchanged', schema: TargetResultBody },
    },
    errors: [400],
  }),
  removeTarget: route({
    method: 'delete',
    path: '/targets/{kind}/{id}',
    handler: 'functions/remove-target.handler',
    operationId: 'retireTarget',
    summary: 'Stop watching a target: it is retired (kept, with its history), not deleted',
    auth: 'iam',
    pathParams: TargetPathParams,
    responses: { 200: { description: 'The retired target', schema: TargetResultBody } },
    errors: [400, 404],
  }),
  openapi: route({
    method: 'get',
    path: '/openapi.json',
    handler: 'functions/openapi.handler',
    operationId: 'getOpenApi',
    summary: 'This document',
    auth: 'iam',
    responses: { 200: { description: 'The OpenAPI 3.1 document', schema: OpenApiDocumentBody } },
    errors: [],
  }),
  health: route({
    method: 'get',
    path: '/health',
    handler: 'functions/health.handler',
    operationId: 'getHealth',
    summary: 'Liveness: ok once the service can reach its table',
    auth: 'none',
    responses: { 200: { description: 'The table is reachable', schema: HealthBody } },
    errors: [503],
  }),
};

/** Every route, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly ApiRoute[] = Object.values(ROUTES);

// The catch-all route has a module of its own, so that its handler does not bundle every schema.
export { CATCH_ALL_ROUTE } from './catch-all';
// The dashboard's routes (public, HTML and assets, not in the OpenAPI document) have a module of their own too.
export { PAGE_ROUTES } from './page-routes';
